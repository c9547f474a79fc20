// Matchers for a step's `expect`. Each returns the list of mismatches (empty = pass), worded so a
// server author can act on them without reading the runner.
import type { HttpResponse } from './http.js';
import { ERROR_FLAGS } from '../../src/protocol/headers.js';
import type { BodyExpectation, Expect, HeaderExpectation } from './types.js';

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

export function checkHttp(e: Expect, res: HttpResponse, interp: (s: string) => string): string[] {
  const out: string[] = [];
  if (e.status !== undefined) {
    const ok = Array.isArray(e.status) ? e.status.includes(res.status) : res.status === e.status;
    if (!ok) out.push(`status ${res.status}, expected ${Array.isArray(e.status) ? `one of ${e.status.join('/')}` : e.status}${reasonOf(res)}`);
  }
  const flags = ERROR_FLAGS.filter((f) => res.headers[f.toLowerCase()] !== undefined);
  // §3.1: at most one error flag per reply, whatever the case expects
  if (flags.length > 1) out.push(`${flags.length} error flags in one reply (${flags.join(', ')}); §3.1 allows at most one`);
  if (e.flag !== undefined) {
    const allowed = Array.isArray(e.flag) ? e.flag : [e.flag];
    const got = flags[0] ?? 'none';
    if (!allowed.includes(got)) out.push(`error flag ${got}, expected ${allowed.join(' or ')}`);
    else if (got !== 'none' && res.headers[got.toLowerCase()] !== '1') out.push(`${got}: "${res.headers[got.toLowerCase()]}", expected "1"`);
  }
  for (const [name, exp] of Object.entries(e.headers ?? {})) {
    // Set-Cookie is kept apart (one value per cookie); expectations see them one per line
    const actual = name.toLowerCase() === 'set-cookie' ? (res.setCookies.length ? res.setCookies.join('\n') : undefined) : res.headers[name.toLowerCase()];
    out.push(...checkHeader(name, exp, actual, interp));
  }
  if (e.body !== undefined) out.push(...checkBody(e.body, res.body, interp));
  if (e.json !== undefined) {
    let actual: unknown;
    try {
      actual = JSON.parse(res.body);
    } catch {
      out.push(`body is not JSON: ${clip(res.body)}`);
      return out;
    }
    out.push(...matchJson(e.json, actual, 'body', interp));
  }
  return out;
}

function reasonOf(res: HttpResponse): string {
  const flags = ERROR_FLAGS.filter((f) => res.headers[f.toLowerCase()] !== undefined);
  const body = res.body.trim();
  return `${flags.length ? ` [${flags.join(', ')}]` : ''}${body && res.status !== 200 ? ` (body: ${clip(body)})` : ''}`;
}

export function clip(text: string, n = 160): string {
  const one = text.replace(/\s+/g, ' ');
  return JSON.stringify(one.length > n ? `${one.slice(0, n)}…` : one);
}

function checkHeader(name: string, exp: HeaderExpectation, actual: string | undefined, interp: (s: string) => string): string[] {
  const spec = typeof exp === 'object' ? exp : { equals: exp };
  const out: string[] = [];
  const shown = actual === undefined ? 'absent' : JSON.stringify(actual);
  if (spec.present && actual === undefined) out.push(`header ${name} absent, expected present`);
  if (spec.absent && actual !== undefined) out.push(`header ${name} is ${shown}, expected absent`);
  if (spec.equals !== undefined) {
    const want = interp(String(spec.equals));
    if (actual !== want) out.push(`header ${name} is ${shown}, expected "${want}"`);
  }
  if (spec.iequals !== undefined) {
    const want = interp(spec.iequals);
    if (actual?.toLowerCase() !== want.toLowerCase()) out.push(`header ${name} is ${shown}, expected "${want}" (any case)`);
  }
  if (spec.matches !== undefined) {
    const re = new RegExp(interp(spec.matches));
    if (actual === undefined || !re.test(actual)) out.push(`header ${name} is ${shown}, expected to match /${re.source}/`);
  }
  return out;
}

function checkBody(exp: BodyExpectation, body: string, interp: (s: string) => string): string[] {
  const spec = typeof exp === 'string' ? { equals: exp } : exp;
  const out: string[] = [];
  if (spec.equals !== undefined && body !== interp(spec.equals)) out.push(`body ${clip(body)}, expected ${clip(interp(spec.equals))}`);
  if (spec.not_equals !== undefined && body === interp(spec.not_equals)) out.push(`body is ${clip(body)}: the content was served`);
  if (spec.contains !== undefined && !body.includes(interp(spec.contains))) out.push(`body ${clip(body)} does not contain ${clip(interp(spec.contains))}`);
  if (spec.not_contains !== undefined && body.includes(interp(spec.not_contains))) out.push(`body contains ${clip(interp(spec.not_contains))}`);
  if (spec.matches !== undefined && !new RegExp(interp(spec.matches)).test(body)) out.push(`body ${clip(body)} does not match /${interp(spec.matches)}/`);
  return out;
}

/**
 * Partial JSON match: expected object keys must exist and match; each expected array element must
 * match some actual element; scalars compare as strings (§5: amounts may be strings or numbers),
 * addresses in any case; a string "/re/" is a regular expression.
 */
export function matchJson(exp: unknown, actual: unknown, at: string, interp: (s: string) => string): string[] {
  if (Array.isArray(exp)) {
    if (!Array.isArray(actual)) return [`${at}: expected an array, got ${clip(JSON.stringify(actual) ?? 'nothing')}`];
    const out: string[] = [];
    exp.forEach((e, i) => {
      if (!actual.some((a) => matchJson(e, a, at, interp).length === 0))
        out.push(`${at}: no element matches ${clip(JSON.stringify(e))} (got ${clip(JSON.stringify(actual), 300)})`);
      void i;
    });
    return out;
  }
  if (exp !== null && typeof exp === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual))
      return [`${at}: expected an object, got ${clip(JSON.stringify(actual) ?? 'nothing')}`];
    const out: string[] = [];
    for (const [k, v] of Object.entries(exp)) {
      const a = (actual as Record<string, unknown>)[k];
      if (a === undefined) out.push(`${at}.${k}: missing`);
      else out.push(...matchJson(v, a, `${at}.${k}`, interp));
    }
    return out;
  }
  const want = typeof exp === 'string' ? interp(exp) : String(exp);
  if (actual === null || typeof actual === 'object') return [`${at}: expected ${JSON.stringify(want)}, got ${clip(JSON.stringify(actual))}`];
  const got = String(actual);
  if (want.length > 2 && want.startsWith('/') && want.endsWith('/')) {
    return new RegExp(want.slice(1, -1)).test(got) ? [] : [`${at}: ${JSON.stringify(got)} does not match ${want}`];
  }
  if (ADDRESS.test(want) && ADDRESS.test(got)) return want.toLowerCase() === got.toLowerCase() ? [] : [`${at}: ${got}, expected ${want}`];
  return got === want ? [] : [`${at}: ${JSON.stringify(actual)}, expected ${JSON.stringify(want)}`];
}
