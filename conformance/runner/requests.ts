// Steps that talk HTTP to the target: pay (building honest or forged proofs), raw requests and
// the §5 cooperative close; one attempt each (runStep repeats them under `within`).
import type { Agent } from 'node:http';
import { checkHttp } from './expect.js';
import { chainProblems } from './checks.js';
import { channel, party, address, interp, priceOf, type ChannelState, type Ctx } from './context.js';
import { send, type Exchange, type HttpRequest, type HttpResponse } from './http.js';
import { balanceHash, closingHash, mangle, signHash } from './sign.js';
import type { CoopCloseAction, PayAction, Step } from './types.js';

export interface PreparedPay {
  req: HttpRequest;
  balance: bigint;
  signature: string;
  ch: ChannelState;
}

export function preparePay(ctx: Ctx, a: PayAction): PreparedPay {
  const ch = channel(ctx, a.channel);
  const path = a.path ?? '/echofix/paid';
  let headers: Record<string, string>;
  let balance: bigint;
  let signature: string;
  const reused = a.reuse !== undefined ? ctx.proofs.get(a.reuse) : undefined;
  if (reused) {
    headers = { ...reused.headers };
    balance = reused.balance;
    signature = reused.signature;
  } else {
    const { chain } = ctx.env;
    balance = a.balance !== undefined ? BigInt(a.balance) : ch.balance + (a.amount !== undefined ? BigInt(a.amount) : priceOf(path));
    const s = a.sign ?? {};
    const signedBalance = s.balance !== undefined ? BigInt(s.balance) : balance;
    const openBlock = ch.openBlock + (s.open_block_offset ?? 0);
    // The closing message of the same numbers names the sender where the balance proof names the receiver.
    const hash =
      s.message === 'closing'
        ? closingHash(ch.sender.address, openBlock, signedBalance, address(ctx, s.contract ?? 'contract'))
        : balanceHash(address(ctx, s.receiver ?? 'receiver'), openBlock, signedBalance, address(ctx, s.contract ?? 'contract'));
    signature = mangle(signHash(s.key ? party(ctx, s.key).key : ch.sender.key, hash, s.prefixed), a.signature);
    const addr = (x: string) => (a.lowercase_addresses ? x.toLowerCase() : x);
    headers = {
      'RDN-Contract-Address': addr(chain.contract),
      'RDN-Receiver-Address': addr(chain.receiver),
      'RDN-Sender-Address': addr(ch.sender.address),
      'RDN-Open-Block': String(ch.openBlock),
      'RDN-Balance-Signature': signature,
    };
    const which = a.balance_headers ?? 'both';
    if (which !== 'RDN-Sender-Balance') headers['RDN-Balance'] = String(balance);
    if (which !== 'RDN-Balance') headers['RDN-Sender-Balance'] = String(balance);
    if (a.payment_header) headers['RDN-Payment'] = String(balance - ch.balance);
    if (a.cookie) headers = asCookies(headers);
  }
  for (const [k, v] of Object.entries(a.headers ?? {})) {
    for (const existing of Object.keys(headers)) if (existing.toLowerCase() === k.toLowerCase()) delete headers[existing];
    headers[k] = interp(ctx, String(v));
  }
  for (const k of a.omit ?? []) {
    for (const existing of Object.keys(headers)) if (existing.toLowerCase() === k.toLowerCase()) delete headers[existing];
  }
  if (a.as !== undefined) ctx.proofs.set(a.as, { balance, signature, headers: { ...headers } });
  return { req: { method: a.method ?? 'GET', path, headers }, balance, signature, ch };
}

/** §3.1: what a browser client sends — the four payment values as cookies, and no RDN-* header. */
function asCookies(headers: Record<string, string>): Record<string, string> {
  const names = ['RDN-Sender-Address', 'RDN-Open-Block', 'RDN-Sender-Balance', 'RDN-Balance-Signature'];
  const cookie = names.flatMap((name) => (headers[name] === undefined ? [] : [`${name}=${headers[name]}`])).join('; ');
  return Object.fromEntries([...Object.entries(headers).filter(([name]) => !name.startsWith('RDN-')), ['Cookie', cookie]]);
}

/** Sends and records; a transport failure is recorded too before it propagates. */
export async function exchange(ctx: Ctx, req: HttpRequest, sink: Exchange[], keepAlive?: Agent): Promise<HttpResponse> {
  const ex: Exchange = { request: req };
  sink.push(ex);
  try {
    ex.response = await send(ctx.env.target.baseUrl, req, ctx.env.httpTimeoutMs, ctx.signal, keepAlive);
    return ex.response;
  } catch (err) {
    ex.error = err instanceof Error ? err.message : String(err);
    throw err;
  }
}

/** One attempt of an observing step. `final`: the target changed state, retrying would lie. */
export async function observe(ctx: Ctx, step: Step, prepared: PreparedPay | undefined, sink: Exchange[]): Promise<{ problems: string[]; final: boolean }> {
  const e = step.expect ?? {};
  const i = (s: string) => interp(ctx, s);
  if (step.pay && prepared) {
    const n = step.pay.concurrent ?? 1;
    const responses = await Promise.all(Array.from({ length: n }, () => exchange(ctx, prepared.req, sink)));
    const served = responses.some((r) => r.status === 200);
    if (served) {
      prepared.ch.balance = prepared.balance;
      prepared.ch.signature = prepared.signature;
    }
    const problems: string[] = [];
    if (n > 1) {
      const counts: Record<string, number> = {};
      for (const r of responses) counts[r.status] = (counts[r.status] ?? 0) + 1;
      for (const [status, want] of Object.entries(e.status_count ?? {})) {
        if ((counts[status] ?? 0) !== want)
          problems.push(`${counts[status] ?? 0} of ${n} concurrent requests answered ${status}, expected ${want} (answers: ${JSON.stringify(counts)})`);
      }
      const { status_count: _ignored, ...rest } = e;
      for (const r of responses) if (r.status !== 200) problems.push(...checkHttp({ ...rest, status: undefined }, r, i));
    } else {
      problems.push(...checkHttp(e, responses[0] as HttpResponse, i));
    }
    if (problems.length === 0) problems.push(...(await chainProblems(ctx, e)));
    return { problems: dedupe(problems), final: served };
  }
  if (step.request) {
    const r = step.request;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.headers ?? {})) headers[k] = i(String(v));
    const res = await exchange(ctx, { method: r.method ?? 'GET', path: i(r.path), headers, ...(r.body !== undefined ? { body: i(r.body) } : {}) }, sink);
    const problems = checkHttp(e, res, i);
    if (problems.length === 0) problems.push(...(await chainProblems(ctx, e)));
    return { problems, final: false };
  }
  if (step.coop_close) {
    const { problems } = await coopClose(ctx, step, step.coop_close, sink);
    if (problems.length === 0) problems.push(...(await chainProblems(ctx, e)));
    return { problems, final: false };
  }
  // check
  return { problems: await chainProblems(ctx, e), final: false };
}

export function dedupe(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** §5 DELETE /api/1/channels/<sender>/<open_block> with `{balance, sender_signature}`. */
export async function coopClose(ctx: Ctx, step: Step, a: CoopCloseAction, sink: Exchange[]): Promise<{ problems: string[]; response: HttpResponse }> {
  const ch = channel(ctx, a.channel);
  const balance = BigInt(a.balance ?? ch.balance);
  const body: Record<string, unknown> = { balance: a.balance_as === 'number' ? Number(balance) : balance.toString() };
  const how = a.sender_signature ?? 'valid';
  if (how !== 'none') {
    const spec = how === 'valid' ? {} : how;
    const key = spec.key ? party(ctx, spec.key).key : ch.sender.key;
    const signedBalance = spec.balance !== undefined ? BigInt(spec.balance) : balance;
    const openBlock = ch.openBlock + (spec.open_block_offset ?? 0);
    const contract = address(ctx, spec.contract ?? 'contract');
    const hash =
      spec.message === 'balance'
        ? balanceHash(ctx.env.chain.receiver, openBlock, signedBalance, contract)
        : closingHash(ch.sender.address, openBlock, signedBalance, contract);
    body.sender_signature = signHash(key, hash, spec.prefixed);
  }
  const res = await exchange(
    ctx,
    {
      method: 'DELETE',
      path: `/api/1/channels/${ch.sender.address}/${ch.openBlock}`,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    },
    sink,
  );
  const e = step.expect ?? {};
  const problems = checkHttp({ ...e, ...(a.submit && e.status === undefined ? { status: 200 } : {}) }, res, (s) => interp(ctx, s));
  return { problems, response: res };
}
