(* Checks only with the flags of ../_CoqProject: it names itself Demo.Stacks. *)
Require Import List.
Import ListNotations.

Definition stack := list nat.
Definition push (x : nat) (s : stack) : stack := x :: s.
Definition pop (s : stack) : option (nat * stack) :=
  match s with [] => None | x :: rest => Some (x, rest) end.

Lemma pop_push : forall x s, pop (push x s) = Some (x, s).
Proof. reflexivity. Qed.

(* The fully qualified name resolves only when the -R flag of _CoqProject is used. *)
Lemma pop_push_again : forall x s, Demo.Stacks.pop (Demo.Stacks.push x s) = Some (x, s).
Proof. intros. apply pop_push. Qed.
