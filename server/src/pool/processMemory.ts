/**
 * Resident memory of whole process groups, read from /proc (Linux). A worker leads its own group,
 * so its group's memory is the worker plus the coqidetop it started.
 *
 * The group of a worker is the worker and its descendants: those are read directly (statm, and
 * the children file of the process's main thread), a few small reads per worker. Scanning every
 * process's stat instead cost the server a fifth of its time on a shared machine with a few
 * hundred processes (it runs every 100 ms while the status bar is fed); it stays as the fallback
 * for kernels without children files.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const PAGE_SIZE = 4096;

/** Bytes resident per process-group id, for the groups asked about (each led by its process); 0 where /proc is unreadable. */
export function groupResidentBytes(groups: number[]): Map<number, number> {
  const totals = new Map<number, number>();
  for (const group of groups) {
    const bytes = treeResidentBytes(group);
    if (bytes === undefined) return scanGroups(groups);
    totals.set(group, bytes);
  }
  return totals;
}

/** The process and its descendants; undefined when this kernel does not list children. */
export function treeResidentBytes(pid: number): number | undefined {
  let total: number;
  let children: string;
  try {
    total = Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * PAGE_SIZE;
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8');
  } catch {
    if (existsSync(`/proc/${pid}/statm`) && !existsSync(`/proc/${pid}/task/${pid}/children`)) return undefined;
    return 0; // it ended while we looked
  }
  for (const child of children.split(' ')) {
    if (child.trim() === '') continue;
    const bytes = treeResidentBytes(Number(child));
    if (bytes === undefined) return undefined;
    total += bytes;
  }
  return total;
}

/** Every process's stat, grouped: the slow way, for kernels without children files (exported for its test). */
export function scanGroups(groups: number[]): Map<number, number> {
  const wanted = new Set(groups);
  const totals = new Map<number, number>(groups.map((g) => [g, 0]));
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return totals;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name, which may hold spaces and parentheses: state ppid pgrp ...
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const group = Number(fields[2]);
      if (!wanted.has(group)) continue;
      const rssPages = Number(fields[21]);
      totals.set(group, totals.get(group)! + rssPages * PAGE_SIZE);
    } catch {
      // The process ended while we looked.
    }
  }
  return totals;
}
