// Malformed values for the fuzz streams, drawn from a seeded generator (pure-rand's
// xoroshiro128+, never Math.random): the same seed gives the same values in every run.
//
// Each value is meant to be refused. A value that a receiver may legitimately read as the right
// one is never produced: HTTP strips spaces and tabs around a header value, §3.1 compares
// addresses in any case and reads "0012" as 12, §1.4 accepts v 0/1 and a high s, a cookie may be
// quoted or percent-encoded, and §5 leaves the format of a REST number open. The `same*` guards
// below say what counts as the right value, per place; a draw that hits one is drawn again.
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { SECP256K1_N } from './sign.js';

export interface Rand {
  /** uniform integer in [lo, hi] */
  int(lo: number, hi: number): number;
  pick<T>(xs: readonly T[]): T;
  /** true with this probability, in percent */
  chance(percent: number): boolean;
}

export function seeded(seed: number): Rand {
  const gen = xoroshiro128plus(seed);
  // Small seeds leave xoroshiro's state poorly mixed at first: skip ahead.
  for (let i = 0; i < 32; i++) gen.next();
  const int = (lo: number, hi: number) => uniformInt(gen, lo, hi);
  return { int, pick: (xs) => xs[int(0, xs.length - 1)] as (typeof xs)[number], chance: (p) => int(0, 99) < p };
}

/** A value and what kind of damage it carries (for the report). */
export interface Junk {
  value: string;
  label: string;
}

const HEX = '0123456789abcdef';
export function hex(r: Rand, digits: number): string {
  let s = '';
  for (let i = 0; i < digits; i++) s += HEX[r.int(0, 15)];
  return s;
}

/** Non-ASCII text as a header or a path can carry it: its UTF-8 bytes, one latin1 character each. */
export function utf8Bytes(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** Printable ASCII with some latin1 (0xA0–0xFF) characters, never starting or ending in a space. */
function text(r: Rand, max: number): string {
  const n = r.int(1, max);
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(r.chance(85) ? r.int(0x21, 0x7e) : r.int(0xa0, 0xff));
  return s;
}

const WORDS = [
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-Infinity',
  'true',
  'false',
  '[]',
  '{}',
  '0x',
  '-',
  '+',
  '.',
  'e',
  '%00',
  '\\',
  '"',
  "'",
  '<script>',
  '{{x}}',
  "' OR 1=1 --",
  '../../etc/passwd',
  '%s%s%s%n',
  '\\u0000',
  '0x0x',
  '1/0',
];

/** Digits in other scripts: Arabic-Indic, Devanagari, fullwidth (Unicode "decimal", not ASCII). */
const DIGIT_ZEROS = [0x660, 0x966, 0xff10];

function retry(make: () => Junk, isRight: (v: string) => boolean): Junk {
  for (let i = 0; i < 50; i++) {
    const j = make();
    if (!isRight(j.value)) return j;
  }
  return { value: 'x', label: 'text' };
}

// ---------------------------------------------------------------------------------------------
// what counts as the right value

const OWS = /^[ \t]+|[ \t]+$/g;

/** §3.1 integers: decimal ASCII; leading zeros and HTTP's optional whitespace change nothing. */
export function sameInteger(value: string, right: bigint): boolean {
  const m = /^0*([0-9]+)$/.exec(value.replace(OWS, ''));
  return m !== null && BigInt(m[1] as string) === right;
}

/** §3.1 addresses, compared in any case; without `0x` a lenient parser (ethers) still reads it. */
export function sameAddress(value: string, right: string): boolean {
  const strip = (s: string) => s.replace(OWS, '').replace(/^0x/i, '').toLowerCase();
  return strip(value) === strip(right);
}

/** §1.4: v 0/1 means 27/28, any s (n − s with the other v is the same signer); any case; `0x` optional. */
export function sameSignature(value: string, right: string): boolean {
  const parse = (s: string) => {
    const m = /^(?:0x)?([0-9a-fA-F]{130})$/i.exec(s.replace(OWS, ''));
    if (!m) return undefined;
    const h = (m[1] as string).toLowerCase();
    const v = Number.parseInt(h.slice(128), 16);
    return { r: h.slice(0, 64), s: BigInt(`0x${h.slice(64, 128)}`), v: v < 27 ? v + 27 : v };
  };
  const a = parse(value);
  const b = parse(right);
  if (!a || !b || a.r !== b.r) return false;
  return (a.s === b.s && a.v === b.v) || (a.s === SECP256K1_N - b.s && a.v === 27 + 28 - b.v);
}

/**
 * §5 is silent on the format of a number in a path or a body: anything a lenient parser reads as
 * it (Number, parseInt, parseFloat, BigInt, after trimming, percent-decoding, unquoting; `[5]`).
 */
export function looseNumber(value: unknown, right: bigint, depth = 0): boolean {
  if (typeof value === 'boolean' || value === null) return Number(value) === Number(right);
  // 5.5 is 5 to parseInt, 1e0 is 1 to Number: a number is judged as its text
  if (typeof value === 'number') return value === Number(right) || looseNumber(String(value), right, depth);
  // Number([5]) is 5; deeper nesting is looked at no further (a 20 000-deep array is junk)
  if (Array.isArray(value)) return depth < 3 && value.length === 1 && looseNumber(value[0], right, depth + 1);
  if (typeof value !== 'string') return false;
  const texts = new Set<string>();
  for (const t of [value, decodeLoosely(value)]) {
    texts.add(t);
    texts.add(t.trim());
    texts.add(t.replace(/[\s[\]{}"']/g, ''));
  }
  for (const t of texts) {
    const n = Number(t);
    if (t !== '' && Number.isFinite(n) && n === Number(right)) return true;
    if (Number.parseInt(t, 10) === Number(right) || Number.parseFloat(t) === Number(right)) return true;
    if (/^[+-]?[0-9]+$/.test(t) && BigInt(t) === right) return true;
  }
  return false;
}

/** Percent-decoding, when it decodes. */
export function decodeLoosely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

// ---------------------------------------------------------------------------------------------
// values

/** An integer header (RDN-Open-Block, a balance, RDN-Payment) that is not `right`. */
export function junkInteger(r: Rand, right: bigint, isRight: (v: string) => boolean = (v) => sameInteger(v, right)): Junk {
  const digits = right.toString();
  const make = (): Junk => {
    switch (r.int(0, 15)) {
      case 0:
        return { value: `0x${right.toString(16)}`, label: 'hex' };
      case 1:
        return { value: `${digits}.${r.int(0, 9)}`, label: 'fraction' };
      case 2:
        return { value: r.chance(50) ? `${digits}e0` : `1e${r.int(1, 40)}`, label: 'exponent' };
      case 3:
        return { value: `-${digits}`, label: 'negative' };
      case 4:
        return { value: `+${digits}`, label: 'sign' };
      case 5: {
        const at = r.int(1, Math.max(1, digits.length - 1));
        const d = digits.length > 1 ? digits : `${digits}0`;
        return { value: `${d.slice(0, at)}${r.pick(['_', ',', ' ', "'", '\t'])}${d.slice(at)}`, label: 'separator' };
      }
      case 6: {
        const zero = r.pick(DIGIT_ZEROS);
        return { value: utf8Bytes([...digits].map((c) => String.fromCharCode(zero + Number(c))).join('')), label: 'non-ASCII digits' };
      }
      case 7:
        return { value: (right + 2n ** BigInt(r.pick([32, 53, 64, 128, 160, 192, 256]))).toString(), label: 'overflow' };
      case 8:
        return { value: '9'.repeat(r.int(20, 600)), label: 'huge' };
      case 9: {
        const next = right + BigInt(r.pick([-5, -2, -1, 1, 2, 5, 1000]));
        return { value: next.toString(), label: 'another number' };
      }
      case 10:
        return { value: '0', label: 'zero' };
      case 11:
        return { value: r.pick(WORDS), label: 'word' };
      case 12:
        return { value: text(r, 40), label: 'text' };
      case 13:
        return { value: `${digits}${r.pick(['a', 'x', '\xa0', '.', '/', '%', ';', '#', '\xff'])}`, label: 'trailing junk' };
      case 14:
        return { value: `${r.pick(['a', '\xa0', '=', '$', '0x', '0b', '\xff'])}${digits}`, label: 'leading junk' };
      default:
        return { value: '', label: 'empty' };
    }
  };
  return retry(make, isRight);
}

/** An address header that is not `right`; `others` are real addresses of the run (another party's). */
export function junkAddress(r: Rand, right: string, others: readonly string[], isRight: (v: string) => boolean = (v) => sameAddress(v, right)): Junk {
  const lower = right.toLowerCase();
  const make = (): Junk => {
    switch (r.int(0, 11)) {
      case 0:
        return { value: `0x${hex(r, 40)}`, label: 'another address' };
      case 1: {
        const at = r.int(2, 41);
        const c = lower[at] as string;
        return { value: `${lower.slice(0, at)}${HEX[(HEX.indexOf(c) + r.int(1, 15)) % 16]}${lower.slice(at + 1)}`, label: 'one digit changed' };
      }
      case 2:
        return { value: right.slice(0, r.int(3, 41)), label: 'too short' };
      case 3:
        return { value: `${right}${hex(r, r.int(1, 4))}`, label: 'too long' };
      case 4: {
        const at = r.int(2, 41);
        return { value: `${right.slice(0, at)}${r.pick(['g', 'G', 'z', ' ', '-', 'x', '\xff'])}${right.slice(at + 1)}`, label: 'not hex' };
      }
      case 5:
        return { value: `0x${'0'.repeat(40)}`, label: 'zero address' };
      case 6:
        return { value: `0x${right}`, label: '0x twice' };
      case 7:
        return { value: r.pick(others), label: "another party's address" };
      case 8:
        return { value: r.pick(WORDS), label: 'word' };
      case 9:
        return { value: text(r, 50), label: 'text' };
      case 10:
        return { value: hex(r, 40), label: 'another address without 0x' };
      default:
        return { value: '', label: 'empty' };
    }
  };
  return retry(make, isRight);
}

/** A signature header that is not `right` (nor an equivalent form); `stranger`: a well-formed one by another key. */
export function junkSignature(r: Rand, right: string, stranger: string, isRight: (v: string) => boolean = (v) => sameSignature(v, right)): Junk {
  const bytes = () => Buffer.from(right.slice(2), 'hex');
  const make = (): Junk => {
    switch (r.int(0, 12)) {
      case 0:
        return { value: `0x${hex(r, 2 * r.pick([1, 20, 32, 64, 65, 66, 96, 130]))}`, label: 'random bytes' };
      case 1:
        return r.chance(50) ? { value: `${right}${hex(r, 1)}`, label: 'odd length' } : { value: right.slice(0, -1), label: 'odd length' };
      case 2: {
        const at = r.int(2, 131);
        return { value: `${right.slice(0, at)}${r.pick(['g', 'z', ' ', 'x', '\xff'])}${right.slice(at + 1)}`, label: 'not hex' };
      }
      case 3: {
        const b = bytes();
        b[64] = r.pick([2, 3, 4, 26, 29, 30, 31, 32, 35, 36, 37, 38, 100, 127, 128, 255]);
        return { value: `0x${b.toString('hex')}`, label: `v = ${b[64]}` };
      }
      case 4: {
        const b = bytes();
        b[64] = 27 + 28 - (b[64] as number);
        return { value: `0x${b.toString('hex')}`, label: 'the other v' };
      }
      case 5: {
        const b = bytes();
        const at = r.int(0, 63);
        b[at] = (b[at] as number) ^ (1 << r.int(0, 7));
        return { value: `0x${b.toString('hex')}`, label: `bit flipped in ${at < 32 ? 'r' : 's'}` };
      }
      case 6:
        return { value: stranger, label: "a stranger's signature" };
      case 7:
        return { value: right.slice(0, 2 + 2 * r.int(0, 64)), label: 'truncated' };
      case 8:
        return { value: `0x${right}`, label: '0x twice' };
      case 9:
        return { value: bytes().toString('base64'), label: 'base64' };
      case 10:
        return { value: r.pick(WORDS), label: 'word' };
      case 11:
        return { value: text(r, 140), label: 'text' };
      default:
        return { value: '', label: 'empty' };
    }
  };
  return retry(make, isRight);
}

/** Characters a cookie value can carry without quoting (RFC 6265 cookie-octet). */
export function cookieSafe(value: string): boolean {
  return /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/.test(value);
}

/**
 * A path segment as a client could send it: percent-encoded, or now and then with every printable
 * ASCII character raw (which may itself end the segment: `/`, `?`, `#`). Never a raw byte outside
 * printable ASCII: that is not an HTTP request at all (RFC 9112), and a server may drop it unanswered.
 */
export function pathSegment(r: Rand, value: string): string {
  const raw = r.chance(15) ? /[\x21-\x7e]/ : /[A-Za-z0-9\-._~!$&'()*+,;=:@]/;
  return [...Buffer.from(value, 'latin1')]
    .map((b) => (raw.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
}
