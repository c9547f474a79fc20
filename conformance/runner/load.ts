// Loads conformance/cases/*.yaml: one YAML document per case. Every problem is reported as
// `file:line:col: field: message` so the author can jump to it; all problems of all files are
// collected before failing, so one run shows every mistake.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { LineCounter, parseAllDocuments, isNode, isMap, isPair, type Document } from 'yaml';
import { ACTIONS, type CaseSpec, type LoadedCase, type Step } from './types.js';

import { CASES_DIR, SCHEMA_FILE } from './paths.js';
import { UraidenError } from '../../src/protocol/errors.js';

export interface CaseProblem {
  file: string;
  line: number;
  column: number;
  /** dotted path of the offending field, e.g. `steps[2].pay.amount` ('' for the whole document) */
  field: string;
  message: string;
}

/** One or more cases are malformed; `problems` lists each with file, line and field. */
export class CaseFormatError extends UraidenError {
  readonly problems: CaseProblem[];
  constructor(problems: CaseProblem[]) {
    super('CASE_FORMAT', problems.map(formatProblem).join('\n'));
    this.problems = problems;
  }
}

export function formatProblem(p: CaseProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.field || '(case)'}: ${p.message}`;
}

let validator: ValidateFunction | undefined;
async function getValidator(): Promise<ValidateFunction> {
  if (!validator) {
    const schema = JSON.parse(await readFile(SCHEMA_FILE, 'utf8')) as object;
    const ajv = new Ajv({ allErrors: true, strict: false });
    validator = ajv.compile(schema);
  }
  return validator;
}

type PathSeg = string | number;

function fieldName(segs: PathSeg[]): string {
  let out = '';
  for (const s of segs) out += typeof s === 'number' ? `[${s}]` : out === '' ? s : `.${s}`;
  return out;
}

function pointerToSegs(pointer: string): PathSeg[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^[0-9]+$/.test(s) ? Number(s) : s));
}

/** Position of the YAML node at `segs` (or of its key when `key` is set), else of the nearest ancestor. */
function locate(doc: Document, lc: LineCounter, segs: PathSeg[], key?: string): { line: number; column: number } {
  const full = key === undefined ? segs : [...segs, key];
  for (let n = full.length; n >= 0; n--) {
    const sub = full.slice(0, n);
    let offset: number | undefined;
    if (n === full.length && key !== undefined) {
      // point at the offending key itself
      const parent = sub.length > 1 ? doc.getIn(sub.slice(0, -1), true) : doc.contents;
      if (isMap(parent)) {
        const pair = parent.items.find((p) => isPair(p) && isNode(p.key) && (p.key as { value?: unknown }).value === key);
        if (pair && isNode(pair.key)) offset = pair.key.range?.[0];
      }
    } else {
      const node = sub.length === 0 ? doc.contents : doc.getIn(sub, true);
      if (isNode(node)) offset = node.range?.[0];
    }
    if (offset !== undefined) {
      const pos = lc.linePos(offset);
      return { line: pos.line, column: pos.col };
    }
  }
  return { line: 1, column: 1 };
}

/** ajv reports every failed branch of a oneOf; keep the errors a human needs. */
function simplify(errors: ErrorObject[]): { segs: PathSeg[]; key?: string; message: string }[] {
  const out: { segs: PathSeg[]; key?: string; message: string }[] = [];
  const seen = new Set<string>();
  const stepAction = new Set<string>();
  for (const e of errors) {
    const segs = pointerToSegs(e.instancePath);
    const deeper = errors.some(
      (o) =>
        o !== e &&
        o.instancePath.startsWith(e.instancePath) &&
        o.keyword !== 'oneOf' &&
        !(o.schemaPath.includes('/oneOf/') && (o.keyword === 'type' || o.keyword === 'enum' || o.keyword === 'required')) &&
        o.instancePath.length >= e.instancePath.length,
    );
    // ajv names schema paths relative to the referenced definition: the step's action oneOf is '#/oneOf'
    const isStep = /\/steps\/[0-9]+$|\/parallel\/[0-9]+$/.test(e.instancePath);
    if (isStep && (e.schemaPath === '#/oneOf' || e.schemaPath.startsWith('#/oneOf/'))) {
      if (!stepAction.has(e.instancePath)) {
        stepAction.add(e.instancePath);
        out.push({ segs, message: `a step needs exactly one action: ${ACTIONS.join(', ')}` });
      }
      continue;
    }
    if (e.keyword === 'oneOf' && deeper) continue;
    if (e.schemaPath.includes('/oneOf/') && (e.keyword === 'type' || e.keyword === 'enum') && deeper) continue;
    let key: string | undefined;
    let message = e.message ?? e.keyword;
    if (e.keyword === 'additionalProperties') {
      key = String((e.params as { additionalProperty: string }).additionalProperty);
      message = 'unknown field';
    } else if (e.keyword === 'required') {
      message = `missing required field "${(e.params as { missingProperty: string }).missingProperty}"`;
    } else if (e.keyword === 'enum') {
      message = `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    } else if (e.keyword === 'propertyNames') {
      key = String((e.params as { propertyName: string }).propertyName);
      message = 'invalid name';
    }
    const id = `${e.instancePath}|${key ?? ''}|${message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ segs, ...(key === undefined ? {} : { key }), message });
  }
  return out;
}

/** Checks the schema cannot express: names defined before use, parts declared, id area = file. */
function semanticProblems(c: CaseSpec, area: string): { segs: PathSeg[]; message: string }[] {
  const problems: { segs: PathSeg[]; message: string }[] = [];
  const parties = c.parties ?? {};
  const channels = new Set<string>();
  const proofs = new Set<string>();
  const snapshots = new Set<string>();
  const needs = new Set(c.needs ?? []);
  const idArea = c.id.split('/')[1];
  if (idArea !== area) problems.push({ segs: ['id'], message: `area "${idArea}" does not match the file name "${area}.yaml"` });

  const party = (segs: PathSeg[], name: string | undefined, role?: 'sender'): void => {
    if (name === undefined) return;
    const p = parties[name];
    if (!p) problems.push({ segs, message: `unknown party "${name}"` });
    else if (role && p.role !== role) problems.push({ segs, message: `party "${name}" is not a sender` });
  };
  const channel = (segs: PathSeg[], name: string): void => {
    if (!channels.has(name)) problems.push({ segs, message: `channel "${name}" is not opened by an earlier step` });
  };
  const refs = (segs: PathSeg[], value: unknown): void => {
    if (typeof value === 'string') {
      for (const m of value.matchAll(/\$\{([a-z][a-z0-9_]*)(?:\.([a-z_]+))?\}/g)) {
        const name = m[1] as string;
        if (['receiver', 'contract', 'token'].includes(name)) continue;
        if (!parties[name] && !channels.has(name) && !proofs.has(name)) problems.push({ segs, message: `unknown name "${name}" in ${m[0]}` });
      }
    } else if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) refs([...segs, i], v);
    } else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) refs([...segs, k], v);
  };
  const usesPath = (p: string | undefined): void => {
    if (!p) return;
    if (p.startsWith('/echodyn/') && !needs.has('echodyn')) problems.push({ segs: ['needs'], message: `uses ${p}: add "echodyn" to needs` });
    if (p.startsWith('/api/') && !needs.has('rest-api')) problems.push({ segs: ['needs'], message: `uses ${p}: add "rest-api" to needs` });
  };

  const walk = (steps: Step[], base: PathSeg[]): void => {
    steps.forEach((s, i) => {
      const at = [...base, i];
      if (s.open) {
        party([...at, 'open', 'sender'], s.open.sender, 'sender');
        if (s.open.receiver && !/^0x/.test(s.open.receiver) && !['receiver', 'contract', 'token', 'delegate'].includes(s.open.receiver))
          party([...at, 'open', 'receiver'], s.open.receiver);
        if (channels.has(s.open.as)) problems.push({ segs: [...at, 'open', 'as'], message: `channel "${s.open.as}" already defined` });
        channels.add(s.open.as);
      }
      if (s.topup) channel([...at, 'topup', 'channel'], s.topup.channel);
      if (s.pay) {
        channel([...at, 'pay', 'channel'], s.pay.channel);
        usesPath(s.pay.path);
        if (s.pay.reuse !== undefined && !proofs.has(s.pay.reuse))
          problems.push({ segs: [...at, 'pay', 'reuse'], message: `proof "${s.pay.reuse}" is not labelled (as:) by an earlier pay step` });
        party([...at, 'pay', 'sign', 'key'], s.pay.sign?.key);
        refs([...at, 'pay', 'headers'], s.pay.headers);
        if (s.pay.as !== undefined) proofs.add(s.pay.as);
      }
      if (s.request) {
        usesPath(s.request.path);
        refs([...at, 'request'], s.request);
      }
      if (s.close) {
        channel([...at, 'close', 'channel'], s.close.channel);
        party([...at, 'close', 'by'], s.close.by);
      }
      if (s.settle) {
        channel([...at, 'settle', 'channel'], s.settle.channel);
        party([...at, 'settle', 'by'], s.settle.by);
      }
      if (s.coop_close) {
        channel([...at, 'coop_close', 'channel'], s.coop_close.channel);
        if (!needs.has('rest-api')) problems.push({ segs: ['needs'], message: 'coop_close uses the REST API: add "rest-api" to needs' });
        const sig = s.coop_close.sender_signature;
        if (sig && typeof sig === 'object') party([...at, 'coop_close', 'sender_signature', 'key'], sig.key);
      }
      if (s.fuzz) {
        channel([...at, 'fuzz', 'channel'], s.fuzz.channel);
        if (s.fuzz.stream.startsWith('rest') && !needs.has('rest-api'))
          problems.push({ segs: ['needs'], message: `fuzz stream ${s.fuzz.stream} uses the REST API: add "rest-api" to needs` });
        usesPath(s.fuzz.path);
        for (const k of ['expect', 'within', 'hold'] as const)
          if (s[k] !== undefined)
            problems.push({
              segs: [...at, k],
              message: 'fuzz judges every answer itself (no 5xx, no 2xx for a payment or a close): no expect, within or hold',
            });
      }
      if (s.target && !needs.has('restart')) problems.push({ segs: [...at, 'target'], message: 'stops the target: add "restart" to needs' });
      if (s.snapshot) snapshots.add(s.snapshot);
      if (s.revert && !snapshots.has(s.revert)) problems.push({ segs: [...at, 'revert'], message: `snapshot "${s.revert}" is not taken by an earlier step` });
      if (s.parallel) {
        s.parallel.forEach((p, j) => {
          if (!p.pay && !p.request) problems.push({ segs: [...at, 'parallel', j], message: 'only pay and request steps can run in parallel' });
        });
        walk(s.parallel, [...at, 'parallel']);
      }
      if (s.expect) {
        const e = s.expect;
        const http = Boolean(s.pay || s.request || s.coop_close);
        for (const k of ['status', 'status_count', 'flag', 'headers', 'body', 'json'] as const) {
          if (e[k] !== undefined && !http) problems.push({ segs: [...at, 'expect', k], message: 'HTTP expectation on a step that sends no HTTP request' });
        }
        if (e.status_count !== undefined && !s.pay?.concurrent)
          problems.push({ segs: [...at, 'expect', 'status_count'], message: 'status_count needs pay.concurrent' });
        if (s.pay?.concurrent && e.status_count === undefined) problems.push({ segs: [...at, 'expect'], message: 'pay.concurrent needs expect.status_count' });
        if (e.reverts !== undefined && !(s.open || s.topup || s.close || s.settle || s.coop_close?.submit))
          problems.push({ segs: [...at, 'expect', 'reverts'], message: 'reverts only applies to a step that sends a transaction' });
        for (const [name] of Object.entries(e.channel ?? {})) channel([...at, 'expect', 'channel', name], name);
        for (const [name] of Object.entries(e.tokens ?? {})) party([...at, 'expect', 'tokens', name], name);
        for (const [j, ev] of (e.events ?? []).entries()) channel([...at, 'expect', 'events', j, 'channel'], ev.channel);
        refs([...at, 'expect'], e);
      }
      if (s.within !== undefined && !s.expect) problems.push({ segs: [...at, 'within'], message: 'within needs an expect to wait for' });
      if (s.hold !== undefined) {
        if (!s.expect) problems.push({ segs: [...at, 'hold'], message: 'hold needs an expect that must keep holding' });
        if (s.within !== undefined) problems.push({ segs: [...at, 'hold'], message: 'hold and within exclude each other (wait until, or keep true for)' });
        if (!(s.pay || s.request || s.check || (s.coop_close && !s.coop_close.submit)))
          problems.push({ segs: [...at, 'hold'], message: 'hold repeats an observation: pay, request, check or coop_close without submit' });
      }
    });
  };
  walk(c.steps, ['steps']);
  return problems;
}

/** Parses and validates one YAML file (possibly several documents). */
export async function loadCaseText(text: string, file: string): Promise<{ cases: LoadedCase[]; problems: CaseProblem[] }> {
  const validate = await getValidator();
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false });
  const problems: CaseProblem[] = [];
  const cases: LoadedCase[] = [];
  const area = path.basename(file).replace(/\.ya?ml$/, '');
  if (!Array.isArray(docs)) {
    // an empty stream parses to an EmptyStream; nothing to load
    return { cases, problems };
  }
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      for (const err of doc.errors) {
        const pos = lc.linePos(err.pos[0]);
        problems.push({ file, line: pos.line, column: pos.col, field: '', message: `YAML: ${err.message.split('\n')[0]}` });
      }
      continue;
    }
    if (doc.contents === null) continue; // `---` at the end of a file
    const data: unknown = doc.toJS();
    const here = (segs: PathSeg[], key?: string) => locate(doc, lc, segs, key);
    if (!validate(data)) {
      for (const p of simplify(validate.errors ?? [])) {
        const { line, column } = here(p.segs, p.key);
        problems.push({ file, line, column, field: fieldName(p.key === undefined ? p.segs : [...p.segs, p.key]), message: p.message });
      }
      continue;
    }
    const spec = data as CaseSpec;
    const sem = semanticProblems(spec, area);
    for (const p of sem) {
      const { line, column } = here(p.segs);
      problems.push({ file, line, column, field: fieldName(p.segs), message: p.message });
    }
    if (sem.length > 0) continue;
    const stepLines = spec.steps.map((_, i) => here(['steps', i]).line);
    cases.push({ ...spec, file, line: here([]).line, stepLines });
  }
  return { cases, problems };
}

/** Loads every *.yaml under `dir`, sorted by id; throws CaseFormatError listing every problem. */
export async function loadCases(dir: string = CASES_DIR): Promise<LoadedCase[]> {
  const files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  const all: LoadedCase[] = [];
  const problems: CaseProblem[] = [];
  for (const f of files) {
    const file = path.join(dir, f);
    const rel = path.relative(process.cwd(), file) || file;
    const r = await loadCaseText(await readFile(file, 'utf8'), rel);
    all.push(...r.cases);
    problems.push(...r.problems);
  }
  const byId = new Map<string, LoadedCase>();
  for (const c of all) {
    const prev = byId.get(c.id);
    if (prev) problems.push({ file: c.file, line: c.line, column: 1, field: 'id', message: `duplicate id ${c.id} (also ${prev.file}:${prev.line})` });
    byId.set(c.id, c);
  }
  if (problems.length > 0) throw new CaseFormatError(problems);
  return all.sort(compareIds);
}

/** rdn/area/2 before rdn/area/10. */
export function compareIds(a: { id: string }, b: { id: string }): number {
  const [, aa = '', an = '0'] = a.id.split('/');
  const [, ba = '', bn = '0'] = b.id.split('/');
  return aa === ba ? Number(an) - Number(bn) : aa < ba ? -1 : 1;
}
