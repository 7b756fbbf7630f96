/**
 * `npm run bench:pool`: how fast trivial tasks go through the pool with 2 worker processes, next to
 * the physical floor measured in the same run: a bare JSON-RPC round trip over the same kind of
 * channel (fd 3, one message per line) to 2 processes that echo, with nothing of the pool in
 * between. Rounds alternate floor and pool so that the machine's noise hits both alike; medians.
 *
 *   node out/test/bench/poolBench.entry.js [--tasks N] [--rounds N] [--json FILE]
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { dirname, join } from 'node:path';
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
    const child = spawn(process.execPath, [fixture('bareEcho')], { stdio: ['ignore', 'ignore', 'inherit', 'pipe'] });
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

async function floorRound(channels: BareChannel[], tasks: number): Promise<number> {
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

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function main(): Promise<void> {
  const tasks = option('tasks', 20_000);
  const rounds = option('rounds', 5);
  const channels = Array.from({ length: WORKERS }, () => BareChannel.open());
  const pool = new Pool<number, number, unknown, null>({
    size: WORKERS,
    policy: trivialPolicy,
    spawn: (name) => WorkerProcess.spawn(name, { args: [fixture('echo')] }),
  });
  // Warm up both paths (JIT, process start) before measuring.
  await floorRound(channels, 2000);
  await poolRound(pool, 2000);
  const floor: number[] = [];
  const pooled: number[] = [];
  for (let round = 0; round < rounds; round++) {
    // Alternate which goes first, so drift in the machine's load does not favour one.
    if (round % 2 === 0) {
      floor.push(await floorRound(channels, tasks));
      pooled.push(await poolRound(pool, tasks));
    } else {
      pooled.push(await poolRound(pool, tasks));
      floor.push(await floorRound(channels, tasks));
    }
  }
  await pool.destroy();
  await Promise.all(channels.map((channel) => channel.close()));

  const perTask = (seconds: number) => (seconds / tasks) * 1e6;
  const floorUs = median(floor.map(perTask));
  const poolUs = median(pooled.map(perTask));
  const ratios = pooled.map((seconds, i) => seconds / floor[i]);
  const result = {
    workers: WORKERS,
    tasksPerRound: tasks,
    rounds,
    floor: { usPerTask: floorUs, tasksPerSecond: 1e6 / floorUs },
    pool: { usPerTask: poolUs, tasksPerSecond: 1e6 / poolUs },
    overheadUsPerTask: poolUs - floorUs,
    ratioToFloor: median(ratios),
    ratioPerRound: ratios,
  };
  const fmt = (n: number, digits = 1) => n.toFixed(digits);
  console.log(`pool benchmark: ${tasks} trivial tasks per round, ${rounds} rounds, ${WORKERS} worker processes (medians)`);
  console.log(`  bare JSON-RPC round trip (floor): ${fmt(floorUs)} µs/task  ${fmt(result.floor.tasksPerSecond, 0)} tasks/s`);
  console.log(`  pool:                             ${fmt(poolUs)} µs/task  ${fmt(result.pool.tasksPerSecond, 0)} tasks/s`);
  console.log(`  pool / floor: ${fmt(result.ratioToFloor, 2)}× (per round: ${ratios.map((r) => fmt(r, 2)).join(', ')}); overhead ${fmt(result.overheadUsPerTask)} µs/task`);
  const json = process.argv.includes('--json') ? process.argv[process.argv.indexOf('--json') + 1] : join(__dirname, '..', '..', 'bench', 'pool.json');
  mkdirSync(dirname(json), { recursive: true });
  writeFileSync(json, JSON.stringify(result, null, 2) + '\n');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
