// The fuzz streams: seeded, deterministic sequences of malformed requests against one channel.
//
//   headers    a payment whose headers (each of the eight §3.1 request headers) are damaged,
//              dropped or repeated
//   cookies    the payment values as cookies of the same names (§3.1, browser clients), damaged,
//              with or without some honest headers
//   rest-body  §5 DELETE /channels/<sender>/<open_block> of the channel with damaged bodies
//   rest-path  GET and DELETE /channels/<junk>/<junk> (the DELETE with an honest body)
//
// Every request is built so that no conforming receiver can serve it: at least one value it must
// read is wrong (see junk.ts for what counts as right). A receiver that reads only some of the
// cookies, or none, or does not require RDN-Receiver-Address, still has to refuse each one.
import type { HttpRequest } from './http.js';
import {
  cookieSafe,
  decodeLoosely,
  hex,
  type Junk,
  junkAddress,
  junkInteger,
  junkSignature,
  looseNumber,
  pathSegment,
  type Rand,
  sameAddress,
  sameInteger,
  sameSignature,
  seeded,
  utf8Bytes,
} from './junk.js';

export const FUZZ_STREAMS = ['headers', 'cookies', 'rest-body', 'rest-path'] as const;
export type FuzzStream = (typeof FUZZ_STREAMS)[number];

/** The honest values a stream damages: the channel, its registered balance, the next proof. */
export interface FuzzBase {
  /** the paywalled resource paid for */
  path: string;
  sender: string;
  receiver: string;
  contract: string;
  openBlock: number;
  registered: bigint;
  price: bigint;
  /** the sender's proof of registered + price */
  signature: string;
  /** a well-formed proof of the same balance by a stranger's key */
  strangerSignature: string;
  /** the sender's §5 closing-message signature over a balance */
  closeSignature(balance: bigint): string;
}

export interface FuzzRequest {
  request: HttpRequest;
  /** what is wrong with it, for the report */
  what: string;
  /** a 2xx is a fair answer (a GET of a REST path); never for a payment or a close */
  mayServe: boolean;
}

/** The request headers of a payment (§3.1), in the order a client sends them. */
const FIELDS = [
  'RDN-Contract-Address',
  'RDN-Receiver-Address',
  'RDN-Sender-Address',
  'RDN-Open-Block',
  'RDN-Balance',
  'RDN-Sender-Balance',
  'RDN-Balance-Signature',
  'RDN-Payment',
] as const;
type Field = (typeof FIELDS)[number];

function rightValue(f: Field, b: FuzzBase): string {
  switch (f) {
    case 'RDN-Contract-Address':
      return b.contract;
    case 'RDN-Receiver-Address':
      return b.receiver;
    case 'RDN-Sender-Address':
      return b.sender;
    case 'RDN-Open-Block':
      return String(b.openBlock);
    case 'RDN-Balance':
    case 'RDN-Sender-Balance':
      return String(b.registered + b.price);
    case 'RDN-Balance-Signature':
      return b.signature;
    case 'RDN-Payment':
      return String(b.price);
  }
}

function isRight(f: Field, value: string, b: FuzzBase): boolean {
  const right = rightValue(f, b);
  if (f === 'RDN-Balance-Signature') return sameSignature(value, right);
  if (f.endsWith('-Address')) return sameAddress(value, right);
  return sameInteger(value, BigInt(right));
}

function junkFor(r: Rand, f: Field, b: FuzzBase, right: (v: string) => boolean = (v) => isRight(f, v, b)): Junk {
  if (f === 'RDN-Balance-Signature') return junkSignature(r, b.signature, b.strangerSignature, right);
  if (f.endsWith('-Address'))
    return junkAddress(
      r,
      rightValue(f, b),
      [b.sender, b.receiver, b.contract].filter((a) => !sameAddress(a, rightValue(f, b))),
      right,
    );
  return junkInteger(r, BigInt(rightValue(f, b)), right);
}

/** What a field holds in a request: the right value, a junk one, none, or two junk ones. */
type Slot = { kind: 'right' } | { kind: 'junk'; junk: Junk } | { kind: 'absent' } | { kind: 'twice'; junk: [Junk, Junk] };

/** An empty or blank value counts as absent (a client clearing a header). */
function blank(value: string): boolean {
  return value.replace(/^[ \t]+|[ \t]+$/g, '') === '';
}

/**
 * Refused by every conforming receiver. As headers (§3.1): the sender, open block and signature
 * must be there and right, a receiver or contract address given must be right, and each balance
 * header given must be right (two that differ are a 409), one of them at least.
 */
function unpayable(slots: Record<Field, Slot>): boolean {
  const notRight = (f: Field) => slots[f].kind !== 'right';
  const wrong = (f: Field) => {
    const s = slots[f];
    return s.kind === 'twice' || (s.kind === 'junk' && !blank(s.junk.value));
  };
  if (notRight('RDN-Sender-Address') || notRight('RDN-Open-Block') || notRight('RDN-Balance-Signature')) return true;
  if (wrong('RDN-Receiver-Address') || wrong('RDN-Contract-Address')) return true;
  if (wrong('RDN-Balance') || wrong('RDN-Sender-Balance')) return true;
  return notRight('RDN-Balance') && notRight('RDN-Sender-Balance');
}

/**
 * Refused by every receiver that reads payment cookies, whichever it reads: §3.1 names four
 * (sender, open block, balance, signature); one may also read RDN-Balance, and ignore the
 * addresses. So: the sender, open block or signature wrong or missing, or both balances.
 */
function unpayableByCookie(effective: Record<Field, Slot>): boolean {
  const notRight = (f: Field) => effective[f].kind !== 'right';
  if (notRight('RDN-Sender-Address') || notRight('RDN-Open-Block') || notRight('RDN-Balance-Signature')) return true;
  return notRight('RDN-Balance') && notRight('RDN-Sender-Balance');
}

function describe(slots: Partial<Record<Field, Slot>>, where = ''): string {
  const parts: string[] = [];
  for (const f of FIELDS) {
    const s = slots[f];
    if (!s || s.kind === 'right') continue;
    if (s.kind === 'absent') parts.push(`${f}${where} left out`);
    else if (s.kind === 'junk') parts.push(`${f}${where} ${JSON.stringify(s.junk.value)} (${s.junk.label})`);
    else parts.push(`${f}${where} twice: ${s.junk.map((j) => `${JSON.stringify(j.value)} (${j.label})`).join(', ')}`);
  }
  return parts.join('; ');
}

/** A repeated header or cookie carries two non-blank wrong values: a blank one could be taken for "absent". */
function twiceJunk(r: Rand, f: Field, b: FuzzBase, extra: (v: string) => boolean = () => false): Junk {
  return junkFor(r, f, b, (v) => blank(v) || extra(v) || isRight(f, v, b));
}

// ---------------------------------------------------------------------------------------------
// headers

function headersRequest(r: Rand, b: FuzzBase): FuzzRequest {
  const slots = Object.fromEntries(FIELDS.map((f) => [f, { kind: 'right' } as Slot])) as Record<Field, Slot>;
  const damaged = r.pick([1, 1, 1, 1, 2, 2, 3]);
  // The first damage falls on a header every receiver must read right; the others anywhere.
  const pool: Field[] = [...FIELDS];
  for (let i = 0; i < damaged; i++) {
    const candidates = i === 0 ? pool.filter((f) => f !== 'RDN-Payment') : pool;
    const f = r.pick(candidates);
    pool.splice(pool.indexOf(f), 1);
    const how = r.int(0, 99);
    if (how < 75) slots[f] = { kind: 'junk', junk: junkFor(r, f, b) };
    else if (how < 88) slots[f] = { kind: 'absent' };
    else slots[f] = { kind: 'twice', junk: [twiceJunk(r, f, b), twiceJunk(r, f, b)] };
  }
  // A lone missing balance header, receiver or contract is allowed (§3.1): drop the other balance
  // header too, or damage the optional one instead.
  if (!unpayable(slots)) {
    const f = r.pick(['RDN-Sender-Address', 'RDN-Open-Block', 'RDN-Balance-Signature'] as const);
    slots[f] = { kind: 'junk', junk: twiceJunk(r, f, b) };
  }
  const headers: Record<string, string | string[]> = {};
  for (const f of FIELDS) {
    const s = slots[f];
    if (f === 'RDN-Payment' && s.kind === 'right') {
      // RDN-Payment is optional (§3.1): honest requests carry it now and then
      if (r.chance(30)) headers[f] = rightValue(f, b);
      continue;
    }
    if (s.kind === 'right') headers[f] = rightValue(f, b);
    else if (s.kind === 'junk') headers[f] = s.junk.value;
    else if (s.kind === 'twice') headers[f] = s.junk.map((j) => j.value);
  }
  return { request: { method: 'GET', path: b.path, headers }, what: describe(slots), mayServe: false };
}

// ---------------------------------------------------------------------------------------------
// cookies

/** Right for a cookie: as for a header, and also when quoted or percent-encoded. */
function rightCookie(f: Field, value: string, b: FuzzBase): boolean {
  const unquoted = value.replace(/^"(.*)"$/, '$1');
  return [value, unquoted, decodeLoosely(value), decodeLoosely(unquoted)].some((v) => isRight(f, v, b));
}

function cookieJunk(r: Rand, f: Field, b: FuzzBase): Junk {
  return junkFor(r, f, b, (v) => !cookieSafe(v) || rightCookie(f, v, b));
}

function cookiesRequest(r: Rand, b: FuzzBase): FuzzRequest {
  const cookies = Object.fromEntries(FIELDS.map((f) => [f, { kind: 'absent' } as Slot])) as Record<Field, Slot>;
  for (const f of FIELDS) {
    const how = r.int(0, 99);
    if (how < 45) cookies[f] = { kind: 'right' };
    else if (how < 80) cookies[f] = { kind: 'junk', junk: cookieJunk(r, f, b) };
    else if (how < 88) {
      const unsafe = (v: string) => !cookieSafe(v) || rightCookie(f, v, b);
      cookies[f] = { kind: 'twice', junk: [twiceJunk(r, f, b, unsafe), twiceJunk(r, f, b, unsafe)] };
    }
  }
  // Now and then some honest headers too (never the signature): where a header and a cookie both
  // carry a value, the header wins (§3.1).
  const headers: Record<string, string> = {};
  if (r.chance(25)) {
    for (const f of FIELDS.slice(0, 6)) if (r.chance(50)) headers[f] = rightValue(f, b);
  }
  const effective = Object.fromEntries(FIELDS.map((f) => [f, headers[f] !== undefined ? ({ kind: 'right' } as Slot) : cookies[f]])) as Record<Field, Slot>;
  if (!unpayableByCookie(effective)) {
    const f = r.pick(['RDN-Sender-Address', 'RDN-Open-Block', 'RDN-Balance-Signature'].filter((x) => headers[x] === undefined)) as Field;
    cookies[f] = { kind: 'junk', junk: twiceJunk(r, f, b, (v) => !cookieSafe(v) || rightCookie(f, v, b)) };
  }
  const pairs: string[] = [];
  for (const f of FIELDS) {
    const s = cookies[f];
    if (s.kind === 'right') pairs.push(`${f}=${rightValue(f, b)}`);
    else if (s.kind === 'junk') pairs.push(`${f}=${s.junk.value}`);
    else if (s.kind === 'twice') pairs.push(...s.junk.map((j) => `${f}=${j.value}`));
  }
  // other cookies a browser sends along, and some noise
  if (r.chance(30)) pairs.push(`session=${hex(r, 16)}`);
  if (r.chance(10)) pairs.push(r.pick(['=', ';', 'RDN', 'rdn=1', `x=${'y'.repeat(r.int(1, 3000))}`]));
  // shuffled, so that no receiver can depend on the order
  for (let i = pairs.length - 1; i > 0; i--) {
    const j = r.int(0, i);
    [pairs[i], pairs[j]] = [pairs[j] as string, pairs[i] as string];
  }
  const all: Record<string, string> = { ...headers };
  if (pairs.length) all.Cookie = pairs.join(r.chance(90) ? '; ' : ';');
  if (r.chance(20)) all.Accept = 'text/html';
  const shown = [describe(cookies, ' cookie'), Object.keys(headers).length ? `honest headers: ${Object.keys(headers).join(', ')}` : ''].filter(Boolean);
  return { request: { method: 'GET', path: b.path, headers: all }, what: shown.join('; '), mayServe: false };
}

// ---------------------------------------------------------------------------------------------
// REST: close-request bodies

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=latin1',
  'application/xml',
  '*/*',
  '',
];

/** A `balance` in a close body that is not the registered one, in any reading. */
function junkBalance(r: Rand, registered: bigint): { json: string; label: string } {
  const wrong = (v: unknown) => looseNumber(v, registered);
  for (let i = 0; i < 50; i++) {
    const choice = r.int(0, 9);
    let v: unknown;
    let label: string;
    if (choice < 4) {
      const j = junkInteger(r, registered, (t) => looseNumber(t, registered));
      [v, label] = [j.value, `"${j.label}" string`];
    } else if (choice < 6) {
      v = r.pick([-1, 0.5, Number(registered) + 0.5, Number(registered) + 1, Number(registered) - 1, 2 ** 53 + 1, 1e300, -0.0001]);
      label = 'number';
    } else if (choice < 8) {
      v = r.pick([null, true, false, [], {}, [Number(registered) + 1], { value: '1' }]);
      label = 'not a number';
    } else {
      // what JSON cannot say, written raw
      const raw = r.pick(['NaN', 'Infinity', '-Infinity', '0x10', '1e400', '.5', '01.0e', 'undefined']);
      if (!wrong(raw)) return { json: raw, label: 'raw literal' };
      continue;
    }
    if (!wrong(v)) return { json: JSON.stringify(v), label };
  }
  return { json: '"x"', label: 'text' };
}

function closeBody(r: Rand, b: FuzzBase): { body: string; what: string; form?: boolean } {
  const right = b.closeSignature(b.registered);
  const sig = (): { json: string; label: string } => {
    const how = r.int(0, 99);
    if (how < 40) return { json: JSON.stringify(right), label: 'the right signature' };
    if (how < 70) {
      const j = junkSignature(r, right, b.strangerSignature);
      return { json: JSON.stringify(j.value), label: j.label };
    }
    if (how < 85) return { json: '', label: 'no signature' };
    const v = r.pick([123, null, true, [], {}, [right]]);
    return { json: JSON.stringify(v), label: 'not a string' };
  };
  switch (r.int(0, 9)) {
    case 0:
    case 1:
    case 2: {
      const bal = junkBalance(r, b.registered);
      const s = sig();
      const fields = [`"balance": ${bal.json}`, ...(s.json ? [`"sender_signature": ${s.json}`] : [])];
      if (r.chance(20)) fields.push(`"${r.pick(['extra', 'sender', 'open_block', '__proto__', 'constructor'])}": ${r.pick(['1', '"x"', '{}', 'null'])}`);
      return { body: `{${fields.join(', ')}}`, what: `balance ${bal.json} (${bal.label}), ${s.label}` };
    }
    case 3: {
      // a well-formed close for another balance, signed for that balance: refused all the same (§5: 400)
      const other = b.registered + BigInt(r.pick([-1, 1, 5, 1000])) * (r.chance(50) ? 1n : -1n);
      const balance = other < 0n ? b.registered + 7n : other;
      return {
        body: JSON.stringify({ balance: balance.toString(), sender_signature: b.closeSignature(balance) }),
        what: `balance ${balance} ≠ the registered ${b.registered}, signed for it`,
      };
    }
    case 4: {
      const bal = junkBalance(r, b.registered);
      const value = bal.json.replace(/^"(.*)"$/, '$1');
      return { body: `balance=${encodeURIComponent(value)}&sender_signature=${right}`, what: `a form, balance ${JSON.stringify(value)}`, form: true };
    }
    case 5: {
      const whole = JSON.stringify({ balance: b.registered.toString(), sender_signature: right });
      return { body: whole.slice(0, r.int(1, whole.length - 2)), what: 'truncated JSON' };
    }
    case 6: {
      const depth = r.pick([64, 1000, 20_000]);
      const deep = `${'['.repeat(depth)}${']'.repeat(depth)}`;
      return r.chance(50) ? { body: deep, what: `arrays nested ${depth} deep` } : { body: `{"balance": ${deep}}`, what: `a balance nested ${depth} deep` };
    }
    case 7: {
      const a = junkBalance(r, b.registered);
      const c = junkBalance(r, b.registered);
      return {
        body: `{"balance": ${a.json}, "sender_signature": ${JSON.stringify(right)}, "balance": ${c.json}}`,
        what: `balance twice: ${a.json}, ${c.json}`,
      };
    }
    case 8: {
      const bal = junkBalance(r, b.registered);
      const pad = 'x'.repeat(r.int(1000, 60_000));
      return { body: `\ufeff{"balance": ${bal.json}, "pad": "${pad}"}`, what: `byte-order mark, balance ${bal.json}, ${pad.length} bytes of padding` };
    }
    default: {
      const t = r.pick(['', 'null', '[]', '1', '"x"', 'true', "{'balance': 'x'}", '{"balance"}', '{', '}', utf8Bytes('{"balance": "٥"}')]);
      return { body: t, what: `body ${JSON.stringify(t)}` };
    }
  }
}

function restBodyRequest(r: Rand, b: FuzzBase): FuzzRequest {
  const { body, what, form } = closeBody(r, b);
  const type = form ? 'application/x-www-form-urlencoded' : r.pick(CONTENT_TYPES);
  return {
    request: { method: 'DELETE', path: `/api/1/channels/${b.sender}/${b.openBlock}`, headers: type ? { 'Content-Type': type } : {}, body },
    what: `${what}${type ? `, Content-Type ${type}` : ', no Content-Type'}`,
    mayServe: false,
  };
}

// ---------------------------------------------------------------------------------------------
// REST: paths

/** The channel a path names once decoded and normalised (query, fragment, dot segments, empty ones). */
function namesChannel(path: string, b: FuzzBase): boolean {
  const segs: string[] = [];
  for (const raw of (path.split(/[?#]/)[0] as string).split('/')) {
    const s = decodeLoosely(raw);
    if (s === '' || s === '.') continue;
    if (s === '..') segs.pop();
    else segs.push(s);
  }
  return (
    segs.length === 5 &&
    segs.slice(0, 3).join('/') === 'api/1/channels' &&
    sameAddress(segs[3] as string, b.sender) &&
    looseNumber(segs[4], BigInt(b.openBlock))
  );
}

function restPathRequest(r: Rand, b: FuzzBase): FuzzRequest {
  for (;;) {
    const realSender = r.chance(40);
    const realBlock = !realSender && r.chance(50);
    const sender = realSender
      ? { value: r.pick([b.sender, b.sender.toLowerCase(), `0x${b.sender.slice(2).toUpperCase()}`]), label: 'the sender' }
      : junkAddress(r, b.sender, [b.receiver, b.contract]);
    const block = realBlock
      ? { value: String(b.openBlock), label: 'the open block' }
      : junkInteger(r, BigInt(b.openBlock), (v) => looseNumber(v, BigInt(b.openBlock)));
    const extra = r.pick([
      '',
      '',
      '',
      '/',
      `/${pathSegment(r, junkInteger(r, 0n).value)}`,
      `?status=${pathSegment(r, junkInteger(r, 0n).value)}`,
      '?status=all',
    ]);
    const lead = r.chance(10) ? '/api/1/channels//' : '/api/1/channels/';
    const path = `${lead}${pathSegment(r, sender.value)}/${pathSegment(r, block.value)}${extra}`;
    if (namesChannel(path, b)) continue;
    const what = `sender ${JSON.stringify(sender.value)} (${sender.label}), open block ${JSON.stringify(block.value)} (${block.label})`;
    if (r.chance(50)) return { request: { method: 'GET', path, headers: {} }, what, mayServe: true };
    // an honest close body: a receiver that reads the junk path as this channel would close it
    const body = JSON.stringify({ balance: b.registered.toString(), sender_signature: b.closeSignature(b.registered) });
    return {
      request: { method: 'DELETE', path, headers: { 'Content-Type': 'application/json' }, body },
      what: `${what}, an honest close body`,
      mayServe: false,
    };
  }
}

// ---------------------------------------------------------------------------------------------

const MAKERS: Record<FuzzStream, (r: Rand, b: FuzzBase) => FuzzRequest> = {
  headers: headersRequest,
  cookies: cookiesRequest,
  'rest-body': restBodyRequest,
  'rest-path': restPathRequest,
};

/** `count` requests of a stream; the same seed and base give the same requests. */
export function* fuzzRequests(stream: FuzzStream, seed: number, count: number, base: FuzzBase): Generator<FuzzRequest> {
  const r = seeded(seed);
  for (let i = 0; i < count; i++) yield MAKERS[stream](r, base);
}
