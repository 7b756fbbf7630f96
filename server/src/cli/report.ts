/** What `proofpool check` prints: gcc-style problem lines and a summary, or the same as JSON. */
import { Diagnostic, DiagnosticSeverity } from 'vscode-languageserver';
import type { ProofCounts } from '../../../protocol/lsp';
import type { DocumentResult } from './serverSession';

export interface Report {
  results: (DocumentResult & { file: string })[];
  seconds: number;
}

const SEVERITY: Record<DiagnosticSeverity, string> = {
  [DiagnosticSeverity.Error]: 'error',
  [DiagnosticSeverity.Warning]: 'warning',
  [DiagnosticSeverity.Information]: 'info',
  [DiagnosticSeverity.Hint]: 'hint',
};

function totals(report: Report): ProofCounts {
  const sum: ProofCounts = { total: 0, checked: 0, failed: 0, timedOut: 0, unchecked: 0 };
  for (const { finished } of report.results) {
    for (const key of Object.keys(sum) as (keyof ProofCounts)[]) sum[key] += finished.proofs[key];
  }
  return sum;
}

/** Problems only: Coq's informational output (Check, Print...) is for the editor. */
function problems(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error || d.severity === DiagnosticSeverity.Warning);
}

export function formatText(report: Report): string {
  const lines: string[] = [];
  for (const { file, diagnostics } of report.results) {
    for (const d of problems(diagnostics)) {
      const [first, ...more] = d.message.split('\n');
      lines.push(`${file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${SEVERITY[d.severity!]}: ${first}`);
      for (const line of more) lines.push(`  ${line}`);
    }
  }
  const p = totals(report);
  const workers = report.results[0]?.finished.workers ?? 0;
  const extra = [p.timedOut ? `${p.timedOut} timed out` : '', p.unchecked ? `${p.unchecked} not reached` : ''].filter(Boolean);
  lines.push(
    `${p.total} proofs: ${p.checked} checked, ${p.failed} failed${extra.map((e) => `, ${e}`).join('')} in ${report.seconds.toFixed(1)} s on ${workers} workers`,
  );
  return lines.join('\n');
}

export function formatJson(report: Report): string {
  return JSON.stringify({
    files: report.results.map(({ file, diagnostics, finished }) => ({
      file,
      proofs: finished.proofs,
      durationMs: finished.durationMs,
      problems: diagnostics.map((d) => ({
        line: d.range.start.line + 1,
        column: d.range.start.character + 1,
        endLine: d.range.end.line + 1,
        endColumn: d.range.end.character + 1,
        severity: SEVERITY[d.severity ?? DiagnosticSeverity.Error],
        message: d.message,
      })),
    })),
    proofs: totals(report),
    seconds: report.seconds,
    workers: report.results[0]?.finished.workers ?? 0,
  });
}
