// runConformance(): the whole conformance run as a function — load and select the cases, run them
// against the target, write the reports — returning what `uraiden conformance` prints. The CLI is
// a thin layer over it (flags → options, results → exit code).
import path from 'node:path';
import { UraidenError } from '../../src/protocol/errors.js';
import { loadCases } from './load.js';
import { orderCases } from './order.js';
import { CASES_DIR, CLI_BIN } from './paths.js';
import { writeReports } from './report.js';
import type { RunResult } from './results.js';
import { runSuite } from './run.js';
import { readExpectedFailures, selectCases } from './select.js';
import type { Level, LoadedCase } from './types.js';

/** Which cases: globs over ids (`rdn/payment/*`, or an area `rdn/payment`), levels, folder. */
export interface CaseSelection {
  /** case id globs; none selects every case */
  cases?: string[];
  /** folder of the YAML cases; default the catalogue shipped with the kit */
  casesDir?: string;
  /** skip SHOULD cases */
  mustOnly?: boolean;
  /** only cases whose requirement matches this regular expression (case-insensitive) */
  grep?: string;
}

export interface ConformanceOptions extends CaseSelection {
  /** shell command that starts the target with the §6 environment (one of targetCmd, self, targetUrl) */
  targetCmd?: string;
  /** test the kit's own reference proxy (`uraiden proxy`) */
  self?: boolean;
  /** URL of a target already running; needs rpcUrl, the kit chain it uses */
  targetUrl?: string;
  /**
   * The chain: with targetUrl, the `uraiden chain` the target uses; with self or targetCmd, a chain
   * to run on instead of the runner's own (the kit's, or any other — anvil, hardhat, a devnet —
   * where the runner deploys the contracts with `deployerKey`).
   */
  rpcUrl?: string;
  /** a funded key for a chain that is not the kit's (default on anvil and hardhat: their first test account) */
  deployerKey?: string;
  /** SHOULD failures fail the run (warn → fail) */
  strict?: boolean;
  /** stop at the first case that fails the run; the rest are not run (RunResult.stoppedAfter) */
  bail?: boolean;
  /** cases known to fail: reported, not failing the run. A JSON file, a list of ids, or id → reason. */
  expectedFailures?: string | readonly string[] | Readonly<Record<string, string>>;
  /** where the JSON, JUnit XML and HTML reports go; none: no files */
  reportDir?: string;
  /** scales every timeout and wait (slow machines, slow targets); default 1 */
  timeMultiplier?: number;
  /** per-case timeout before the multiplier; default 20 000 ms */
  caseTimeoutMs?: number;
  /** RDN_CONFIRMATIONS the target requires; default 5 */
  confirmations?: number;
  /** RDN_POLL_INTERVAL_MS handed to a launched target; default 20 */
  pollIntervalMs?: number;
  /** extra environment for a launched target */
  targetEnv?: Readonly<Record<string, string>>;
  /** echo the launched target's output */
  verbose?: boolean;
  /** one line per event of the run (start, each case) */
  progress?: (line: string) => void;
  /** ANSI colours in the progress lines; default none (the CLI colours a terminal only) */
  color?: boolean;
  /** abort: the run stops after the current case and cleans up */
  signal?: AbortSignal;
}

export interface ConformanceResult extends RunResult {
  /** the report files written (empty without reportDir) */
  reports: string[];
}

/** An option is missing, contradicts another, or has a value the runner cannot use. */
export class ConformanceOptionError extends UraidenError {
  readonly option: string;
  readonly value: unknown;
  readonly reason: string;
  constructor(option: string, value: unknown, reason: string) {
    super('CONFORMANCE_OPTION', `${option}: ${reason}`);
    this.option = option;
    this.value = value;
    this.reason = reason;
  }
}

export const CONFORMANCE_DEFAULTS = {
  timeMultiplier: 1,
  caseTimeoutMs: 20_000,
  confirmations: 5,
  pollIntervalMs: 20,
} as const;

/** The cases a selection picks, in the order a run plays them (what `--list` prints): basics first. */
export async function listConformanceCases(selection: CaseSelection = {}): Promise<LoadedCase[]> {
  let grep: RegExp | undefined;
  if (selection.grep !== undefined) {
    try {
      grep = new RegExp(selection.grep, 'i');
    } catch (err) {
      throw new ConformanceOptionError('grep', selection.grep, `not a regular expression: ${(err as Error).message}`);
    }
  }
  const all = await loadCases(path.resolve(selection.casesDir ?? CASES_DIR));
  const levels: Level[] = selection.mustOnly ? ['MUST'] : ['MUST', 'SHOULD'];
  return orderCases(selectCases(all, selection.cases ?? [], levels, grep));
}

export async function runConformance(options: ConformanceOptions): Promise<ConformanceResult> {
  const o = { ...CONFORMANCE_DEFAULTS, ...options };
  const modes = [o.self === true, o.targetCmd !== undefined, o.targetUrl !== undefined].filter(Boolean).length;
  if (modes !== 1)
    throw new ConformanceOptionError(
      'target',
      { self: o.self, targetCmd: o.targetCmd, targetUrl: o.targetUrl },
      'give exactly one of self, targetCmd, targetUrl',
    );
  if (o.targetUrl !== undefined && o.rpcUrl === undefined)
    throw new ConformanceOptionError('rpcUrl', o.rpcUrl, 'a running target needs the RPC URL of the chain it uses');
  for (const [name, value] of Object.entries({ timeMultiplier: o.timeMultiplier, caseTimeoutMs: o.caseTimeoutMs, pollIntervalMs: o.pollIntervalMs })) {
    if (!(typeof value === 'number' && value > 0 && Number.isFinite(value))) throw new ConformanceOptionError(name, value, 'must be a positive number');
  }
  if (!Number.isSafeInteger(o.confirmations) || o.confirmations < 1)
    throw new ConformanceOptionError('confirmations', o.confirmations, 'must be a positive integer');

  const cases = await listConformanceCases(o);
  if (cases.length === 0) {
    const asked = [...(o.cases ?? []), ...(o.grep !== undefined ? [`--grep ${o.grep}`] : []), ...(o.mustOnly ? ['--must-only'] : [])];
    throw new ConformanceOptionError('cases', o.cases, `no case matches ${asked.join(', ') || 'the selection'}`);
  }
  const run = await runSuite({
    cases,
    ...(o.self && { targetCmd: `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI_BIN)} proxy` }),
    ...(o.targetCmd !== undefined && { targetCmd: o.targetCmd }),
    ...(o.targetUrl !== undefined && { targetUrl: o.targetUrl }),
    ...(o.rpcUrl !== undefined && { rpcUrl: o.rpcUrl }),
    ...(o.deployerKey !== undefined && { deployerKey: o.deployerKey }),
    confirmations: o.confirmations,
    pollIntervalMs: o.pollIntervalMs,
    multiplier: o.timeMultiplier,
    caseTimeoutMs: o.caseTimeoutMs,
    strict: o.strict ?? false,
    bail: o.bail ?? false,
    expectedFailures: await expectedFailures(o.expectedFailures),
    targetEnv: { ...o.targetEnv },
    verbose: o.verbose ?? false,
    ...(o.progress && { progress: o.progress }),
    color: o.color ?? false,
    ...(o.signal && { signal: o.signal }),
  });
  const reports = o.reportDir === undefined ? [] : await writeReports(run, path.resolve(o.reportDir));
  return { ...run, reports };
}

async function expectedFailures(given: ConformanceOptions['expectedFailures']): Promise<Map<string, string>> {
  if (given === undefined) return new Map();
  if (typeof given === 'string') return readExpectedFailures(given);
  if (Array.isArray(given)) return new Map(given.map((id: string) => [id, '']));
  return new Map(Object.entries(given));
}
