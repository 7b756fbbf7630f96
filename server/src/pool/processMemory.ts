/**
 * Resident memory of whole process groups, read from /proc (Linux). A worker leads its own group,
 * so its group's memory is the worker plus the coqidetop it started.
 */
import { readdirSync, readFileSync } from 'node:fs';

const PAGE_SIZE = 4096;

/** Bytes resident per process-group id, for the groups asked about; 0 where /proc is unreadable. */
export function groupResidentBytes(groups: number[]): Map<number, number> {
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
