/** Coq's answer to `Goal`, in the shape the server and the editor use (protocol/coqTasks.ts ProofGoals). */
import type { ProofGoals } from '../../protocol/coqTasks';
import type { CoqGoals } from './coqidetop';

/** undefined (no proof open) becomes null, which survives JSON. */
export function toProofGoals(goals: CoqGoals | undefined): ProofGoals | null {
  if (!goals) return null;
  return {
    goals: goals.goals.map((g) => (g.name ? { name: g.name, hypotheses: g.hypotheses, conclusion: g.conclusion } : { hypotheses: g.hypotheses, conclusion: g.conclusion })),
    unfocused: goals.backgroundCount,
    shelved: goals.shelvedCount,
    givenUp: goals.givenUpCount,
  };
}
