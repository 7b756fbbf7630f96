/**
 * Goals as the user reads them: hypotheses, a bar, the conclusion (CoqIDE's goals panel, coqtop's
 * `Show`), and as a diagnostic's related information, where a failure shows the goals it met.
 */
import type { DiagnosticRelatedInformation, Location } from 'vscode-languageserver';
import type { ProofGoal, ProofGoals } from '../../../protocol/coqTasks';

/** The bar coqtop prints between hypotheses and conclusion. */
const BAR = '============================';

export function goalText(goal: ProofGoal): string {
  return [...goal.hypotheses, BAR, goal.conclusion].join('\n');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "1 unfocused, 1 given up": the goals outside the focus. */
function outsideFocus(goals: ProofGoals): string {
  const counts = [[goals.unfocused, 'unfocused'], [goals.shelved, 'shelved'], [goals.givenUp, 'given up']] as const;
  return counts.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}`).join(', ');
}

/** "2 goals", "no focused goal (1 unfocused, 1 given up)". */
export function goalsSummary(goals: ProofGoals): string {
  const focused = goals.goals.length === 0 ? 'no focused goal' : plural(goals.goals.length, 'goal');
  const others = outsideFocus(goals);
  return others ? `${focused} (${others})` : focused;
}

/** The whole panel as text: every focused goal with its hypotheses, numbered when there are several. */
export function goalsText(goals: ProofGoals | null): string {
  if (!goals) return 'No proof is open here.';
  const parts = [goalsSummary(goals)];
  goals.goals.forEach((goal, i) => {
    const name = goal.name ? ` [${goal.name}]` : '';
    parts.push(`goal ${i + 1}/${goals.goals.length}${name}\n${goalText(goal)}`);
  });
  return parts.join('\n\n');
}

/** The goals before a failing sentence, one entry per focused goal, each pointing at that sentence. */
export function relatedGoals(goals: ProofGoals | null, location: Location): DiagnosticRelatedInformation[] {
  if (!goals) return [];
  const others = outsideFocus(goals);
  if (goals.goals.length === 0) return [{ location, message: `No focused goal before this sentence${others ? ` (${others})` : ''}.` }];
  return goals.goals.map((goal, i) => ({
    location,
    message: `Goal ${i + 1}/${goals.goals.length} before this sentence${i === 0 && others ? ` (also ${others})` : ''}:\n${goalText(goal)}`,
  }));
}
