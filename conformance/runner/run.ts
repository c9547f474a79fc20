// A conformance run: chain (own or given), target (launched or given), the selected cases one
// after another (sequential on purpose: block numbers, and so every signature, are then the same
// in every run), progress lines, and the results for the reporters.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ChainClient } from './chain.js';
import { progressLine } from './console.js';
import { HOLD_FLOOR_MS, HOLD_POLLS } from './context.js';
import { executeCase, type CaseProgress, type CaseRun, type Outcome, type RunEnv } from './execute.js';
import { hintsFor, startHint } from './hints.js';
import { maskExchange, type Mask, portMask } from './ports.js';
import { probeParts, type PartProbe } from './probe.js';
import { startRelay, type Relay } from './relay.js';
import { externalTarget, freePort, launchedTarget, TargetStartError, type Target } from './target.js';
import { targetEnvironment } from '../../src/sim/env.js';
import type { Address, Hex } from '../../src/protocol/types.js';
import { PACKAGE_VERSION } from '../../src/package.js';
import type { CaseResult, RunResult, StartFailure } from './results.js';
import type { LoadedCase, OptionalPart } from './types.js';

export interface RunOptions {
  cases: LoadedCase[];
  /** shell command that starts the target with the §6 environment */
  targetCmd?: string;
  /** URL of a running target (then rpcUrl is required) */
  targetUrl?: string;
  /** the chain: the target's (with targetUrl), or one to run on instead of the runner's own */
  rpcUrl?: string;
  /** a funded key for a chain that is not the kit's: it deploys the contracts */
  deployerKey?: string;
  confirmations: number;
  pollIntervalMs: number;
  multiplier: number;
  caseTimeoutMs: number;
  strict: boolean;
  expectedFailures: Map<string, string>;
  /** extra environment for a launched target (e.g. URAIDEN_FAULT for self-tests) */
  targetEnv?: Record<string, string>;
  verbose?: boolean;
  progress?: (line: string) => void;
  /** ANSI colours in the progress lines (the CLI sets it for a terminal only) */
  color?: boolean;
  /** aborted on Ctrl-C: the run stops after cleaning up */
  signal?: AbortSignal;
  /** stop at the first case that fails the run (`--bail`): the cases after it are not run */
  bail?: boolean;
}

/** The chain: the runner's own deterministic one, or the one at `rpcUrl` (the kit's or any other). */
async function openChain(opts: RunOptions): Promise<{ url: string; own: boolean; close: () => Promise<void> }> {
  if (opts.rpcUrl) return { url: opts.rpcUrl, own: false, close: async () => {} };
  // Imported lazily: a run against another chain never loads ganache.
  const { startChain } = await import('../../src/sim/index.js');
  // The chain's own named senders are not used (each case derives its own parties): one, unfunded.
  const chain = await startChain({ senders: 1, tokensPerSender: 0n });
  const server = await chain.listen(0);
  return {
    url: server.url,
    own: true,
    close: async () => {
      await server.close();
      await chain.close();
    },
  };
}

export async function runSuite(opts: RunOptions): Promise<RunResult> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const say = opts.progress ?? (() => {});
  const m = opts.multiplier;
  const chainHandle = await openChain(opts);
  let stateDir: string | undefined;
  let target: Target | undefined;
  let chain: ChainClient | undefined;
  let relay: Relay | undefined;
  const results: CaseResult[] = [];
  let interrupted = false;
  let stoppedAfter: string | undefined;
  let parts: Record<OptionalPart, PartProbe> | undefined;
  let startFailure: StartFailure | undefined;
  try {
    if (opts.targetUrl) {
      chain = await ChainClient.connect(chainHandle.url, { say, requireKit: true });
      target = externalTarget(opts.targetUrl);
    } else {
      if (!opts.targetCmd) throw new Error('either --target-cmd, or --target with --rpc-url');
      // The target reaches the chain through the runner's relay: outages work on any chain.
      relay = await startRelay(chainHandle.url);
      chain = await ChainClient.connect(chainHandle.url, { ...(opts.deployerKey && { deployerKey: opts.deployerKey }), outage: relay.outage, say });
      stateDir = await mkdtemp(path.join(os.tmpdir(), 'uraiden-conformance-'));
      const port = await freePort();
      const environment = targetEnvironment({
        rpcUrl: relay.url,
        chainId: chain.info.chainId,
        contract: chain.contract as Address,
        token: chain.tokenAddress as Address,
        receiverPrivateKey: chain.receiverKey as Hex,
        port,
        stateDir,
        confirmations: opts.confirmations,
        pollIntervalMs: opts.pollIntervalMs,
      });
      target = launchedTarget({
        command: opts.targetCmd,
        env: { ...environment, ...opts.targetEnv },
        port,
        readyTimeoutMs: 30_000 * m,
        stopGraceMs: 3_000 * m,
        atOnceMs: AT_ONCE_MS * m,
        verbose: opts.verbose,
      });
    }
    say(
      `target ${opts.targetUrl ?? opts.targetCmd}, chain ${chainHandle.url} (chain id ${chain.info.chainId}, challenge period ${chain.info.challengePeriod}, ${opts.confirmations} confirmations)`,
    );
    // Warm the in-process chain up on the calls a receiver makes first (a cold ganache can take
    // seconds on its first eth_call/eth_getLogs, and a target may time out on them at start).
    await chain.channelInfo(chain.receiver, chain.receiver, 1).catch(() => undefined);
    await chain.provider.getLogs({ address: chain.contract, fromBlock: 0, toBlock: 'latest' }).catch(() => undefined);
    const mask = portMask([
      { url: relay?.url, name: 'rpc port' },
      { url: chainHandle.own ? chainHandle.url : undefined, name: 'chain port' },
      { url: opts.targetUrl ? undefined : target.baseUrl.toString(), name: 'target port' },
    ]);
    startFailure = await startTarget(target, say);
    if (startFailure) {
      startFailure = { reason: mask(startFailure.reason), output: mask(startFailure.output) };
      // Every case is an error with the reason, so CI still gets its three reports; the output
      // was printed once above and is written once into the reports, not into every case.
      const why = `the target did not start: ${startFailure.reason}${startFailure.output ? ' (its output is shown once, with the run)' : ''}`;
      for (const c of opts.cases) results.push(toResult(c, { outcome: 'error', message: why, exchanges: [], chainCalls: [] }, 0, opts, mask));
      say('every case: error (the target did not start)');
    } else {
      parts = await probeParts(target, 5_000 * m, target.canRestart);
      const yn = (p: PartProbe) => (p.present ? 'yes' : `no (${p.why})`);
      say(`optional parts: echodyn ${yn(parts.echodyn)}, REST API ${yn(parts['rest-api'])}, restart ${yn(parts.restart)}`);
      // On the runner's own fresh chain the salt is constant, so keys and blocks repeat run after
      // run; on a shared chain the head makes the keys fresh (a second run would find old channels).
      const salt = chainHandle.own ? 'own-chain' : `head-${await chain.blockNumber()}`;
      const env: RunEnv = {
        chain,
        target,
        confirmations: opts.confirmations,
        challengePeriod: chain.info.challengePeriod,
        multiplier: m,
        salt,
        httpTimeoutMs: 5_000 * m,
        parts,
        pollsHoldMs: Math.max(HOLD_POLLS * opts.pollIntervalMs, HOLD_FLOOR_MS) * m,
      };
      interrupted = await playCases(opts, env, results, mask);
      const last = results.at(-1);
      if (opts.bail && !interrupted && last && results.length < opts.cases.length && failsRun(last)) stoppedAfter = last.id;
    }
  } finally {
    await target?.stop().catch(() => {});
    chain?.close();
    await relay?.close().catch(() => {});
    await chainHandle.close().catch(() => {});
    if (stateDir) await rm(stateDir, { recursive: true, force: true }).catch(() => {});
  }
  const counts: Record<Outcome, number> = { pass: 0, fail: 0, warn: 0, unimplemented: 0, error: 0 };
  for (const r of results) counts[r.outcome]++;
  const failing = results.filter(failsRun).length;
  return {
    kitVersion: PACKAGE_VERSION,
    target: opts.targetUrl ?? opts.targetCmd ?? '',
    strict: opts.strict,
    ...(parts && { parts }),
    ...(startFailure && { startFailure }),
    hints: startFailure ? [startHint(startFailure.reason)] : hintsFor(results),
    results,
    counts,
    failing,
    totalMs: Date.now() - started,
    startedAt,
    interrupted,
    ...(stoppedAfter && { stoppedAfter, notRun: opts.cases.length - results.length }),
  };
}

/** A fail or an error not listed in --expected-failures (a warn is a fail under --strict: toResult). */
function failsRun(r: CaseResult): boolean {
  return (r.outcome === 'fail' || r.outcome === 'error') && r.expectedFailure === undefined;
}

/** Plays the cases one after another into `results`; true when interrupted. */
async function playCases(opts: RunOptions, env: RunEnv, results: CaseResult[], mask: Mask): Promise<boolean> {
  const say = opts.progress ?? (() => {});
  // Set when the target died and would not start again: the remaining cases are errors at once
  // (the output was reported with the case that found it down, not repeated in each).
  let down: string | undefined;
  for (const [i, c] of opts.cases.entries()) {
    if (opts.signal?.aborted) return true;
    const t0 = Date.now();
    let run: CaseRun;
    if (down) run = { outcome: 'error', message: down, exchanges: [], chainCalls: [] };
    else {
      const revived = await env.target.revive().then(
        (why) => ({ why }),
        (err: Error) => ({ err }),
      );
      if ('err' in revived) {
        const { err } = revived;
        const reason = err instanceof TargetStartError ? err.reason : err.message;
        const output = err instanceof TargetStartError && err.output ? `; its last output:\n${err.output}` : '';
        down = `the target is down since ${c.id} and did not start again (${reason})`;
        run = { outcome: 'error', message: `before this case the target was down and did not start again: ${reason}${output}`, exchanges: [], chainCalls: [] };
      } else {
        run = await withTimeout(c, env, (c.timeout_ms ?? opts.caseTimeoutMs) * env.multiplier, opts.signal);
        if (revived.why) run.message = `${run.message ? `${run.message}; ` : ''}before this case ${revived.why}`;
        // a target that broke the connection may be dying: let its exit be seen before the next case
        if (run.outcome === 'error') await env.target.settle(SETTLE_MS * env.multiplier);
      }
    }
    const r = toResult(c, run, Date.now() - t0, opts, mask);
    results.push(r);
    say(progressLine(r, i + 1, opts.cases.length, opts.color ?? false));
    if (opts.bail && failsRun(r)) break;
  }
  return false;
}

/** How long a case that errored waits for a launched target to be seen exiting (× multiplier). */
const SETTLE_MS = 300;

/** An exit within this long (× multiplier) of the launch is a crash at start: never retried. */
export const AT_ONCE_MS = 2_000;

/**
 * Starts the target; returns why it did not come up. One more try for a target that ran a while
 * and then gave up, or never answered (it may have timed out on a busy chain); none for one that
 * exited at once (a crash at start, a wrong command: a second start would do the same).
 */
async function startTarget(target: Target, say: (line: string) => void): Promise<StartFailure | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      await target.start();
      return undefined;
    } catch (err) {
      if (!(err instanceof TargetStartError)) throw err;
      if (attempt === 1 && target.canRestart && !err.exitedAtOnce) {
        say(`the target did not start (${err.reason}); trying once more`);
        continue;
      }
      say(`the target did not start: ${err.reason}${err.output ? `; its last output:\n${indent(err.output)}` : ''}`);
      return { reason: err.reason, output: err.output };
    }
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  | ${l}`)
    .join('\n');
}

async function withTimeout(c: LoadedCase, env: RunEnv, ms: number, outer?: AbortSignal): Promise<CaseRun> {
  const ac = new AbortController();
  const onOuter = () => ac.abort('interrupted (Ctrl-C)');
  outer?.addEventListener('abort', onOuter);
  let timer: NodeJS.Timeout | undefined;
  const progress: CaseProgress = { where: 'setup' };
  const timedOut = new Promise<CaseRun>((resolve) => {
    timer = setTimeout(() => {
      ac.abort('timed out');
      const at = progress.step !== undefined ? { step: progress.step, stepLine: progress.stepLine } : {};
      resolve({ outcome: 'error', message: `case timed out after ${ms} ms in ${progress.where}`, exchanges: [], chainCalls: [...env.chain.calls], ...at });
    }, ms);
  });
  const running = executeCase(c, env, ac.signal, progress);
  try {
    const run = await Promise.race([running, timedOut]);
    if (ac.signal.aborted) {
      // A timed-out case may still be inside a step: let it reach its next abort check before the
      // next case starts (two cases never drive the chain at once), and keep what it recorded.
      const late = await Promise.race([running, new Promise<undefined>((r) => setTimeout(() => r(undefined), 5_000))]);
      if (late && run !== late) {
        run.exchanges = late.exchanges;
        run.chainCalls = late.chainCalls;
      }
    }
    return run;
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onOuter);
  }
}

function toResult(c: LoadedCase, run: CaseRun, durationMs: number, opts: RunOptions, mask: Mask): CaseResult {
  let outcome = run.outcome;
  if (outcome === 'warn' && opts.strict) outcome = 'fail';
  const expected = opts.expectedFailures.get(c.id);
  const r: CaseResult = {
    id: c.id,
    requirement: c.requirement,
    spec: c.spec,
    level: c.level,
    file: c.file,
    line: c.line,
    outcome,
    durationMs,
  };
  if (expected !== undefined && (outcome === 'fail' || outcome === 'error')) r.expectedFailure = expected || 'listed in --expected-failures';
  if (run.message) r.message = mask(run.message);
  if (expected !== undefined && outcome === 'pass') r.message = 'listed in --expected-failures but passed: remove it from the list';
  if (run.step !== undefined) r.step = run.step;
  if (run.stepLine !== undefined) r.stepLine = run.stepLine;
  if (run.notes?.length) r.notes = run.notes;
  if (outcome !== 'unimplemented') {
    r.exchanges = run.exchanges.map((x) => maskExchange(x, mask));
    r.chainCalls = run.chainCalls.map(mask);
  }
  return r;
}
