/** Runs `uraiden conformance` as a user would: a child process, spawned asynchronously. */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type Finished, ROOT, uraiden } from '../helpers/processes.js';

export { BIN, ROOT, uraiden } from '../helpers/processes.js';
export type CliResult = Finished;
export const FIXTURES = path.join(ROOT, 'test/conformance/fixtures');

/**
 * A minimal XML well-formedness check (no XML parser among the dependencies): one root, tags
 * nested and closed, attributes quoted, only the five predefined entities or character refs.
 * Returns the element names in document order.
 */
export function checkXml(text: string): string[] {
  let s = text.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  const names: string[] = [];
  let roots = 0;
  while (s.length > 0) {
    const lt = s.indexOf('<');
    const textPart = lt === -1 ? s : s.slice(0, lt);
    if (/&(?!(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)/.test(textPart)) throw new Error(`bad entity in text: ${textPart.slice(0, 80)}`);
    if (stack.length === 0 && textPart.trim() !== '') throw new Error(`text outside the root: ${textPart.slice(0, 80)}`);
    if (lt === -1) break;
    s = s.slice(lt);
    const gt = s.indexOf('>');
    if (gt === -1) throw new Error('unterminated tag');
    const tag = s.slice(0, gt + 1);
    s = s.slice(gt + 1);
    const close = /^<\/([A-Za-z_][\w.-]*)\s*>$/.exec(tag);
    if (close) {
      if (stack.pop() !== close[1]) throw new Error(`mismatched </${close[1]}>`);
      continue;
    }
    const open = /^<([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"<]*")*)\s*(\/?)>$/.exec(tag);
    if (!open) throw new Error(`malformed tag: ${tag.slice(0, 120)}`);
    if (/&(?!(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)/.test(open[2] ?? '')) throw new Error(`bad entity in attributes: ${tag.slice(0, 120)}`);
    if (stack.length === 0) roots++;
    names.push(open[1] as string);
    if (open[3] !== '/') stack.push(open[1] as string);
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.join('>, <')}>`);
  if (roots !== 1) throw new Error(`${roots} root elements`);
  return names;
}

/** The three reports a run wrote. */
export interface Reports {
  json: string;
  junit: string;
  html: string;
}

/** `uraiden conformance <args>` writing its reports into a fresh folder: how it ended, and the reports. */
export async function conformanceRun(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ r: CliResult; dir: string; reports: Reports }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'conformance-'));
  const r = await uraiden(['conformance', ...args, '--report-dir', dir], env);
  return { r, dir, reports: await readReports(dir) };
}

export async function readReports(dir: string): Promise<Reports> {
  const read = (f: string) => readFile(path.join(dir, f), 'utf8');
  return { json: await read('conformance.json'), junit: await read('conformance.junit.xml'), html: await read('conformance.html') };
}

/** The reports without what legitimately changes between runs: timings. */
export function timeless(r: Reports): { json: unknown; junit: string; html: string } {
  return {
    json: JSON.parse(r.json, (key, value: unknown) => (key === 'durationMs' || key === 'totalMs' || key === 'startedAt' ? undefined : value)),
    junit: r.junit.replace(/ time="[0-9.]+"/g, ''),
    html: r.html.replace(/<td class="time">[0-9]+&nbsp;ms<\/td>/g, '').replace(/total time [0-9.]+ s/, ''),
  };
}

/** Occurrences of `needle` in `text`. */
export function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

/**
 * Where the reference receiver does not pass the catalogue yet, and exactly how it fails (an
 * expected failure, as --expected-failures takes it, with the message it must fail with). Each
 * was reported to the lead; remove an entry once the reference passes (the tests then say so).
 */
export const REFERENCE_BUGS: Record<string, { reason: string; message: RegExp }> = {};

/** The --expected-failures file for REFERENCE_BUGS. */
export async function referenceBugsFile(): Promise<string> {
  const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'known-')), 'reference-bugs.json');
  await writeFile(file, JSON.stringify(Object.fromEntries(Object.entries(REFERENCE_BUGS).map(([id, b]) => [id, b.reason]))));
  return file;
}

interface Judged {
  id: string;
  outcome: string;
  message?: string;
  expectedFailure?: string;
}

/** Problems with a run of the reference: a case not passing that is not a known bug failing as known, or a known bug passing. */
export function notAsKnown(results: readonly Judged[]): string[] {
  const out: string[] = [];
  for (const r of results) {
    const bug = REFERENCE_BUGS[r.id];
    if (!bug) {
      if (r.outcome !== 'pass') out.push(`${r.id} ${r.outcome}: ${r.message}`);
    } else if (r.outcome === 'pass') out.push(`${r.id} passes now: remove it from REFERENCE_BUGS (test/conformance/helpers.ts)`);
    else if (r.expectedFailure === undefined || !bug.message.test(r.message ?? '')) out.push(`${r.id} ${r.outcome}, not as known: ${r.message}`);
  }
  return out;
}

/**
 * The cases two JSON reports (timeless) tell differently: the field, and for exchanges the first
 * answer that differs (what the target said each time), so a failure shows its cause.
 */
export function differences(a: unknown, b: unknown): string[] {
  type X = { response?: { status: number; body: string } };
  type R = { id: string; exchanges?: X[] } & Record<string, unknown>;
  const ra = (a as { results: R[] }).results;
  const rb = new Map((b as { results: R[] }).results.map((r) => [r.id, r]));
  const out: string[] = [];
  for (const r of ra) {
    const other = rb.get(r.id);
    const key = Object.keys(r).find((k) => JSON.stringify(r[k]) !== JSON.stringify(other?.[k]));
    if (!key) continue;
    let what = '';
    if (key === 'exchanges') {
      const i = (r.exchanges ?? []).findIndex((x, n) => JSON.stringify(x) !== JSON.stringify(other?.exchanges?.[n]));
      const said = (x: X | undefined) => (x?.response ? `${x.response.status} ${JSON.stringify(x.response.body.slice(0, 160))}` : 'no answer');
      what = ` (exchange ${i + 1}: ${said(r.exchanges?.[i])}, then ${said(other?.exchanges?.[i])})`;
    }
    out.push(`${r.id}: ${key} differs${what}`);
  }
  return out;
}
