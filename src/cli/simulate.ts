/**
 * `uraiden simulate <scenario.yaml>`: the economic simulator (src/simulator). Runs every
 * combination of the scenario's sweep × seeds on worker processes and writes the tidy table, the
 * summaries, the statistics across seeds and report.html into --out. Prints the wall time (stdout
 * only: the files never hold anything that depends on the clock). Exit code 1 when a run breaks
 * token conservation.
 *
 * Across machines: `--shard I/N` runs a share of the runs into DIR/shard.json, `simulate merge
 * DIR… --out DIR` writes from N shards the very files one machine would have; `--list-runs`
 * prints the runs (index, seed, parameters) for a scheduler without running them.
 */
import { availableParallelism } from 'node:os';
import { InvalidArgumentError, type Command } from 'commander';
import { integerOption, nonEmptyOption } from './options.js';

interface SimulateOptions {
  out?: string;
  workers: number;
  senderThreads?: number;
  seeds?: string;
  shard?: string;
  listRuns?: boolean;
  json?: boolean;
}

const OUTPUT_FILES = '{ticks.csv,ticks.json,summary.json,summary.csv,stats.json,stats.csv,report.html}';

export function registerSimulateCommand(program: Command): void {
  const simulate = program
    .command('simulate')
    .description('run an economic simulation (seeded agents, real chain, contract, proxy and clients) and write tables and a report')
    .argument('<scenario>', 'scenario file (YAML); see docs/SIMULATOR.md')
    .option('--out <dir>', `directory for ${OUTPUT_FILES} (with --shard: for shard.json)`, nonEmptyOption)
    .option('--workers <n>', 'worker processes (default: the number of cores)', integerOption(1, 256), availableParallelism())
    .option(
      '--sender-threads <n>',
      'worker threads per run for the senders’ clients, beside the chain and receiver (default: 1 from 200 senders, else 0); results never depend on it',
      integerOption(0, 64),
    )
    .option('--seeds <list>', "seeds to run instead of the scenario's (1,2,3 or 1..10)", seedsOption)
    .option('--shard <I/N>', 'run only shard I of N (runs whose index mod N is I − 1) into DIR/shard.json; combine with `simulate merge`', shardOption)
    .option('--list-runs', 'print the runs (index, seed, swept parameters) without running them; with --shard, that shard’s only')
    .option('--json', 'with --list-runs: one JSON array instead of a table')
    // `simulate merge … --out DIR`: the --out after merge's arguments is merge's own.
    .enablePositionalOptions()
    .addHelpText(
      'after',
      '\nAcross machines:\n  uraiden simulate s.yaml --shard 1/3 --out out/1   (and 2/3, 3/3 elsewhere)\n  uraiden simulate merge out/1 out/2 out/3 --out out/all\n',
    )
    .action(async (file: string, opts: SimulateOptions) => simulateCommand(file, opts));
  simulate
    .command('merge')
    .description('combine the shard directories of one scenario into the files a single run writes (byte for byte)')
    .argument('<dirs...>', 'directories written by `simulate --shard I/N`, all N of them, in any order')
    .requiredOption('--out <dir>', `directory for ${OUTPUT_FILES}`, nonEmptyOption)
    .action(async (dirs: string[], opts: { out: string }) => mergeCommand(dirs, opts.out));
}

function seedsOption(value: string): string {
  if (!/^(\d+(,\d+)*|\d+\.\.\d+)$/.test(value.replace(/\s/g, ''))) throw new InvalidArgumentError('expected 1,2,3 or 1..10.');
  return value;
}

function shardOption(value: string): string {
  if (!/^\s*\d+\s*\/\s*\d+\s*$/.test(value)) throw new InvalidArgumentError('expected I/N, e.g. 2/3.');
  const [i, n] = value.split('/').map(Number) as [number, number];
  if (n < 1 || i < 1 || i > n) throw new InvalidArgumentError(`expected 1 ≤ I ≤ N, got ${i}/${n}.`);
  return value;
}

async function simulateCommand(file: string, opts: SimulateOptions): Promise<void> {
  if (!opts.listRuns && opts.out === undefined) throw new InvalidArgumentError("required option '--out <dir>' not specified (or --list-runs)");
  if (opts.json && !opts.listRuns) throw new InvalidArgumentError('--json goes with --list-runs');
  // Loaded here: ganache and ethers take seconds to load, a usage error should not wait for them.
  const sim = await import('../simulator/index.js');
  const { listText } = await import('../simulator/shard.js');
  const { scenario, raw } = await sim.loadScenario(file);
  const seeds = opts.seeds === undefined ? scenario.seeds : sim.parseSeeds(opts.seeds);
  const all = sim.planRuns(raw, scenario, seeds);
  const shard = opts.shard === undefined ? undefined : sim.parseShard(opts.shard);
  const tickets = shard ? sim.selectShard(all, shard) : all;
  if (opts.listRuns) {
    process.stdout.write(opts.json ? `${JSON.stringify(tickets.map(({ run, seed, params }) => ({ run, seed, params })))}\n` : runTable(tickets, sim.paramCell));
    return;
  }
  const out = opts.out!;
  const workers = Math.max(1, Math.min(opts.workers, tickets.length));
  const share = shard ? `shard ${sim.shardLabel(shard)}: ${tickets.length} of ${all.length} run(s)` : `${tickets.length} run(s)`;
  process.stdout.write(`${scenario.name}: ${share} on ${workers} worker(s)\n`);
  const started = performance.now();
  let done = 0;
  const results = await sim.runAll(
    tickets,
    workers,
    () => {
      done++;
      process.stdout.write(`  ${done}/${tickets.length} runs done\n`);
    },
    opts.senderThreads === undefined ? {} : { senderThreads: opts.senderThreads },
  );
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (shard) {
    const path = await sim.writeShard(out, sim.makeShardFile({ scenario: scenario.name, raw, seeds, shard, runs: all.length, results }));
    process.stdout.write(
      `wrote ${path} (runs ${listText(tickets.map((t) => t.run))}) in ${seconds} s; merge all ${shard.count} with \`uraiden simulate merge\`\n`,
    );
  } else {
    await sim.writeOutputs(out, scenario.name, results);
    process.stdout.write(`wrote ${out}/${OUTPUT_FILES} in ${seconds} s\n`);
  }
  reportConservation(results);
}

async function mergeCommand(dirs: string[], out: string): Promise<void> {
  const sim = await import('../simulator/index.js');
  const shards = await Promise.all(dirs.map((d) => sim.readShard(d)));
  const { scenario, results } = sim.mergeShards(shards);
  await sim.writeOutputs(out, scenario, results);
  process.stdout.write(`${scenario}: merged ${shards.length} shard(s), ${results.length} run(s); wrote ${out}/${OUTPUT_FILES}\n`);
  reportConservation(results);
}

function reportConservation(results: { summary: { run: number; conservation: { holds: boolean } } }[]): void {
  const broken = results.filter((r) => !r.summary.conservation.holds);
  if (broken.length > 0) {
    process.stderr.write(`uraiden: token conservation broken in run(s) ${broken.map((r) => r.summary.run).join(', ')} (see summary.json)\n`);
    process.exitCode = 1;
  }
}

function runTable(tickets: { run: number; seed: number; params: Record<string, unknown> }[], cell: (v: unknown) => string | number): string {
  const rows = tickets.map((t) => [
    String(t.run),
    String(t.seed),
    Object.entries(t.params)
      .map(([k, v]) => `${k}=${cell(v)}`)
      .join(' ') || '-',
  ]);
  const head = ['run', 'seed', 'parameters'];
  const width = [0, 1].map((c) => Math.max(head[c]!.length, ...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => `${r[0]!.padStart(width[0]!)}  ${r[1]!.padStart(width[1]!)}  ${r[2]}`.trimEnd();
  return `${[line(head), ...rows.map(line)].join('\n')}\n`;
}
