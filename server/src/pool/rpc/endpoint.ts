/**
 * One side of a JSON-RPC 2.0 connection over a transport: typed requests and notifications
 * declared once in protocol/ (with guards that decode what arrives), error responses that keep
 * the connection serving, and encode failures reported as marshal errors rather than lost.
 *
 * Why not vscode-jsonrpc's MessageConnection: on this path every task is one round trip, and its
 * connection costs about 2.7× a bare round trip over the same pipe (measured; see BENCHMARKS.md,
 * "Pool"). The method declarations still come from vscode-jsonrpc's types.
 */
import type { NotificationSpec, RequestSpec } from '../../../../protocol/pool';
import { PoolErrorCodes } from '../../../../protocol/pool';
import { ConnectionClosedError, MarshalError, MessageDecodeError, RemoteError } from '../errors';
import type { Transport } from './transport';

interface Pending {
  spec: RequestSpec<unknown, unknown>;
  resolve(result: unknown): void;
  reject(error: Error): void;
}

type RequestHandler = (params: unknown) => unknown;
type NotificationHandler = (params: unknown) => void;

interface WireError {
  code: number;
  message: string;
  data?: unknown;
}

export class RpcEndpoint {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly requestHandlers = new Map<string, { spec: RequestSpec<unknown, unknown>; handler: RequestHandler; answered?: (params: unknown) => void }>();
  private readonly notificationHandlers = new Map<string, { spec: NotificationSpec<unknown>; handler: NotificationHandler }>();
  private readonly closeListeners: (() => void)[] = [];
  private closedWith: ConnectionClosedError | undefined;

  constructor(
    private readonly transport: Transport,
    /** A frame that is not JSON-RPC, or a notification of the wrong shape: nobody is waiting to be told. */
    private readonly onProtocolError: (error: MessageDecodeError) => void = () => {},
  ) {
    transport.onFrame((frame) => this.receive(frame));
    transport.onClose(() => this.closed(new ConnectionClosedError('the connection closed')));
  }

  get isClosed(): boolean {
    return this.closedWith !== undefined;
  }

  /** Sends a request; rejects with MarshalError if the params cannot be encoded, RemoteError if the handler threw. */
  request<Params, Result>(spec: RequestSpec<Params, Result>, params: Params): Promise<Result> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const id = this.nextId++;
    let frame: string;
    try {
      frame = JSON.stringify({ jsonrpc: '2.0', id, method: spec.method, params });
    } catch (error) {
      return Promise.reject(new MarshalError(`cannot encode ${spec.method} params: ${messageOf(error)}`, { cause: error }));
    }
    return new Promise<Result>((resolve, reject) => {
      this.pending.set(id, { spec: spec as RequestSpec<unknown, unknown>, resolve: resolve as (r: unknown) => void, reject });
      this.transport.send(frame);
    });
  }

  /** Sends a notification; throws MarshalError if the params cannot be encoded. */
  notify<Params>(spec: NotificationSpec<Params>, params: Params): void {
    if (this.closedWith) return;
    let frame: string;
    try {
      frame = JSON.stringify({ jsonrpc: '2.0', method: spec.method, params });
    } catch (error) {
      throw new MarshalError(`cannot encode ${spec.method} params: ${messageOf(error)}`, { cause: error });
    }
    this.transport.send(frame);
  }

  /**
   * Serves a request; a throw becomes an error response (with the error's `data`), and serving goes
   * on. `answered` runs once the answer (or error) is sent.
   */
  onRequest<Params, Result>(
    spec: RequestSpec<Params, Result>,
    handler: (params: Params) => Result | Promise<Result>,
    answered?: (params: Params) => void,
  ): void {
    this.requestHandlers.set(spec.method, {
      spec: spec as RequestSpec<unknown, unknown>,
      handler: handler as RequestHandler,
      answered: answered as ((params: unknown) => void) | undefined,
    });
  }

  onNotification<Params>(spec: NotificationSpec<Params>, handler: (params: Params) => void): void {
    this.notificationHandlers.set(spec.method, { spec: spec as NotificationSpec<unknown>, handler: handler as NotificationHandler });
  }

  onClose(listener: () => void): void {
    if (this.closedWith) queueMicrotask(listener);
    else this.closeListeners.push(listener);
  }

  /** Closes the connection; waiting requests fail with `reason` (or ConnectionClosedError). */
  close(reason?: ConnectionClosedError): void {
    this.closed(reason ?? new ConnectionClosedError('the connection was closed'));
    this.transport.close();
  }

  private closed(reason: ConnectionClosedError): void {
    if (this.closedWith) return;
    this.closedWith = reason;
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const entry of waiting) entry.reject(reason);
    for (const listener of this.closeListeners.splice(0)) listener();
  }

  private receive(frame: string): void {
    if (frame.length === 0) return;
    let message: { id?: unknown; method?: unknown; params?: unknown; result?: unknown; error?: WireError };
    try {
      message = JSON.parse(frame);
    } catch {
      this.brokenFrame(frame, 'a JSON-RPC 2.0 message on one line');
      return;
    }
    if (typeof message !== 'object' || message === null) {
      this.brokenFrame(frame, 'a JSON-RPC 2.0 message object');
      return;
    }
    if (typeof message.method === 'string') {
      if (typeof message.id === 'number' || typeof message.id === 'string') this.serve(message.id, message.method, message.params);
      else this.dispatchNotification(message.method, message.params);
      return;
    }
    if (typeof message.id === 'number') {
      const entry = this.pending.get(message.id);
      if (!entry) return; // an answer nobody waits for any more
      this.pending.delete(message.id);
      if (message.error) entry.reject(this.remoteError(entry.spec, message.error));
      else if (!entry.spec.isResult(message.result)) entry.reject(new MessageDecodeError(entry.spec.method, 'result', entry.spec.shape.result));
      else entry.resolve(message.result);
      return;
    }
    this.brokenFrame(frame, 'a request, a notification or a response');
  }

  /**
   * A line that is not a message: something wrote on the channel besides this protocol, or a frame
   * was cut and glued to the next. What follows cannot be trusted to be framed either, and the
   * answer a request waits for may have been in it: left open, the connection would keep a request
   * waiting forever (a wedged worker). So every waiting request fails with a MarshalError (the pool
   * then replaces the worker: Coq's on_marshal_error) naming what came, and the connection closes.
   */
  private brokenFrame(frame: string, expected: string): void {
    this.onProtocolError(new MessageDecodeError('(unknown)', 'frame', expected));
    const excerpt = JSON.stringify(frame.length > 80 ? `${frame.slice(0, 80)}…` : frame);
    const error = new MarshalError(`the other side wrote a line that is not JSON-RPC on the protocol channel, so the connection was closed: ${excerpt}`);
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const entry of waiting) entry.reject(error);
    this.close();
  }

  private remoteError(spec: RequestSpec<unknown, unknown>, error: WireError): Error {
    const data = error.data as { method?: string; part?: 'params' | 'result'; expected?: string } | undefined;
    // The other side could not decode what we sent, or could not encode its answer: both are marshal errors here.
    if (error.code === PoolErrorCodes.InvalidParams && data?.expected) {
      return new MessageDecodeError(data.method ?? spec.method, data.part ?? 'params', data.expected);
    }
    if (error.code === PoolErrorCodes.ResultNotEncodable) return new MarshalError(`${spec.method}: ${error.message}`);
    return new RemoteError(error.code, error.message, error.data);
  }

  private serve(id: number | string, method: string, params: unknown): void {
    const entry = this.requestHandlers.get(method);
    if (!entry) {
      this.answerError(id, { code: PoolErrorCodes.MethodNotFound, message: `no handler for ${method}` });
      return;
    }
    if (!entry.spec.isParams(params)) {
      const expected = entry.spec.shape.params;
      this.answerError(id, {
        code: PoolErrorCodes.InvalidParams,
        message: `${method} params are not ${expected}`,
        data: { method, part: 'params', expected },
      });
      return;
    }
    let result: unknown;
    try {
      result = entry.handler(params);
    } catch (error) {
      this.answerError(id, handlerError(error));
      entry.answered?.(params);
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (value) => {
          this.answer(id, method, value);
          entry.answered?.(params);
        },
        (error) => {
          this.answerError(id, handlerError(error));
          entry.answered?.(params);
        },
      );
    } else {
      this.answer(id, method, result);
      entry.answered?.(params);
    }
  }

  private answer(id: number | string, method: string, result: unknown): void {
    if (this.closedWith) return;
    let frame: string;
    try {
      // `undefined` is not JSON: a handler that returns nothing answers null.
      frame = JSON.stringify({ jsonrpc: '2.0', id, result: result === undefined ? null : result });
    } catch (error) {
      this.answerError(id, { code: PoolErrorCodes.ResultNotEncodable, message: `cannot encode the ${method} result: ${messageOf(error)}` });
      return;
    }
    this.transport.send(frame);
  }

  private answerError(id: number | string, error: WireError): void {
    if (this.closedWith) return;
    let frame: string;
    try {
      frame = JSON.stringify({ jsonrpc: '2.0', id, error });
    } catch {
      // The error's data itself is not encodable: send it without.
      frame = JSON.stringify({ jsonrpc: '2.0', id, error: { code: error.code, message: error.message } });
    }
    this.transport.send(frame);
  }

  private dispatchNotification(method: string, params: unknown): void {
    const entry = this.notificationHandlers.get(method);
    if (!entry) return;
    if (!entry.spec.isParams(params)) {
      this.onProtocolError(new MessageDecodeError(method, 'params', entry.spec.shape.params));
      return;
    }
    entry.handler(params);
  }
}

function handlerError(error: unknown): WireError {
  const data = typeof error === 'object' && error !== null && 'data' in error ? (error as { data: unknown }).data : undefined;
  return { code: PoolErrorCodes.HandlerFailed, message: messageOf(error), data };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
