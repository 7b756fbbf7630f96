/** A Coq document whose check is still running when a test acts: `forever` (line 4) takes days. */
export const SLOW_V = `Lemma quick : True.
Proof. exact I. Qed.

Lemma forever : True.
Proof. do 1000000 do 1000000 idtac. exact I. Qed.
`;
