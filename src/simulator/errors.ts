import { UraidenError } from '../protocol/errors.js';

/** A scenario file (or a sweep value) that does not describe a valid simulation. */
export class ScenarioError extends UraidenError {
  /** dotted path of the offending field, e.g. `senders.count` ('' for the whole document) */
  readonly field: string;
  readonly value: unknown;
  readonly file: string | undefined;
  readonly line: number | undefined;

  constructor(field: string, value: unknown, expected: string, where: { file?: string; line?: number; column?: number } = {}) {
    const at = where.file ? `${where.file}${where.line !== undefined ? `:${where.line}${where.column !== undefined ? `:${where.column}` : ''}` : ''}: ` : '';
    super('INVALID_SCENARIO', `${at}${field || '(document)'}: ${show(value)} is invalid: expected ${expected}`);
    this.field = field;
    this.value = value;
    this.file = where.file;
    this.line = where.line;
  }
}

/** A run that failed inside the simulator (a worker died, a transaction reverted unexpectedly). */
export class SimulationError extends UraidenError {
  readonly run: number;

  constructor(run: number, message: string, options?: ErrorOptions) {
    super('SIMULATION_FAILED', `run ${run}: ${message}`, options);
    this.run = run;
  }
}

/**
 * A shard that cannot be run or merged: a bad `--shard I/N`, or shard files that do not make up
 * exactly one run of one scenario (another scenario, other seeds, one missing or given twice).
 */
export class ShardError extends UraidenError {
  /** the shard at fault, as `I/N`, with the directory it was read from when there is one */
  readonly shard: string;

  constructor(shard: string, message: string, options?: ErrorOptions) {
    super('INVALID_SHARD', message, options);
    this.shard = shard;
  }
}

function show(value: unknown): string {
  if (value === undefined) return '(missing)';
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? String(value);
  } catch {
    return String(value);
  }
}
