/**
 * `npm run bench:pool`: how fast trivial tasks go through the pool with 2 worker processes, next to
 * the physical floor measured in the same run: a bare JSON-RPC round trip over the same kind of
 * channel (fd 3, one message per line) to 2 processes that echo, with nothing of the pool in
 * between; its processes are started the way the pool starts workers (detached: a process group,
 * and a session, of their own). Short rounds rotate floor, pool and reference so that the machine's
 * noise hits all alike; medians, best rounds, and CPU time per task.
 * A reference row shows the same echo through vscode-jsonrpc's MessageConnection, which the pool
 * does not use on this path (see server/src/pool/rpc/endpoint.ts).
 *
 *   node out/test/bench/poolBench.entry.js [--tasks N] [--rounds N] [--json FILE]
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { createMessageConnection, MessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { Pool } from '../../server/src/pool/pool';
import type { Policy } from '../../server/src/pool/policy';
import { WorkerProcess } from '../../server/src/pool/workerProcess';

const WORKERS = 2;

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

function fixture(name: string): string {
  return join(__dirname, '..', 'fixtures', 'workers', `${name}.fixture.js`);
}

/** A bare JSON-RPC client: one request at a time per process, ids, one message per line. */
class BareChannel {
  private readonly pending = new Map<number, (result: unknown) => void>();
  private nextId = 1;
  private buffer = '';

  constructor(
    readonly child: ChildProcess,
    private readonly socket: Socket,
  ) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      for (let end = this.buffer.indexOf('\n'); end >= 0; end = this.buffer.indexOf('\n')) {
        const message = JSON.parse(this.buffer.slice(0, end));
        this.buffer = this.buffer.slice(end + 1);
        const resolve = this.pending.get(message.id)!;
        this.pending.delete(message.id);
        resolve(message.result);
      }
    });
  }

  static open(): BareChannel {
    const child = spawn(process.execPath, [fixture('bareEcho')], { stdio: ['ignore', 'ignore', 'inherit', 'pipe'], detached: true });
    return new BareChannel(child, child.stdio[3] as Socket);
  }

  call(taskId: number, request: unknown): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.socket.write(JSON.stringify({ jsonrpc: '2.0', id, method: 'pool/run', params: { taskId, request } }) + '\n');
    });
  }

  close(): Promise<unknown> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.socket.end();
    return exited;
  }
}

/** The reference: the same round trip through vscode-jsonrpc's MessageConnection. */
class VscodeJsonrpcChannel {
  private constructor(
    readonly child: ChildProcess,
    private readonly connection: MessageConnection,
  ) {}

  static open(): VscodeJsonrpcChannel {
    const child = spawn(process.execPath, [fixture('vscodeJsonrpcEcho')], { stdio: ['ignore', 'ignore', 'inherit', 'pipe'], detached: true });
    const socket = child.stdio[3] as Socket;
    const connection = createMessageConnection(new StreamMessageReader(socket), new StreamMessageWriter(socket));
    connection.listen();
    return new VscodeJsonrpcChannel(child, connection);
  }

  call(taskId: number, request: unknown): Promise<unknown> {
    return this.connection.sendRequest('pool/run', { taskId, request });
  }

  close(): Promise<unknown> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.connection.dispose();
    this.child.stdio[3]!.destroy();
    return exited;
  }
}

async function floorRound(channels: { call(taskId: number, request: unknown): Promise<unknown> }[], tasks: number): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    channels.map(async (channel) => {
      while (next < tasks) {
        const n = next++;
        await channel.call(n, n);
      }
    }),
  );
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const trivialPolicy: Policy<number, number, unknown, null> = {
  requestOfTask: (_status, task) => task,
  taskMatch: () => true,
  useResponse: () => ({ stay: null }),
  nameOfTask: (task) => `task ${task}`,
};

async function poolRound(pool: Pool<number, number, unknown, null>, tasks: number): Promise<number> {
  const started = process.hrtime.bigint();
  const handles = [];
  for (let n = 0; n < tasks; n++) handles.push(pool.submit(n).done);
  const outcomes = await Promise.all(handles);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (outcomes.some((outcome, n) => !outcome.ok || outcome.response !== n)) throw new Error('a task came back wrong');
  return seconds;
}

/** CPU seconds (user + system) a process has used so far, from /proc; 0 where unreadable. */
function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function main(): Promise<void> {
  const tasks = option('tasks', 5000);
  const rounds = option('rounds', 15);
  const channels = Array.from({ length: WORKERS }, () => BareChannel.open());
  const reference = Array.from({ length: WORKERS }, () => VscodeJsonrpcChannel.open());
  const pool = new Pool<number, number, unknown, null>({
    size: WORKERS,
    policy: trivialPolicy,
    spawn: (name) => WorkerProcess.spawn(name, { args: [fixture('echo')] }),
  });
  const contestants = {
    floor: () => floorRound(channels, tasks),
    pool: () => poolRound(pool, tasks),
    reference: () => floorRound(reference, tasks),
  };
  type Name = keyof typeof contestants;
  const names = Object.keys(contestants) as Name[];
  const seconds: Record<Name, number[]> = { floor: [], pool: [], reference: [] };
  // CPU time is much less at the mercy of the machine's load than wall time: count it too, this
  // process and its two workers together.
  const cpu: Record<Name, { here: number; workers: number }> = { floor: { here: 0, workers: 0 }, pool: { here: 0, workers: 0 }, reference: { here: 0, workers: 0 } };
  const workerPids: Record<Name, () => number[]> = {
    floor: () => channels.map((c) => c.child.pid!),
    pool: () => pool.workers().map((w) => w.pid),
    reference: () => reference.map((c) => c.child.pid!),
  };
  const measure = async (name: Name) => {
    const pids = workerPids[name]();
    const workersBefore = pids.reduce((sum, pid) => sum + cpuSecondsOf(pid), 0);
    const hereBefore = process.cpuUsage();
    const took = await contestants[name]();
    const here = process.cpuUsage(hereBefore);
    cpu[name].here += (here.user + here.system) / 1e6;
    cpu[name].workers += pids.reduce((sum, pid) => sum + cpuSecondsOf(pid), 0) - workersBefore;
    return took;
  };
  // Warm up every path (JIT, process start) before measuring, with both pool workers up.
  for (const name of names) await contestants[name]();
  while (pool.workers().filter((w) => w.state === 'idle').length < WORKERS) await new Promise((resolve) => setTimeout(resolve, 10));
  // Many short rounds, each running all three back to back in a rotating order: the machine's
  // noise comes and goes, and a round's ratio compares runs made within a second of each other.
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length];
      seconds[name].push(await measure(name));
    }
  }
  await pool.destroy();
  await Promise.all([...channels, ...reference].map((channel) => channel.close()));

  const usPerTask = (list: number[]) => list.map((s) => (s / tasks) * 1e6);
  const summary = (name: Name) => {
    const times = usPerTask(seconds[name]);
    const ratios = seconds[name].map((s, i) => s / seconds.floor[i]);
    return {
      medianUsPerTask: median(times),
      bestUsPerTask: Math.min(...times),
      tasksPerSecond: 1e6 / median(times),
      medianRatioToFloor: median(ratios),
      usPerTaskPerRound: times.map((t) => Math.round(t * 10) / 10),
      cpuUsPerTask: {
        here: (cpu[name].here / (tasks * rounds)) * 1e6,
        workers: (cpu[name].workers / (tasks * rounds)) * 1e6,
      },
    };
  };
  const result = {
    workers: WORKERS,
    tasksPerRound: tasks,
    rounds,
    floor: summary('floor'),
    pool: summary('pool'),
    vscodeJsonrpcReference: summary('reference'),
  };
  const fmt = (n: number, digits = 1) => n.toFixed(digits);
  const row = (label: string, name: Name) => {
    const r = result[name === 'reference' ? 'vscodeJsonrpcReference' : name];
    const ratio = name === 'floor' ? '' : `  ${fmt(r.medianRatioToFloor, 2)}× the floor (median of rounds)`;
    const cpuUs = `CPU ${fmt(r.cpuUsPerTask.here)} + ${fmt(r.cpuUsPerTask.workers)} µs/task`;
    return `  ${label.padEnd(34)} ${fmt(r.medianUsPerTask).padStart(6)} µs/task (best ${fmt(r.bestUsPerTask)})  ${fmt(r.tasksPerSecond, 0).padStart(6)} tasks/s  ${cpuUs}${ratio}`;
  };
  console.log(`pool benchmark: ${rounds} rounds of ${tasks} trivial tasks, ${WORKERS} worker processes, medians`);
  console.log(row('bare JSON-RPC round trip (floor)', 'floor'));
  console.log(row('pool', 'pool'));
  console.log(row('reference: vscode-jsonrpc echo', 'reference'));
  console.log(`  pool overhead: ${fmt(result.pool.medianUsPerTask - result.floor.medianUsPerTask)} µs/task over the floor`);
  const json = process.argv.includes('--json') ? process.argv[process.argv.indexOf('--json') + 1] : join(__dirname, '..', '..', 'bench', 'pool.json');
  mkdirSync(dirname(json), { recursive: true });
  writeFileSync(json, JSON.stringify(result, null, 2) + '\n');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
