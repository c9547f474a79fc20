/**
 * `uraiden simulate <scenario.yaml>`: the economic simulator (src/sim/economics). Runs every
 * combination of the scenario's sweep × seeds on worker processes and writes the tidy table, the
 * summaries and report.html into --out. Prints the wall time (stdout only: the files never hold
 * anything that depends on the clock). Exit code 1 when a run breaks token conservation.
 */
import { availableParallelism } from 'node:os';
import { InvalidArgumentError, type Command } from 'commander';
import { integerOption, nonEmptyOption } from './options.js';

interface SimulateOptions {
  out: string;
  workers: number;
  seeds?: string;
}

export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description('run an economic simulation (seeded agents, real chain, contract, proxy and clients) and write tables and a report')
    .argument('<scenario>', 'scenario file (YAML); see docs/SIMULATOR.md')
    .requiredOption('--out <dir>', 'directory for ticks.csv, ticks.json, summary.json, summary.csv, report.html', nonEmptyOption)
    .option('--workers <n>', 'worker processes (default: the number of cores)', integerOption(1, 256), availableParallelism())
    .option('--seeds <list>', "seeds to run instead of the scenario's (1,2,3 or 1..10)", seedsOption)
    .action(async (file: string, opts: SimulateOptions) => simulateCommand(file, opts));
}

function seedsOption(value: string): string {
  if (!/^(\d+(,\d+)*|\d+\.\.\d+)$/.test(value.replace(/\s/g, ''))) throw new InvalidArgumentError('expected 1,2,3 or 1..10.');
  return value;
}

async function simulateCommand(file: string, opts: SimulateOptions): Promise<void> {
  // Loaded here: ganache and ethers take seconds to load, a usage error should not wait for them.
  const { loadScenario, planRuns, parseSeeds, runAll, writeOutputs } = await import('../simulator/index.js');
  const { scenario, raw } = await loadScenario(file);
  const tickets = planRuns(raw, scenario, opts.seeds === undefined ? undefined : parseSeeds(opts.seeds));
  const workers = Math.min(opts.workers, tickets.length);
  process.stdout.write(`${scenario.name}: ${tickets.length} run(s) on ${workers} worker(s)\n`);
  const started = performance.now();
  let done = 0;
  const results = await runAll(tickets, workers, () => {
    done++;
    process.stdout.write(`  ${done}/${tickets.length} runs done\n`);
  });
  await writeOutputs(opts.out, scenario.name, results);
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`wrote ${opts.out}/{ticks.csv,ticks.json,summary.json,summary.csv,report.html} in ${seconds.toFixed(1)} s\n`);
  const broken = results.filter((r) => !r.summary.conservation.holds);
  if (broken.length > 0) {
    process.stderr.write(`uraiden: token conservation broken in run(s) ${broken.map((r) => r.summary.run).join(', ')} (see summary.json)\n`);
    process.exitCode = 1;
  }
}
