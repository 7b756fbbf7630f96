/**
 * What the server's Coq proof policy and a Coq worker say to each other inside the pool's
 * generic messages (protocol/pool.ts): the requests, responses and feedback of proof tasks.
 */

/** Handshake options: how the worker starts coqidetop. */
export interface CoqWorkerOptions {
  coqidetopPath: string;
}

/** What a Coq worker reports in its handshake. */
export interface CoqWorkerInfo {
  /** The coqidetop program it runs, found on PATH unless given as a path. */
  coqidetop: string;
}

/** Where a chain of sentences starts: a coqidetop started with these flags in this folder. */
export interface CoqRoot {
  args: string[];
  cwd: string;
  /** Identifies args + cwd; a worker whose coqidetop has another key restarts it. */
  key: string;
}

export interface ChainSentence {
  text: string;
  /** Hash of this sentence and every sentence before it in the chain (and the root). */
  hash: string;
}

/** Server → worker: rewind to `keep` sentences of your chain, then add and execute `sentences` in order. */
export interface CheckRequest {
  root: CoqRoot;
  keep: number;
  sentences: ChainSentence[];
  /** Report whether a proof is still open after the last sentence (Coq refuses to end a file inside one). */
  reportOpenProof: boolean;
  /** Sentences from chain index `from` on (a proof's body) must execute within `ms`, or be stopped. */
  timeLimit?: { from: number; ms: number };
  /**
   * For a proof's own task: when every sentence ran and nothing failed, the links from `from` on
   * (the proof's body) stand for the proof's stand-in (`links` links, each holding the state after
   * `Qed.`): the lemma is as good as its stand-in to whatever follows, so the worker walks on from
   * there instead of going back to the statement.
   */
  standIn?: { from: number; links: number };
  /** After the last sentence, report the goals there (a goals query, or the goals before a failing sentence). */
  goals?: boolean;
}

export interface CoqByteRange {
  /** UTF-8 byte offsets inside the sentence text. */
  start: number;
  end: number;
}

export interface CheckFailure {
  /** Index in the chain (kept sentences count) of the sentence that failed. */
  index: number;
  message: string;
  loc?: CoqByteRange;
}

export interface CheckResponse {
  /** How many sentences of the request's chain the worker now holds, kept ones included. */
  chainLength: number;
  failure?: CheckFailure;
  /** The run stopped early because the server interrupted it. */
  interrupted?: boolean;
  /** The sentences under `timeLimit` ran out of time and were stopped (interrupt, then SIGTERM, then SIGKILL). */
  timedOut?: boolean;
  openProof?: boolean;
  /**
   * For a proof in a Section closed by `Qed.`: the `Proof using ...` sentence naming the section
   * variables it used (Coq's own suggestion), so that a stand-in `Admitted.` keeps its statement after `End`.
   */
  proofUsing?: string;
  /** The body was replaced by its stand-in's links (request.standIn); chainLength counts those. */
  collapsed?: boolean;
  /** When the request asked for `goals` and every sentence ran: the goals after the last one; null when no proof is open there. */
  goals?: ProofGoals | null;
}

/** One goal as Coq prints it: each hypothesis (`n, m : nat`) and the conclusion, pretty-printed by Coq. */
export interface ProofGoal {
  /** The goal's user-level name (`[G]`), when it has one. */
  name?: string;
  hypotheses: string[];
  conclusion: string;
}

/** The goals at one state of a proof, as Coq's `Goal` call gives them (CoqIDE's goals panel). */
export interface ProofGoals {
  /** The focused goals, in order. */
  goals: ProofGoal[];
  /** Goals outside the current focus (bullets, braces), every level together. */
  unfocused: number;
  shelved: number;
  givenUp: number;
}

/** Worker → server while a request runs: a message Coq printed (warning, notice, Check output...). */
export interface CoqMessage {
  index: number;
  level: 'debug' | 'info' | 'notice' | 'warning' | 'error';
  message: string;
  loc?: CoqByteRange;
}
