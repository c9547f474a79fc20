/**
 * Sweeps across machines: `--shard I/N` runs a deterministic share of a scenario's runs and writes
 * them to one shard file; merging the N shard files gives the very results of a one-machine run,
 * so the outputs written from them are byte-identical.
 *
 * The share is round-robin by run index (shard I takes the runs r with r mod N = I − 1): runs are
 * numbered sweep point by sweep point, seed by seed, so consecutive runs — often of similar cost —
 * land on different machines. Any scheduler that can pass an index works: a CI matrix, a
 * Kubernetes Indexed Job, a Slurm array.
 *
 * A shard file names what it is a share of: the scenario (its name and a hash of the scenario
 * document without its seeds), the seeds, the number of shards and runs, and the kit's version.
 * Merging refuses anything that does not make up exactly one whole run, naming the shard.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PACKAGE_VERSION } from '../package.js';
import { ShardError } from './errors.js';
import { numberRanges } from './ranges.js';
import type { RunTicket } from './plan.js';
import type { RunResult } from './types.js';

/** 1-based, as in Jest's and Playwright's `--shard`: a Kubernetes index (0-based) is passed as index + 1. */
export interface Shard {
  index: number;
  count: number;
}

export const SHARD_FILE = 'shard.json';
const FORMAT = 'uraiden-simulate-shard/1';

export interface ShardFile {
  format: typeof FORMAT;
  /** the version of uraiden-kit that ran it: another version may simulate differently */
  kit: string;
  scenario: string;
  /** sha256 of the scenario document (keys sorted) without `seed` and `seeds` */
  scenarioHash: string;
  seeds: number[];
  shard: Shard;
  /** runs of the whole plan (all shards) */
  runs: number;
  /** this shard's runs, in run order */
  results: RunResult[];
}

/** `2/3` → { index: 2, count: 3 }. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || !Number.isSafeInteger(count) || count < 1 || index < 1 || index > count) {
    throw new ShardError(text, `--shard ${JSON.stringify(text)} is invalid: expected I/N with 1 ≤ I ≤ N, e.g. 2/3`);
  }
  return { index, count };
}

export function shardLabel(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}

/** The runs of the plan that belong to a shard. */
function inShard(run: number, shard: Shard): boolean {
  return run % shard.count === shard.index - 1;
}

export function selectShard(tickets: RunTicket[], shard: Shard): RunTicket[] {
  return tickets.filter((t) => inShard(t.run, shard));
}

/** What a plan is of: the scenario without its seeds (those are compared on their own, to say so). */
function scenarioHash(raw: Record<string, unknown>): string {
  const { seed: _seed, seeds: _seeds, ...rest } = raw;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

/** JSON with object keys sorted at every level: the same document however its keys were ordered. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function makeShardFile(opts: {
  scenario: string;
  raw: Record<string, unknown>;
  seeds: number[];
  shard: Shard;
  runs: number;
  results: RunResult[];
}): ShardFile {
  return {
    format: FORMAT,
    kit: PACKAGE_VERSION,
    scenario: opts.scenario,
    scenarioHash: scenarioHash(opts.raw),
    seeds: opts.seeds,
    shard: opts.shard,
    runs: opts.runs,
    results: opts.results,
  };
}

export async function writeShard(dir: string, file: ShardFile): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, SHARD_FILE);
  await writeFile(path, `${JSON.stringify(file)}\n`);
  return path;
}

/** A shard file and the directory it was read from (for messages). */
export interface ReadShard {
  dir: string;
  file: ShardFile;
}

export async function readShard(dir: string): Promise<ReadShard> {
  const path = join(dir, SHARD_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ShardError(
      dir,
      `${dir}: no readable ${SHARD_FILE} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): not a directory written by \`uraiden simulate --shard\``,
      {
        cause: err,
      },
    );
  }
  let file: ShardFile;
  try {
    file = JSON.parse(text) as ShardFile;
  } catch (err) {
    throw new ShardError(dir, `${path}: not JSON (${(err as Error).message}): the file is damaged or was cut short`, { cause: err });
  }
  if (file?.format !== FORMAT || !Array.isArray(file.results) || typeof file.shard?.index !== 'number' || typeof file.shard?.count !== 'number') {
    throw new ShardError(dir, `${path}: not a shard file of this kit (format ${JSON.stringify(file?.format)}, expected ${FORMAT})`);
  }
  return { dir, file };
}

/**
 * The results of the whole plan from its N shards, in run order; throws ShardError unless the
 * shards are exactly shards 1..N of one scenario, seeds and kit version, each holding its runs.
 */
export function mergeShards(shards: ReadShard[]): { scenario: string; results: RunResult[] } {
  const [first] = shards;
  if (!first) throw new ShardError('', 'merge: no shard directories given');
  const name = (s: ReadShard) => `shard ${shardLabel(s.file.shard)} (${s.dir})`;
  const ref = first.file;
  for (const s of shards.slice(1)) {
    const f = s.file;
    const label = shardLabel(f.shard);
    if (f.kit !== ref.kit)
      throw new ShardError(label, `${name(s)} was run by uraiden-kit ${f.kit}, ${name(first)} by ${ref.kit}: run every shard with one version`);
    if (f.scenarioHash !== ref.scenarioHash) {
      throw new ShardError(
        label,
        `${name(s)} is of another scenario than ${name(first)}: ${JSON.stringify(f.scenario)} (sha256 ${f.scenarioHash.slice(0, 12)}) vs ${JSON.stringify(ref.scenario)} (sha256 ${ref.scenarioHash.slice(0, 12)})`,
      );
    }
    if (f.seeds.join() !== ref.seeds.join()) {
      throw new ShardError(
        label,
        `${name(s)} ran seeds ${listText(f.seeds)}, ${name(first)} ran seeds ${listText(ref.seeds)}: run every shard with the same --seeds`,
      );
    }
    if (f.shard.count !== ref.shard.count || f.runs !== ref.runs) {
      throw new ShardError(label, `${name(s)} is one of ${f.shard.count} shards of ${f.runs} runs, ${name(first)} one of ${ref.shard.count} of ${ref.runs}`);
    }
  }
  const byIndex = new Map<number, ReadShard>();
  for (const s of shards) {
    const seen = byIndex.get(s.file.shard.index);
    if (seen) throw new ShardError(shardLabel(s.file.shard), `shard ${shardLabel(s.file.shard)} is given twice: ${seen.dir} and ${s.dir}`);
    byIndex.set(s.file.shard.index, s);
  }
  const count = ref.shard.count;
  const runsOf = (index: number) => Array.from({ length: ref.runs }, (_, r) => r).filter((r) => inShard(r, { index, count }));
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length > 0) {
    const list = missing.map((i) => `${i}/${count} (runs ${listText(runsOf(i))})`).join(', ');
    throw new ShardError(`${missing[0]}/${count}`, `missing shard${missing.length > 1 ? 's' : ''} ${list}: merge needs all ${count}`);
  }
  const results: RunResult[] = new Array(ref.runs);
  for (const s of shards) {
    const expected = runsOf(s.file.shard.index);
    const found = s.file.results.map((r) => r.summary?.run);
    if (found.join() !== expected.join()) {
      throw new ShardError(
        shardLabel(s.file.shard),
        `${name(s)} holds runs ${listText(found)}, expected ${listText(expected)}: the file was altered or cut short`,
      );
    }
    for (const r of s.file.results) results[r.summary.run] = r;
  }
  return { scenario: ref.scenario, results };
}

/** `1,2,3,4,7` → `1..4, 7`. */
export function listText(xs: unknown[]): string {
  return xs.length === 0 ? 'none' : numberRanges(xs.map(Number), '..').join(', ');
}
