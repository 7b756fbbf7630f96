(* A small document that checks: every proof is delegated to a worker. *)
Require Import Arith List Lia.
Import ListNotations.

Fixpoint sum (l : list nat) : nat :=
  match l with
  | [] => 0
  | x :: rest => x + sum rest
  end.

Lemma sum_app : forall l1 l2, sum (l1 ++ l2) = sum l1 + sum l2.
Proof.
  induction l1 as [| x l1 IH]; intros l2; simpl.
  - reflexivity.
  - rewrite IH. apply Nat.add_assoc.
Qed.

Lemma sum_rev : forall l, sum (rev l) = sum l.
Proof.
  induction l as [| x l IH]; simpl.
  - reflexivity.
  - rewrite sum_app, IH. simpl. lia.
Qed.

Theorem sum_repeat : forall n k, sum (repeat k n) = n * k.
Proof.
  induction n as [| n IH]; intros k; simpl.
  - reflexivity.
  - rewrite IH. reflexivity.
Qed.
