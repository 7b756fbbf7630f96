/**
 * Where checking can go on inside a proof after one of its sentences failed: Coq's own error
 * resilience (`-async-proofs-tac-error-resilience`) works on proof blocks, and so does this. A
 * failure inside a bullet or a `{ }` block gives up that block's goals (`all: admit.` on the state
 * before the failing sentence) and goes on at the sentence that ends the block: the next bullet of
 * that level or of an enclosing one, or the closing `}`. The rest of the failing block is skipped:
 * its later sentences were written for a state Coq never reached, and checking them would only
 * report consequences of the first error. A failure outside any block leaves nothing to go on with.
 */

/** The sentence that gives up the goals of the block holding a failure. */
export const GIVE_UP_BLOCK = 'all: admit.';

type Delimiter = { kind: 'bullet'; bullet: string } | { kind: 'open' } | { kind: 'close' } | undefined;

/** `-`, `++`, `***`... ; `{`, `2: {`, `[G]: {` ; `}` — as the sentence splitter cuts them. */
function delimiter(text: string): Delimiter {
  if (/^(?:-+|\++|\*+)$/.test(text)) return { kind: 'bullet', bullet: text };
  if (text === '}') return { kind: 'close' };
  if (/^(?:(?:\d+|\[[A-Za-z][\w']*\])\s*:\s*)?\{$/.test(text)) return { kind: 'open' };
  return undefined;
}

type Frame = { kind: 'brace' } | { kind: 'bullet'; bullet: string };

/** The bullets open at the innermost brace level, innermost last. */
function bulletsOfLevel(stack: readonly Frame[]): string[] {
  const bullets: string[] = [];
  for (let i = stack.length - 1; i >= 0 && stack[i].kind === 'bullet'; i--) bullets.unshift((stack[i] as { bullet: string }).bullet);
  return bullets;
}

/** Coq's bullet semantics: a bullet already open at this level ends that block (and those inside it) and starts a sibling. */
function enter(stack: Frame[], d: Delimiter): void {
  if (!d) return;
  if (d.kind === 'open') stack.push({ kind: 'brace' });
  else if (d.kind === 'close') {
    const brace = stack.map((f) => f.kind).lastIndexOf('brace');
    if (brace >= 0) stack.length = brace;
  } else {
    const level = stack.length - bulletsOfLevel(stack).length;
    const sibling = stack.findIndex((f, i) => i >= level && f.kind === 'bullet' && f.bullet === d.bullet);
    if (sibling >= 0) stack.length = sibling;
    stack.push({ kind: 'bullet', bullet: d.bullet });
  }
}

/**
 * `body` holds the texts of a proof's sentences after its statement, the closing sentence (`Qed.`)
 * last. After a failure of `body[failing]`, the index in `body` where checking resumes once the
 * failing block's goals are given up (that of a failing bullet or `}` itself: giving up the goals
 * left in the block before it is what lets it pass), or undefined when there is no enclosing block.
 */
export function resumeAfterFailure(body: readonly string[], failing: number): number | undefined {
  const close = body.length - 1;
  if (failing >= close) return undefined;
  const stack: Frame[] = [];
  for (let i = 0; i < failing; i++) enter(stack, delimiter(body[i]));
  if (stack.length === 0) return undefined;
  const failed = delimiter(body[failing]);
  if (failed?.kind === 'bullet' || failed?.kind === 'close') return failing;
  // A failing `{` opened nothing: its own `}` is skipped with it.
  let depth = failed?.kind === 'open' ? 1 : 0;
  const top = stack[stack.length - 1];
  const ending = top.kind === 'bullet' ? new Set(bulletsOfLevel(stack)) : undefined;
  for (let i = failing + 1; i < close; i++) {
    const d = delimiter(body[i]);
    if (d?.kind === 'open') depth++;
    else if (d?.kind === 'close') {
      if (depth === 0) return i;
      depth--;
    } else if (d?.kind === 'bullet' && depth === 0 && ending?.has(d.bullet)) return i;
  }
  // The block runs to the end of the proof (the last bullet): the closing sentence comes next.
  return top.kind === 'bullet' && depth === 0 ? close : undefined;
}
