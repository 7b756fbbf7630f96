/**
 * Paladin's `fold`: reduces inputs with an associative operation run on workers, combining only
 * adjacent ranges (left before right), so the operation need not be commutative. Inputs may be a
 * list or a running map directive, whose results arrive in any order. Zero inputs give the
 * monoid's empty value and one input gives itself: neither sends a task.
 */
import type { DirectiveBackend } from './backend';
import { DirectiveOptions, DirectiveTasks } from './directiveTasks';
import type { MapDirective } from './map';
import type { Monoid } from './operation';

/** A result covering inputs [start, end). */
interface Range<T> {
  start: number;
  end: number;
  value: T;
}

export interface FoldResult<T> {
  value: T;
  /** The ranges combined, in the order their tasks were issued: [[left, right], ...]. */
  combined: [string, string][];
  /** Results ignored (duplicates, late). */
  ignoredResults: number;
}

export async function fold<T>(
  backend: DirectiveBackend,
  monoid: Monoid<T>,
  inputs: readonly T[] | MapDirective<unknown, T>,
  options: DirectiveOptions = {},
): Promise<FoldResult<T>> {
  const count = Array.isArray(inputs) ? inputs.length : (inputs as MapDirective<unknown, T>).size;
  if (count === 0) return { value: monoid.empty, combined: [], ignoredResults: 0 };
  if (count === 1) {
    if (Array.isArray(inputs)) return { value: inputs[0], combined: [], ignoredResults: 0 };
    for await (const { output } of inputs as MapDirective<unknown, T>) return { value: output, combined: [], ignoredResults: 0 };
  }

  const byStart = new Map<number, Range<T>>();
  const byEnd = new Map<number, Range<T>>();
  const combined: [string, string][] = [];
  let settle!: { resolve(value: T): void; reject(error: Error): void };
  const done = new Promise<T>((resolve, reject) => (settle = { resolve, reject }));

  const tasks = new DirectiveTasks(
    backend,
    options,
    (key, output) => {
      const [start, end] = key.split('-').map(Number);
      arrive({ start, end, value: output as T });
    },
    (error) => settle.reject(error),
  );

  /** A range is ready: combine it with a ready neighbour, or keep it until one comes. */
  function arrive(range: Range<T>): void {
    if (range.start === 0 && range.end === count) {
      tasks.end();
      settle.resolve(range.value);
      return;
    }
    const right = byStart.get(range.end);
    const left = byEnd.get(range.start);
    const pair = right ? ([range, right] as const) : left ? ([left, range] as const) : undefined;
    if (!pair) {
      byStart.set(range.start, range);
      byEnd.set(range.end, range);
      return;
    }
    const neighbour = pair[0] === range ? pair[1] : pair[0];
    byStart.delete(neighbour.start);
    byEnd.delete(neighbour.end);
    combined.push([`${pair[0].start}-${pair[0].end}`, `${pair[1].start}-${pair[1].end}`]);
    tasks.issue(`${pair[0].start}-${pair[1].end}`, monoid.name, [pair[0].value, pair[1].value]);
  }

  if (Array.isArray(inputs)) {
    inputs.forEach((value, index) => arrive({ start: index, end: index + 1, value }));
  } else {
    void (async () => {
      try {
        for await (const { index, output } of inputs as MapDirective<unknown, T>) arrive({ start: index, end: index + 1, value: output });
      } catch (error) {
        tasks.end();
        settle.reject(error as Error);
      }
    })();
  }
  const value = await done;
  return { value, combined, ignoredResults: tasks.ignoredResults };
}
