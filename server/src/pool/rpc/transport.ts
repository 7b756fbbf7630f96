/**
 * How encoded JSON-RPC messages travel: one message per line over a byte stream (a worker's
 * protocol descriptor), or handed across in memory (a worker served in-process). JSON text never
 * holds a raw newline, so a line is a frame.
 */
import type { Readable, Writable } from 'node:stream';

export interface Transport {
  /** Sends one encoded message. Never throws: a dead peer shows up as `onClose`. */
  send(frame: string): void;
  onFrame(listener: (frame: string) => void): void;
  /** Fires once, when the peer is gone or `close` was called. */
  onClose(listener: () => void): void;
  close(): void;
}

/** Frames over a readable and a writable (the same socket, or stdin and stdout). */
export function streamTransport(input: Readable, output: Writable): Transport {
  let frameListener: (frame: string) => void = () => {};
  const closeListeners: (() => void)[] = [];
  let closed = false;
  const closeOnce = () => {
    if (closed) return;
    closed = true;
    for (const listener of closeListeners.splice(0)) listener();
  };
  let pending = '';
  input.setEncoding('utf8');
  input.on('data', (chunk: string) => {
    let start = 0;
    let end = chunk.indexOf('\n');
    if (end < 0) {
      pending += chunk;
      return;
    }
    // The first line may continue what the previous chunk left.
    frameListener(pending + chunk.slice(0, end));
    pending = '';
    for (start = end + 1; (end = chunk.indexOf('\n', start)) >= 0; start = end + 1) {
      if (closed) return;
      frameListener(chunk.slice(start, end));
    }
    pending = chunk.slice(start);
  });
  input.on('end', closeOnce);
  input.on('close', closeOnce);
  // A peer that died makes writes fail with EPIPE: that is a close, not a crash.
  input.on('error', closeOnce);
  output.on('error', closeOnce);
  output.on('close', closeOnce);
  return {
    send(frame) {
      if (!closed) output.write(frame + '\n');
    },
    onFrame(listener) {
      frameListener = listener;
    },
    onClose(listener) {
      if (closed) queueMicrotask(listener);
      else closeListeners.push(listener);
    },
    close() {
      if (closed) return;
      output.end();
      if (input !== (output as unknown)) input.destroy();
      closeOnce();
    },
  };
}

/** Two connected transports in one process: what one sends, the other receives, asynchronously. */
export function inMemoryTransportPair(): [Transport, Transport] {
  const a = new InMemoryTransport();
  const b = new InMemoryTransport();
  a.peer = b;
  b.peer = a;
  return [a, b];
}

class InMemoryTransport implements Transport {
  peer!: InMemoryTransport;
  private frameListener: (frame: string) => void = () => {};
  private readonly closeListeners: (() => void)[] = [];
  private closed = false;

  send(frame: string): void {
    if (this.closed) return;
    const peer = this.peer;
    // Asynchronous like a pipe, so neither side runs inside the other's call stack.
    queueMicrotask(() => {
      if (!peer.closed) peer.frameListener(frame);
    });
  }

  onFrame(listener: (frame: string) => void): void {
    this.frameListener = listener;
  }

  onClose(listener: () => void): void {
    if (this.closed) queueMicrotask(listener);
    else this.closeListeners.push(listener);
  }

  close(): void {
    this.end();
    queueMicrotask(() => this.peer.end());
  }

  private end(): void {
    if (this.closed) return;
    this.closed = true;
    for (const listener of this.closeListeners.splice(0)) listener();
  }
}
