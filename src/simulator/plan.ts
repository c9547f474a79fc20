/**
 * A scenario file names a family of runs: every combination of the sweep's values (a grid, in
 * the order the paths are written, last path varying fastest) times every seed. Each run gets
 * the scenario with its values set and re-validated, so a run is described by plain data that a
 * worker process can validate again on its own.
 */
import { ScenarioError } from './errors.js';
import { setPath, toScenario, type Scenario } from './scenario.js';
import type { RunSpec } from './types.js';

/** What crosses to a worker: the raw (YAML-parsed) scenario with the run's values set. */
export interface RunTicket {
  run: number;
  seed: number;
  params: Record<string, unknown>;
  raw: Record<string, unknown>;
}

export function planRuns(raw: Record<string, unknown>, scenario: Scenario, seedsOverride?: number[]): RunTicket[] {
  const sweep = scenario.sweep ?? {};
  const paths = Object.keys(sweep);
  let combos: Record<string, unknown>[] = [{}];
  for (const path of paths) combos = combos.flatMap((c) => sweep[path]!.map((v) => ({ ...c, [path]: v })));
  const seeds = seedsOverride ?? scenario.seeds;
  const base = { ...raw };
  delete base.sweep;
  delete base.seeds;
  const tickets: RunTicket[] = [];
  for (const params of combos) {
    for (const seed of seeds) {
      let r = base;
      for (const [path, value] of Object.entries(params)) r = setPath(r, path, value);
      tickets.push({ run: tickets.length, seed, params, raw: { ...r, seed } });
    }
  }
  return tickets;
}

export function specOf(ticket: RunTicket): RunSpec {
  return { run: ticket.run, seed: ticket.seed, params: ticket.params, scenario: toScenario(ticket.raw) };
}

/** `--seeds 1,2,3` or `--seeds 1..5`. */
export function parseSeeds(text: string): number[] {
  const range = /^(\d+)\.\.(\d+)$/.exec(text);
  if (range) {
    const [a, b] = [Number(range[1]), Number(range[2])];
    if (b < a || b - a > 10_000) throw new ScenarioError('--seeds', text, 'a range a..b with a ≤ b (at most 10,001 seeds)');
    return Array.from({ length: b - a + 1 }, (_, i) => a + i);
  }
  const seeds = text.split(',').map((s) => s.trim());
  if (seeds.some((s) => !/^\d+$/.test(s) || !Number.isSafeInteger(Number(s))))
    throw new ScenarioError('--seeds', text, 'a comma-separated list of non-negative integers, or a..b');
  return seeds.map(Number);
}
