// A conformance run: chain (own or given), target (launched or given), the selected cases one
// after another (sequential on purpose: block numbers, and so every signature, are then the same
// in every run), progress lines, and the results for the reporters.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ChainClient } from './chain.js';
import { HOLD_FLOOR_MS, HOLD_POLLS } from './context.js';
import { executeCase, type CaseProgress, type CaseRun, type Outcome, type RunEnv } from './execute.js';
import { send } from './http.js';
import { startRelay, type Relay } from './relay.js';
import { externalTarget, freePort, launchedTarget, TargetStartError, type Target } from './target.js';
import { targetEnvironment } from '../../src/sim/env.js';
import type { Address, Hex } from '../../src/protocol/types.js';
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
  /** aborted on Ctrl-C: the run stops after cleaning up */
  signal?: AbortSignal;
}

export interface CaseResult {
  id: string;
  requirement: string;
  spec: string;
  level: 'MUST' | 'SHOULD';
  file: string;
  line: number;
  outcome: Outcome;
  /** known failure from --expected-failures: reported, not failing the run */
  expectedFailure?: string;
  message?: string;
  step?: number;
  stepLine?: number;
  durationMs: number;
  exchanges?: CaseRun['exchanges'];
  chainCalls?: string[];
}

export interface RunResult {
  target: string;
  strict: boolean;
  results: CaseResult[];
  counts: Record<Outcome, number>;
  /** cases whose failure makes the run fail (fail/error not listed as expected) */
  failing: number;
  totalMs: number;
  startedAt: string;
  interrupted: boolean;
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

async function probeParts(target: Target, timeoutMs: number, canRestart: boolean): Promise<Record<OptionalPart, boolean>> {
  const answers = async (p: string) => (await send(target.baseUrl, { method: 'GET', path: p, headers: {} }, timeoutMs)).status !== 404;
  return {
    echodyn: await answers('/echodyn/probe').catch(() => false),
    'rest-api': await answers('/api/1/stats').catch(() => false),
    restart: canRestart,
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
    try {
      await target.start();
    } catch (err) {
      // One more try: a target that could not reach a busy chain in time deserves a second start;
      // one that fails twice is reported as it is.
      if (!(err instanceof TargetStartError) || !target.canRestart) throw err;
      say(`the target did not start (${err.message.split('\n')[0]}); trying once more`);
      await target.start();
    }
    const parts = await probeParts(target, 5_000 * m, target.canRestart);
    say(`optional parts: echodyn ${parts.echodyn ? 'yes' : 'no'}, REST API ${parts['rest-api'] ? 'yes' : 'no'}, restart ${parts.restart ? 'yes' : 'no'}`);
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
    const width = String(opts.cases.length).length;
    for (const [i, c] of opts.cases.entries()) {
      if (opts.signal?.aborted) {
        interrupted = true;
        break;
      }
      const t0 = Date.now();
      const revived = await target.revive().catch((err: Error) => `the target is down and did not restart: ${err.message}`);
      const run = await withTimeout(c, env, (c.timeout_ms ?? opts.caseTimeoutMs) * m, opts.signal);
      if (revived) run.message = `${run.message ? `${run.message}; ` : ''}before this case ${revived}`;
      const r = toResult(c, run, Date.now() - t0, opts);
      results.push(r);
      say(progressLine(r, i + 1, opts.cases.length, width));
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
  const failing = results.filter((r) => (r.outcome === 'fail' || r.outcome === 'error') && r.expectedFailure === undefined).length;
  return {
    target: opts.targetUrl ?? opts.targetCmd ?? '',
    strict: opts.strict,
    results,
    counts,
    failing,
    totalMs: Date.now() - started,
    startedAt,
    interrupted,
  };
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

function toResult(c: LoadedCase, run: CaseRun, durationMs: number, opts: RunOptions): CaseResult {
  let outcome = run.outcome;
  if (outcome === 'warn' && opts.strict) outcome = 'fail';
  const expected = opts.expectedFailures.get(c.id);
  const bad = outcome === 'fail' || outcome === 'error' || outcome === 'warn';
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
  if (run.message) r.message = run.message;
  if (expected !== undefined && outcome === 'pass') r.message = 'listed in --expected-failures but passed: remove it from the list';
  if (run.step !== undefined) r.step = run.step;
  if (run.stepLine !== undefined) r.stepLine = run.stepLine;
  if (bad) {
    r.exchanges = run.exchanges;
    r.chainCalls = run.chainCalls;
  }
  return r;
}

const MARK: Record<Outcome, string> = { pass: 'pass ', fail: 'FAIL ', warn: 'warn ', unimplemented: 'unimp', error: 'ERROR' };

function progressLine(r: CaseResult, n: number, total: number, width: number): string {
  const head = `[${String(n).padStart(width)}/${total}] ${MARK[r.outcome]} ${r.id.padEnd(24)} ${String(r.durationMs).padStart(6)} ms`;
  const known = r.expectedFailure !== undefined ? ' (expected failure)' : '';
  return r.outcome === 'pass' ? head : `${head}${known}\n      ${r.message ?? ''}`;
}
