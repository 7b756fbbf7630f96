(* A document with one failing proof: ProofPool reports the failing tactic, the other proofs still check. *)
Require Import Arith.

Lemma add_zero : forall n, n + 0 = n.
Proof.
  intros n. rewrite Nat.add_0_r. reflexivity.
Qed.

Lemma add_comm_wrong : forall n m, n + m = m + n.
Proof.
  intros n m. reflexivity.
Qed.

Lemma mul_one : forall n, n * 1 = n.
Proof.
  intros n. apply Nat.mul_1_r.
Qed.
