/**
 * The scenario file: what one simulation (or a family of them: a sweep × seeds) runs. Amounts are
 * token base units, times are blocks. See docs/SIMULATOR.md for the meaning of each field.
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, isMap, isSeq, type Node } from 'yaml';
import { MIN_CHALLENGE_PERIOD } from '../sim/defaults.js';
import { ScenarioError } from './errors.js';
import { check, type CheckContext, type FieldSpec } from './schema.js';

export interface ResourceSpec {
  /** path served by the proxy (fastify syntax, no parameters) */
  path: string;
  price: bigint;
  /** relative share of requests */
  weight: number;
}

export interface OfflineWindow {
  /** first block of the outage (by the head the simulator sees at a tick) */
  from: number;
  /** first block it is back online */
  to: number;
}

export interface Scenario {
  name: string;
  seed: number;
  /** blocks simulated after deployment */
  horizon: number;
  /** blocks per tick (one row of the table per tick) */
  tick: number;
  /** wei per gas unit, applied to the gas each transaction really used */
  gasPrice: bigint;
  chain: { challengePeriod: number };
  receiver: { confirmations: number; offline: OfflineWindow[]; disputes: 'always' | 'never' };
  resources: ResourceSpec[];
  senders: {
    count: number;
    /** expected requests per sender and tick */
    requestRate: number;
    /** poisson: a Poisson draw per tick; fixed: round(requestRate) every tick */
    arrival: 'poisson' | 'fixed';
    /** a sender stops after this many requests (0: no limit) */
    maxRequests: number;
    initialDeposit: bigint;
    topUp: bigint;
    /** honest senders request an (uncooperative, exact-balance) close at this block (0: never) */
    closeAt: number;
  };
  cheaters: {
    /** share of the senders that cheat (rounded to whole senders) */
    fraction: number;
    /** per tick, once it has paid, the chance a cheater closes with a stale balance */
    closeProbability: number;
    /** how many of its latest payments the stale balance leaves out (all of them if fewer) */
    staleRequests: number;
  };
  /** grid over scenario fields by dotted path; one run per combination and seed */
  sweep?: Record<string, unknown[]>;
  /** Monte Carlo: the seeds to run (default: [seed]) */
  seeds: number[];
}

const int = (doc: string, min = 0, def?: number): FieldSpec => ({ kind: 'int', min, doc, ...(def !== undefined && { default: def }) });
const amount = (doc: string, def?: bigint, min = 0n): FieldSpec => ({ kind: 'amount', min, doc, ...(def !== undefined && { default: def }) });
const prob = (doc: string, def: number): FieldSpec => ({ kind: 'number', min: 0, max: 1, default: def, doc });

export const SCENARIO_SPEC: FieldSpec = {
  kind: 'object',
  doc: 'a mapping of scenario fields',
  fields: {
    name: { kind: 'string', pattern: /^[A-Za-z0-9._-]+$/, default: 'scenario', doc: 'a name of letters, digits, . _ -' },
    seed: int('a non-negative integer seed', 0, 1),
    horizon: int('a positive number of blocks', 1),
    tick: int('a positive number of blocks per tick', 1, 10),
    gasPrice: amount('a gas price in wei (integer, or a decimal string)', 20_000_000_000n),
    chain: {
      kind: 'object',
      doc: 'a mapping with challengePeriod',
      fields: { challengePeriod: int(`a challenge period in blocks, at least ${MIN_CHALLENGE_PERIOD}`, MIN_CHALLENGE_PERIOD, MIN_CHALLENGE_PERIOD) },
    },
    receiver: {
      kind: 'object',
      doc: 'a mapping with confirmations, offline and disputes',
      fields: {
        confirmations: int('a non-negative number of confirmations', 0, 2),
        // 'never' answers "what does cheating cost a receiver that does not watch for it?".
        disputes: { kind: 'enum', values: ['always', 'never'], default: 'always', doc: 'always or never: whether the receiver disputes stale closes' },
        offline: {
          kind: 'list',
          default: [],
          doc: 'a list of {from, to} block windows',
          item: { kind: 'object', doc: 'a mapping {from, to}', fields: { from: int('a block number', 0), to: int('a block number', 0) } },
        },
      },
    },
    resources: {
      kind: 'list',
      minItems: 1,
      doc: 'a non-empty list of {path, price, weight}',
      item: {
        kind: 'object',
        doc: 'a mapping {path, price, weight}',
        fields: {
          path: { kind: 'string', pattern: /^\/[A-Za-z0-9._~/-]*$/, doc: 'an absolute path of letters, digits and . _ ~ / -' },
          price: amount('a price in token base units, at least 1', undefined, 1n),
          weight: { kind: 'number', min: 0, default: 1, doc: 'a non-negative weight' },
        },
      },
    },
    senders: {
      kind: 'object',
      doc: 'a mapping of sender fields',
      fields: {
        count: int('a number of senders between 1 and 2000', 1),
        requestRate: { kind: 'number', min: 0, default: 1, doc: 'a non-negative rate (requests per sender and tick)' },
        arrival: { kind: 'enum', values: ['poisson', 'fixed'], default: 'poisson', doc: 'poisson or fixed' },
        maxRequests: int('a non-negative number of requests (0: unlimited)', 0, 0),
        initialDeposit: amount('a deposit in token base units, at least 1', undefined, 1n),
        topUp: amount('a top-up in token base units, at least 1', undefined, 1n),
        closeAt: int('a block number (0: never)', 0, 0),
      },
    },
    cheaters: {
      kind: 'object',
      doc: 'a mapping of cheater fields',
      fields: {
        fraction: prob('a share between 0 and 1', 0),
        closeProbability: prob('a probability between 0 and 1', 0.1),
        staleRequests: int('a non-negative number of payments', 0, 1_000_000),
      },
    },
    sweep: {
      kind: 'map',
      optional: true,
      doc: 'a mapping of dotted field paths to lists of values',
      // Checked by checkSweep: each value where it lands, by that field's own spec.
      value: { kind: 'list', minItems: 1, item: { kind: 'string', doc: 'a value' }, doc: 'a non-empty list of values' },
    },
    seeds: { kind: 'list', default: [], doc: 'a list of non-negative integer seeds', item: int('a non-negative integer seed', 0) },
  },
};

/** Validates a parsed scenario document (plain data) into a Scenario. */
export function toScenario(raw: unknown, ctx: CheckContext = {}): Scenario {
  const rawSweep = isRecord(raw) ? raw.sweep : undefined;
  const base = isRecord(raw) ? { ...raw, sweep: undefined } : raw;
  const s = check(SCENARIO_SPEC, base, [], ctx) as Omit<Scenario, 'seeds'> & { seeds: number[] };
  if (s.senders.count > 2000)
    throw new ScenarioError('senders.count', s.senders.count, 'at most 2000 senders', {
      ...(ctx.file !== undefined && { file: ctx.file }),
      ...ctx.locate?.(['senders', 'count']),
    });
  s.receiver.offline.forEach((w, i) => {
    if (w.to <= w.from) {
      throw new ScenarioError(`receiver.offline.${i}.to`, w.to, `a block after from (${w.from})`, {
        ...(ctx.file !== undefined && { file: ctx.file }),
        ...ctx.locate?.(['receiver', 'offline', String(i), 'to']),
      });
    }
  });
  const paths = new Set<string>();
  s.resources.forEach((r, i) => {
    if (paths.has(r.path))
      throw new ScenarioError(`resources.${i}.path`, r.path, 'a path not used by another resource', {
        ...(ctx.file !== undefined && { file: ctx.file }),
        ...ctx.locate?.(['resources', String(i), 'path']),
      });
    paths.add(r.path);
  });
  if (!s.resources.some((r) => r.weight > 0))
    throw new ScenarioError(
      'resources',
      s.resources.map((r) => r.weight),
      'at least one resource with a weight above 0',
      { ...(ctx.file !== undefined && { file: ctx.file }) },
    );
  const scenario: Scenario = { ...s, seeds: s.seeds.length > 0 ? s.seeds : [s.seed] };
  if (rawSweep !== undefined) scenario.sweep = checkSweep(rawSweep, raw as Record<string, unknown>, ctx);
  return scenario;
}

/** Each sweep path must name a scalar field, and each value must be valid there. */
function checkSweep(rawSweep: unknown, raw: Record<string, unknown>, ctx: CheckContext): Record<string, unknown[]> {
  const where = (path: string[]) => ({ ...(ctx.file !== undefined && { file: ctx.file }), ...ctx.locate?.(path) });
  if (!isRecord(rawSweep)) throw new ScenarioError('sweep', rawSweep, 'a mapping of dotted field paths to lists of values', where(['sweep']));
  const out: Record<string, unknown[]> = {};
  for (const [path, values] of Object.entries(rawSweep)) {
    if (path === 'sweep' || path === 'seeds' || path.startsWith('sweep.') || path.startsWith('seeds.')) {
      throw new ScenarioError(`sweep.${path}`, path, 'a scenario field other than sweep and seeds', where(['sweep', path]));
    }
    if (!Array.isArray(values) || values.length === 0) throw new ScenarioError(`sweep.${path}`, values, 'a non-empty list of values', where(['sweep', path]));
    const field = fieldAt(SCENARIO_SPEC, path.split('.'));
    if (!field || field.kind === 'object' || field.kind === 'map') {
      throw new ScenarioError(`sweep.${path}`, path, 'the dotted path of a scalar or list field of the scenario', where(['sweep', path]));
    }
    values.forEach((v, i) => {
      try {
        toScenario(setPath({ ...raw, sweep: undefined }, path, v), {});
      } catch (err) {
        const reason = err instanceof ScenarioError ? err.message : String(err);
        throw new ScenarioError(`sweep.${path}.${i}`, v, `a value valid for ${path} (${reason})`, where(['sweep', path, String(i)]));
      }
    });
    out[path] = values;
  }
  return out;
}

function fieldAt(spec: FieldSpec, path: string[]): FieldSpec | undefined {
  const [head, ...rest] = path;
  if (head === undefined) return spec;
  if (spec.kind === 'object') {
    const f = spec.fields[head];
    return f && fieldAt(f, rest);
  }
  if (spec.kind === 'list' && /^[0-9]+$/.test(head)) return fieldAt(spec.item, rest);
  return undefined;
}

/** A copy of `obj` with the dotted `path` set to `value` (intermediate objects and list items created as needed). */
export function setPath(obj: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(obj);
  const keys = path.split('.');
  let cur: Record<string, unknown> = copy;
  keys.slice(0, -1).forEach((k) => {
    const next = cur[k];
    if (!isRecord(next) && !Array.isArray(next)) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  });
  cur[keys[keys.length - 1]!] = value;
  return copy;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface LoadedScenario {
  scenario: Scenario;
  /** the parsed document, plain data: what a sweep rewrites and a worker re-validates */
  raw: Record<string, unknown>;
  file: string;
}

/** Parses YAML text; syntax errors and invalid fields carry the file and line. */
export function parseScenario(text: string, file = '<scenario>'): LoadedScenario {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const pos = lineCounter.linePos(first.pos[0]);
    throw new ScenarioError('', first.code, `valid YAML (${first.message.split('\n')[0]})`, { file, line: pos.line, column: pos.col });
  }
  const raw = doc.toJS({ maxAliasCount: 100 }) as unknown;
  const locate = (path: string[], key = false) => {
    const node = nodeAt(doc.contents, path, key);
    if (!node?.range) return undefined;
    const pos = lineCounter.linePos(node.range[0]);
    return { line: pos.line, column: pos.col };
  };
  const scenario = toScenario(raw, { file, locate });
  return { scenario, raw: raw as Record<string, unknown>, file };
}

export async function loadScenario(file: string): Promise<LoadedScenario> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ScenarioError('', file, `a readable scenario file (${(err as Error).message})`, { file });
  }
  return parseScenario(text, file);
}

/**
 * The YAML node at a path: the value's (the key's when the value is missing, so a line is still
 * known), or with `wantKey` the last key's.
 */
function nodeAt(node: unknown, path: string[], wantKey = false): Node | undefined {
  let cur = node as Node | undefined;
  for (const [i, key] of path.entries()) {
    if (isMap(cur)) {
      const pair = cur.items.find((p) => String((p.key as { value?: unknown } | null)?.value ?? p.key) === key);
      if (!pair) return cur;
      const last = i === path.length - 1;
      cur = (last && wantKey) || !pair.value ? (pair.key as Node) : (pair.value as Node);
    } else if (isSeq(cur)) {
      const item = cur.items[Number(key)] as Node | undefined;
      if (!item) return cur;
      cur = item;
    } else return cur;
  }
  return cur;
}
