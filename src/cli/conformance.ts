/**
 * `uraiden conformance`: runs the conformance catalogue (conformance/cases) against a µRaiden
 * receiver. The runner starts the deterministic chain itself and launches the target with the §6
 * environment (--target-cmd, or --self for the reference proxy), or tests one already running
 * (--target with the --rpc-url of the `uraiden chain` it uses). Exit code 0 when no case fails or
 * errors (known failures from --expected-failures excepted), 1 otherwise, 2 on bad usage.
 */
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { PACKAGE_VERSION } from '../package.js';
import { integerOption } from './options.js';

// The runner (ajv, yaml, ethers, and ganache for the chain) is imported only when this command
// runs, so that registering it costs the other subcommands' start-up nothing.
interface ConformanceFlags {
  targetCmd?: string;
  target?: string;
  rpcUrl?: string;
  self: boolean;
  cases: string[];
  grep?: string;
  casesDir?: string;
  mustOnly: boolean;
  strict: boolean;
  bail: boolean;
  list: boolean;
  expectedFailures?: string;
  reportDir: string;
  timeMultiplier: number;
  caseTimeout: number;
  confirmations: number;
  pollInterval: number;
  targetEnv: string[];
  verbose: boolean;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!/^[0-9]*\.?[0-9]+$/.test(value) || !(n > 0)) throw new InvalidArgumentError('must be a positive number.');
  return n;
}

function collect(value: string, previous: string[]): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean),
  ];
}

function envPair(value: string, previous: string[]): string[] {
  if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(value)) throw new InvalidArgumentError('expected NAME=value.');
  return [...previous, value];
}

function url(value: string): string {
  try {
    return new URL(value).toString().replace(/\/$/, '');
  } catch {
    throw new InvalidArgumentError('not a URL.');
  }
}

export function registerConformanceCommand(program: Command): void {
  program
    .command('conformance')
    .description('run the conformance suite against a µRaiden receiver (§6 target profile)')
    .version(PACKAGE_VERSION, '-V, --version', 'print the version of the kit (and so of the suite)')
    .option('--target-cmd <command>', 'shell command that starts the target with the §6 environment')
    .option('--self', 'test the reference proxy (spawns `uraiden proxy`)', false)
    .option('--target <url>', 'test a target already running (needs --rpc-url; restart cases are unimplemented)', url)
    .option(
      '--rpc-url <url>',
      'with --target: the `uraiden chain` it uses; with --self/--target-cmd: run on this chain (any: anvil, hardhat…; key in env RDN_DEPLOYER_PRIVATE_KEY)',
      url,
    )
    .option('--cases <glob>', "case ids to run, e.g. 'rdn/payment/*' (repeatable, comma-separated)", collect, [])
    .option('--grep <regex>', 'only cases whose requirement matches this regular expression (case-insensitive); with --cases, both must match')
    .option('--cases-dir <dir>', "where the YAML cases are (default: the kit's catalogue)")
    .option('--must-only', 'skip SHOULD cases', false)
    .option('--strict', 'SHOULD failures fail the run (warn → fail)', false)
    .option('--bail', 'stop at the first failing case (the rest are not run; exit 1)', false)
    .option('--list', 'list the selected cases without running them', false)
    .option('--expected-failures <file>', 'JSON list of case ids (or {id: reason}) known to fail: reported, not failing the run')
    .option('--report-dir <dir>', 'where the JSON, JUnit XML and HTML reports go', 'reports')
    .option('--time-multiplier <x>', 'scales every timeout and wait (slow machines, slow targets)', positiveNumber, 1)
    .option('--case-timeout <ms>', 'per-case timeout before the multiplier', integerOption(100), 20_000)
    .option('--confirmations <n>', 'RDN_CONFIRMATIONS the target requires', integerOption(1, 100), 5)
    .option('--poll-interval <ms>', 'RDN_POLL_INTERVAL_MS handed to a launched target', integerOption(1), 20)
    .option('--target-env <NAME=value>', 'extra environment for a launched target (repeatable)', envPair, [])
    .option('--verbose', "echo the launched target's output", false)
    .action(async (opts: ConformanceFlags) => {
      const code = await conformance(opts);
      // The in-process chain (ganache) can leave timers behind: end explicitly, after stdout drains.
      await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
      process.exit(code);
    });
}

async function conformance(opts: ConformanceFlags): Promise<number> {
  // A reader that went away (`uraiden conformance --list | head`) ends the output, not the run:
  // the target is still stopped and the reports still written.
  let closed = false;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    closed = true;
  });
  const out = (line: string) => {
    if (!closed) process.stdout.write(`${line}\n`);
  };
  const { CaseFormatError, ConformanceOptionError, listConformanceCases, runConformance } = await import('../../conformance/index.js');
  const { colorFor, summaryTable } = await import('../../conformance/runner/console.js');
  const selection = {
    cases: opts.cases,
    mustOnly: opts.mustOnly,
    ...(opts.grep !== undefined && { grep: opts.grep }),
    ...(opts.casesDir !== undefined && { casesDir: opts.casesDir }),
  };
  // Colour for a terminal only (FORCE_COLOR / NO_COLOR decide first); the report files never have any.
  const color = colorFor(process.stdout);
  try {
    if (opts.list) {
      const cases = await listConformanceCases(selection);
      for (const c of cases)
        out(`${c.id.padEnd(24)} ${c.spec.padEnd(8)} ${c.level.padEnd(6)} ${c.requirement}${c.needs?.length ? ` [needs ${c.needs.join(', ')}]` : ''}`);
      out(`${cases.length} case(s)`);
      return 0;
    }
    const targetEnv = Object.fromEntries(opts.targetEnv.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
    // Ctrl-C: finish the current case, stop the target, write what we have.
    const ac = new AbortController();
    const onSigint = () => {
      if (ac.signal.aborted) process.exit(130);
      process.stderr.write('\ninterrupted: stopping after the current case (Ctrl-C again to quit at once)\n');
      ac.abort();
    };
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigint);
    try {
      const run = await runConformance({
        ...selection,
        self: opts.self,
        ...(opts.targetCmd !== undefined && { targetCmd: opts.targetCmd }),
        ...(opts.target !== undefined && { targetUrl: opts.target }),
        ...(opts.rpcUrl !== undefined && { rpcUrl: opts.rpcUrl }),
        ...(process.env.RDN_DEPLOYER_PRIVATE_KEY && { deployerKey: process.env.RDN_DEPLOYER_PRIVATE_KEY }),
        strict: opts.strict,
        bail: opts.bail,
        ...(opts.expectedFailures !== undefined && { expectedFailures: opts.expectedFailures }),
        reportDir: opts.reportDir,
        timeMultiplier: opts.timeMultiplier,
        caseTimeoutMs: opts.caseTimeout,
        confirmations: opts.confirmations,
        pollIntervalMs: opts.pollInterval,
        targetEnv,
        verbose: opts.verbose,
        progress: out,
        color,
        signal: ac.signal,
      });
      out(summaryTable(run, { color }));
      out(`reports: ${run.reports.map((f) => path.relative(process.cwd(), f)).join(', ')}`);
      return run.interrupted ? 130 : run.failing > 0 ? 1 : 0;
    } finally {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigint);
    }
  } catch (err) {
    if (err instanceof CaseFormatError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    if (err instanceof ConformanceOptionError) throw new InvalidArgumentError(cliMessage(err));
    throw err;
  }
}

/** The option errors in the CLI's words (its flags, not the function's option names). */
function cliMessage(err: { option: string; value: unknown; reason: string; message: string }): string {
  switch (err.option) {
    case 'target':
      return 'give exactly one of --self, --target-cmd, --target';
    case 'rpcUrl':
      return '--target needs --rpc-url (the chain the target uses)';
    case 'cases':
      return err.reason;
    case 'grep':
      return `--grep ${JSON.stringify(err.value)}: ${err.reason}`;
    default:
      return err.message;
  }
}
