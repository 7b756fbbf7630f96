/** Reading what Coq prints, where the worker needs facts from it. */

/** "The proof of foo should start with one of the following commands:\nProof using H. \nProof using Type*." — the first is the tightest. */
const PROOF_USING_SUGGESTION = /should start with one of the following commands:\s*(Proof using[^\n]*?\.)(?:\s|$)/;

/** The `Proof using ...` sentence Coq suggests in this message (under `Suggest Proof Using`), if it is one. */
export function proofUsingSuggestion(message: string): string | undefined {
  return PROOF_USING_SUGGESTION.exec(message.replace(/\u00a0/g, ' '))?.[1];
}
