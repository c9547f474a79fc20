/**
 * A tiny declarative schema for scenario files: each field says what it accepts and its default,
 * and `check` turns a parsed YAML value into a typed one or throws ScenarioError naming the field
 * by its dotted path. Hand-written rather than JSON Schema so the message says what was expected
 * in the scenario's own words, and amounts (token base units, beyond 2^53) come out as bigints.
 */
import { ScenarioError } from './errors.js';

export type FieldSpec =
  | { kind: 'int'; min?: number; max?: number; default?: number; doc: string }
  | { kind: 'number'; min?: number; max?: number; default?: number; doc: string }
  | { kind: 'amount'; min?: bigint; default?: bigint; doc: string }
  | { kind: 'string'; pattern?: RegExp; default?: string; doc: string }
  | { kind: 'enum'; values: readonly string[]; default?: string; doc: string }
  | { kind: 'object'; fields: Record<string, FieldSpec>; optional?: boolean; doc: string }
  | { kind: 'list'; item: FieldSpec; minItems?: number; default?: unknown[]; doc: string }
  | { kind: 'map'; value: FieldSpec; optional?: boolean; doc: string };

/** Where a field sits in the source, when the caller knows (YAML positions): its value, or with `key` its name. */
export type Locate = (path: string[], key?: boolean) => { line?: number; column?: number } | undefined;

export interface CheckContext {
  file?: string;
  locate?: Locate;
}

export function check(spec: FieldSpec, value: unknown, path: string[], ctx: CheckContext): unknown {
  const fail = (expected: string, at: string[] = path, bad: unknown = value, key = false): never => {
    const pos = ctx.locate?.(at, key) ?? ctx.locate?.(at.slice(0, -1));
    throw new ScenarioError(at.join('.'), bad, expected, { ...(ctx.file !== undefined && { file: ctx.file }), ...pos });
  };
  if (value === undefined || value === null) {
    if ('default' in spec && spec.default !== undefined) return structuredClone(spec.default);
    if ((spec.kind === 'object' || spec.kind === 'map') && spec.optional) return undefined;
    if (spec.kind === 'object') value = {};
    else return fail(spec.doc);
  }
  switch (spec.kind) {
    case 'int':
    case 'number': {
      const ok = typeof value === 'number' && Number.isFinite(value) && (spec.kind === 'number' || Number.isSafeInteger(value));
      const n = value as number;
      if (!ok || (spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) return fail(spec.doc);
      return n;
    }
    case 'amount': {
      let a: bigint | undefined;
      if (typeof value === 'number' && Number.isSafeInteger(value)) a = BigInt(value);
      else if (typeof value === 'string' && /^[0-9]+$/.test(value)) a = BigInt(value);
      if (a === undefined || a < (spec.min ?? 0n)) return fail(spec.doc);
      return a;
    }
    case 'string':
      if (typeof value !== 'string' || (spec.pattern && !spec.pattern.test(value))) return fail(spec.doc);
      return value;
    case 'enum':
      if (typeof value !== 'string' || !spec.values.includes(value)) return fail(spec.doc);
      return value;
    case 'list': {
      if (!Array.isArray(value) || value.length < (spec.minItems ?? 0)) return fail(spec.doc);
      return value.map((v, i) => check(spec.item, v, [...path, String(i)], ctx));
    }
    case 'map': {
      if (!isPlainObject(value)) return fail(spec.doc);
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, check(spec.value, v, [...path, k], ctx)]));
    }
    case 'object': {
      if (!isPlainObject(value)) return fail(spec.doc);
      for (const key of Object.keys(value)) {
        if (!(key in spec.fields)) fail(`one of the fields ${Object.keys(spec.fields).join(', ')} (unknown field)`, [...path, key], key, true);
      }
      const out: Record<string, unknown> = {};
      for (const [key, field] of Object.entries(spec.fields)) {
        const v = check(field, value[key], [...path, key], ctx);
        if (v !== undefined) out[key] = v;
      }
      return out;
    }
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
