// Runs one case: funds its parties, plays its steps in order, checks each step's expectations, and
// classifies the result (§6 outcomes). A case never throws: whatever happens becomes a CaseRun.
import { ChainCallError, ChainClient, type ChainAbilities } from './chain.js';
import { chainAction, revertProblems } from './actions.js';
import { chainProblems } from './checks.js';
import { fuzzStep } from './fuzz-step.js';
import { DEFAULT_TOKENS, Mismatch, CaseAbort, RETRY_MS, TRACE, sleep, type Ctx, type Outcome, type RunEnv } from './context.js';
import { TransportError, type Exchange } from './http.js';
import { observe, preparePay, type PreparedPay } from './requests.js';
import { actionOf, type LoadedCase, type Step } from './types.js';

export type { Outcome, RunEnv } from './context.js';
export { priceOf } from './context.js';

export interface CaseRun {
  outcome: Outcome;
  message?: string;
  /** index and YAML line of the step that decided the outcome */
  step?: number;
  stepLine?: number;
  /** what steps observed beyond pass/fail (a fuzz stream's answers) */
  notes?: string[];
  exchanges: Exchange[];
  chainCalls: string[];
}

/** Where a case is, for the message of a case timeout (the timer cannot ask the case). */
export interface CaseProgress {
  where: string;
  step?: number;
  stepLine?: number;
}

export async function executeCase(c: LoadedCase, env: RunEnv, signal: AbortSignal, progress: CaseProgress = { where: 'setup' }): Promise<CaseRun> {
  env.chain.calls = [];
  const ctx: Ctx = {
    c,
    env,
    signal,
    parties: new Map(),
    channels: new Map(),
    proofs: new Map(),
    snapshots: new Map(),
    startBlock: 0,
    exchanges: [],
    notes: [],
    outageUntil: 0,
  };
  const missing = (c.needs ?? []).filter((p) => !env.parts[p].present);
  if (missing.length > 0) {
    const why = missing.map((p) => `${p} (${env.parts[p].why})`);
    return { outcome: 'unimplemented', message: `optional part absent: ${why.join('; ')}`, exchanges: [], chainCalls: [] };
  }
  const unable = chainCannot(c, env.chain.abilities);
  if (unable.length > 0) {
    return { outcome: 'unimplemented', message: `the chain (${env.chain.abilities.client}) cannot ${unable.join(', ')}`, exchanges: [], chainCalls: [] };
  }
  let index = -1;
  const t00 = Date.now();
  // Whatever the outcome, the next case must not start while this one's chain outage lasts.
  const outageOver = async () => {
    if (ctx.outageUntil > Date.now()) await sleep(ctx.outageUntil - Date.now() + 50);
  };
  try {
    for (const [name, p] of Object.entries(c.parties ?? {})) {
      const key = ChainClient.partyKey(env.salt, c.id, name);
      const wallet = env.chain.wallet(key);
      await env.chain.fund(wallet.address, BigInt(p.tokens ?? Number(DEFAULT_TOKENS)));
      ctx.parties.set(name, { name, role: p.role, key, address: wallet.address, wallet });
    }
    ctx.startBlock = await env.chain.blockNumber();
    if (TRACE) process.stderr.write(`  ${c.id} setup: ${Date.now() - t00} ms\n`);
    for (index = 0; index < c.steps.length; index++) {
      if (signal.aborted) throw new CaseAbort('aborted');
      const t0 = Date.now();
      Object.assign(progress, {
        where: `step ${index + 1} (${actionOf(c.steps[index] as Step)}, line ${c.stepLines[index]})`,
        step: index,
        stepLine: c.stepLines[index],
      });
      await runStep(ctx, c.steps[index] as Step);
      if (TRACE) process.stderr.write(`  ${c.id} step ${index + 1} ${actionOf(c.steps[index] as Step)}: ${Date.now() - t0} ms\n`);
    }
    await outageOver();
    // A passing case keeps what it exchanged too: the report shows it (collapsed) to an
    // implementer comparing a passing exchange with a failing one.
    return { outcome: 'pass', exchanges: ctx.exchanges, chainCalls: env.chain.calls, ...(ctx.notes.length && { notes: ctx.notes }) };
  } catch (err) {
    await outageOver();
    const at = index >= 0 && index < c.steps.length ? { step: index, stepLine: c.stepLines[index] } : {};
    const where = index >= 0 && index < c.steps.length ? `step ${index + 1} (${actionOf(c.steps[index] as Step)}, line ${c.stepLines[index]}): ` : 'setup: ';
    const base = { ...at, exchanges: ctx.exchanges, chainCalls: env.chain.calls, ...(ctx.notes.length && { notes: ctx.notes }) };
    if (signal.aborted) return { outcome: 'error', message: `${where}${typeof signal.reason === 'string' ? signal.reason : 'aborted'}`, ...base };
    if (err instanceof Mismatch) return { outcome: c.level === 'MUST' ? 'fail' : 'warn', message: where + err.message, ...base };
    if (err instanceof ChainCallError)
      return { outcome: c.level === 'MUST' ? 'fail' : 'warn', message: `${where}transaction refused: ${err.message}`, ...base };
    if (err instanceof TransportError) return { outcome: 'error', message: `${where}no usable answer from the target: ${err.message}`, ...base };
    return { outcome: 'error', message: where + (err instanceof Error ? err.message : String(err)), ...base };
  }
}

// ---------------------------------------------------------------------------------------------
// steps

async function runStep(ctx: Ctx, step: Step): Promise<void> {
  const within = step.within !== undefined ? step.within * ctx.env.multiplier : 0;
  const deadline = Date.now() + within;
  const action = actionOf(step);
  if (step.parallel) {
    await Promise.all(step.parallel.map((s) => runStep(ctx, s)));
    return;
  }
  if (step.fuzz) return fuzzStep(ctx, step.fuzz);
  // Steps that change the chain run once; only observations (HTTP, checks) are retried.
  if (!['pay', 'request', 'check', 'coop_close'].includes(action) || (action === 'coop_close' && step.coop_close?.submit)) {
    const reverted = await chainAction(ctx, step);
    const problems = [...revertProblems(step.expect, reverted), ...(await chainProblems(ctx, step.expect))];
    if (problems.length) throw new Mismatch(problems);
    return;
  }
  const prepared = step.pay ? preparePay(ctx, step.pay) : undefined;
  if (step.hold !== undefined) return holdStep(ctx, step, prepared);
  for (let n = 1; ; n++) {
    // Only the last attempt of a retried step goes into the report.
    const { problems, final, sink, callMark } = await attempt(ctx, step, prepared);
    if (problems.length === 0 || final || Date.now() >= deadline || ctx.signal.aborted) ctx.exchanges.push(...sink);
    else ctx.env.chain.calls.length = callMark;
    if (problems.length === 0) return;
    if (final || Date.now() >= deadline || ctx.signal.aborted) throw mismatch(problems, n > 1 ? ` (still so after ${n} attempts over ${within} ms)` : '');
    await sleep(RETRY_MS);
  }
}

/** One observation, with its exchanges kept apart (the caller decides whether they are reported). */
async function attempt(
  ctx: Ctx,
  step: Step,
  prepared: PreparedPay | undefined,
): Promise<{ problems: string[]; final: boolean; sink: Exchange[]; callMark: number }> {
  const sink: Exchange[] = [];
  const callMark = ctx.env.chain.calls.length;
  try {
    return { ...(await observe(ctx, step, prepared, sink)), sink, callMark };
  } catch (err) {
    ctx.exchanges.push(...sink);
    throw err;
  }
}

/** The problems, the last one followed by how long the step had tried. */
function mismatch(problems: string[], note: string): Mismatch {
  return new Mismatch([...problems.slice(0, -1), `${problems[problems.length - 1]}${note}`]);
}

/**
 * `hold`: the same observation, repeated until the time is up, must meet the expectations every
 * time — a refusal that depends on the chain must still be one after the target has polled the
 * chain several times, not only before it had the chance to see the block. Only the last
 * attempt (or the one that broke it) goes into the report, so two runs report the same.
 */
async function holdStep(ctx: Ctx, step: Step, prepared: PreparedPay | undefined): Promise<void> {
  const ms = step.hold === 'polls' ? ctx.env.pollsHoldMs : (step.hold as number) * ctx.env.multiplier;
  const started = Date.now();
  for (let n = 1; ; n++) {
    const { problems, final, sink, callMark } = await attempt(ctx, step, prepared);
    if (problems.length > 0) {
      ctx.exchanges.push(...sink);
      throw mismatch(problems, n > 1 ? ` (after ${n - 1} answer(s) that met it, ${Date.now() - started} ms into a ${Math.round(ms)} ms hold)` : '');
    }
    if (final || Date.now() - started >= ms || ctx.signal.aborted) {
      ctx.exchanges.push(...sink);
      return;
    }
    ctx.env.chain.calls.length = callMark;
    await sleep(RETRY_MS);
  }
}

/** What the case's steps ask of the chain that this chain cannot do. */
function chainCannot(c: LoadedCase, abilities: ChainAbilities): string[] {
  const out = new Set<string>();
  for (const step of c.steps) {
    if (step.reorg !== undefined && !abilities.reorg) out.add('reorganise (no kit_reorg, no anvil_reorg)');
    if (step.outage !== undefined && !abilities.outage) out.add('go away (the target talks to it directly, and it has no kit_outage)');
    if ((step.snapshot !== undefined || step.revert !== undefined) && !abilities.snapshot) out.add('take snapshots (no evm_snapshot)');
  }
  return [...out];
}
