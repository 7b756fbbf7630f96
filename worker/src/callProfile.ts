/**
 * Time spent per coqidetop call kind, for finding where a check's time goes. Off unless
 * PROOFPOOL_PROFILE names a file; each worker then rewrites `<file>.<pid>` with its totals
 * ({call: [count, ms]}) a few times a second, because workers are killed rather than asked to exit.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.PROOFPOOL_PROFILE;
const totals: Record<string, [number, number]> = {};
if (file) setInterval(() => writeFileSync(`${file}.${process.pid}`, JSON.stringify(totals)), 200).unref();

export function noteCall(name: string, ms: number): void {
  if (!file) return;
  const total = (totals[name] ??= [0, 0]);
  total[0]++;
  total[1] += ms;
}
