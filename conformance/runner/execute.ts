// Runs one case: funds its parties, plays its steps in order, checks each step's expectations, and
// classifies the result (§6 outcomes). A case never throws: whatever happens becomes a CaseRun.
import { getAddress, type Wallet } from 'ethers';
import { ChainCallError, ChainClient } from './chain.ts';
import { checkHttp, matchJson } from './expect.ts';
import { send, TransportError, type Exchange, type HttpRequest, type HttpResponse } from './http.ts';
import { balanceHash, closingHash, mangle, normalized, signHash } from './sign.ts';
import type { Target } from './target.ts';
import { actionOf, type Blocks, type CoopCloseAction, type Expect, type LoadedCase, type OptionalPart, type PayAction, type Step } from './types.ts';

export type Outcome = 'pass' | 'fail' | 'warn' | 'unimplemented' | 'error';

export interface RunEnv {
  chain: ChainClient;
  target: Target;
  confirmations: number;
  challengePeriod: number;
  multiplier: number;
  /** makes party keys fresh per run on a shared chain; constant on the runner's own fresh chain */
  salt: string;
  httpTimeoutMs: number;
  /** optional parts the target has (§6); restart = the runner can restart it */
  parts: Record<OptionalPart, boolean>;
}

export interface CaseRun {
  outcome: Outcome;
  message?: string;
  /** index and YAML line of the step that decided the outcome */
  step?: number;
  stepLine?: number;
  exchanges: Exchange[];
  chainCalls: string[];
}

/** Expectations not met: a fail (MUST) or warn (SHOULD). */
class Mismatch extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}
/** The case cannot go on for a reason that is not the target's answer (runner/chain trouble). */
class CaseAbort extends Error {}

const DEFAULT_TOKENS = 1000n;
/** URAIDEN_CONFORMANCE_TRACE=1 prints each step's duration on stderr (tuning the suite's speed). */
const TRACE = process.env.URAIDEN_CONFORMANCE_TRACE === '1';
const RETRY_MS = 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface PartyState { name: string; role: string; key: string; address: string; wallet: Wallet }
interface ChannelState { name: string; sender: PartyState; receiver: string; openBlock: number; balance: bigint; signature?: string }
interface ProofState { balance: bigint; signature: string; headers: Record<string, string> }

interface Ctx {
  c: LoadedCase;
  env: RunEnv;
  signal: AbortSignal;
  parties: Map<string, PartyState>;
  channels: Map<string, ChannelState>;
  proofs: Map<string, ProofState>;
  snapshots: Map<string, string>;
  startBlock: number;
  exchanges: Exchange[];
}

/** Where a case is, for the message of a case timeout (the timer cannot ask the case). */
export interface CaseProgress {
  where: string;
  step?: number;
  stepLine?: number;
}

export async function executeCase(c: LoadedCase, env: RunEnv, signal: AbortSignal, progress: CaseProgress = { where: 'setup' }): Promise<CaseRun> {
  env.chain.calls = [];
  const ctx: Ctx = { c, env, signal, parties: new Map(), channels: new Map(), proofs: new Map(), snapshots: new Map(), startBlock: 0, exchanges: [] };
  const missing = (c.needs ?? []).filter((p) => !env.parts[p]);
  if (missing.length > 0) {
    const why = missing.map((p) => (p === 'restart' ? 'restart (the runner did not launch the target)' : `${p} (404)`));
    return { outcome: 'unimplemented', message: `optional part absent: ${why.join(', ')}`, exchanges: [], chainCalls: [] };
  }
  let index = -1;
  const t00 = Date.now();
  try {
    for (const [name, p] of Object.entries(c.parties ?? {})) {
      const key = ChainClient.partyKey(env.salt, c.id, name);
      const wallet = env.chain.wallet(key);
      await env.chain.fund(wallet.address, BigInt(p.tokens ?? Number(DEFAULT_TOKENS)));
      ctx.parties.set(name, { name, role: p.role, key, address: wallet.address, wallet });
    }
    ctx.startBlock = await env.chain.blockNumber();
    if (TRACE) process.stderr.write(`  ${c.id} setup: ${Date.now() - t00} ms\n`);
    for (index = 0; index < c.steps.length; index++) {
      if (signal.aborted) throw new CaseAbort('aborted');
      const t0 = Date.now();
      Object.assign(progress, { where: `step ${index + 1} (${actionOf(c.steps[index] as Step)}, line ${c.stepLines[index]})`, step: index, stepLine: c.stepLines[index] });
      await runStep(ctx, c.steps[index] as Step);
      if (TRACE) process.stderr.write(`  ${c.id} step ${index + 1} ${actionOf(c.steps[index] as Step)}: ${Date.now() - t0} ms\n`);
    }
    return { outcome: 'pass', exchanges: [], chainCalls: [] };
  } catch (err) {
    const at = index >= 0 && index < c.steps.length ? { step: index, stepLine: c.stepLines[index] } : {};
    const where = index >= 0 && index < c.steps.length ? `step ${index + 1} (${actionOf(c.steps[index] as Step)}, line ${c.stepLines[index]}): ` : 'setup: ';
    const base = { ...at, exchanges: ctx.exchanges, chainCalls: env.chain.calls };
    if (signal.aborted) return { outcome: 'error', message: `${where}timed out`, ...base };
    if (err instanceof Mismatch) return { outcome: c.level === 'MUST' ? 'fail' : 'warn', message: where + err.message, ...base };
    if (err instanceof ChainCallError) return { outcome: c.level === 'MUST' ? 'fail' : 'warn', message: `${where}transaction refused: ${err.message}`, ...base };
    if (err instanceof TransportError) return { outcome: 'error', message: `${where}no usable answer from the target: ${err.message}`, ...base };
    return { outcome: 'error', message: where + (err instanceof Error ? err.message : String(err)), ...base };
  }
}

// ---------------------------------------------------------------------------------------------
// names and values

function party(ctx: Ctx, name: string): PartyState {
  const p = ctx.parties.get(name);
  if (!p) throw new CaseAbort(`unknown party ${name}`);
  return p;
}

function channel(ctx: Ctx, name: string): ChannelState {
  const ch = ctx.channels.get(name);
  if (!ch) throw new CaseAbort(`channel ${name} was not opened`);
  return ch;
}

/** `receiver`, `contract`, `token`, `delegate`, a party name, or a literal address. */
function address(ctx: Ctx, ref: string): string {
  const { chain } = ctx.env;
  if (ref === 'receiver') return chain.receiver;
  if (ref === 'contract') return chain.contract;
  if (ref === 'token') return chain.tokenAddress;
  if (ref === 'delegate') return chain.delegate;
  const p = ctx.parties.get(ref);
  if (p) return p.address;
  return getAddress(ref);
}

/** `${name}` or `${name.field}` in strings of a case (see README, "Values"). */
function interp(ctx: Ctx, text: string): string {
  return text.replace(/\$\{([a-z][a-z0-9_]*)(?:\.([a-z_]+))?\}/g, (whole, name: string, field?: string) => {
    if (!field) return address(ctx, name);
    const ch = ctx.channels.get(name);
    if (ch) {
      if (field === 'open_block') return String(ch.openBlock);
      if (field === 'sender') return ch.sender.address;
      if (field === 'balance') return String(ch.balance);
      if (field === 'signature') return ch.signature ?? '';
    }
    const pr = ctx.proofs.get(name);
    if (pr) {
      if (field === 'balance') return String(pr.balance);
      if (field === 'signature') return pr.signature;
      if (field === 'normalized') return normalized(pr.signature);
    }
    throw new CaseAbort(`cannot resolve ${whole}`);
  });
}

function blocks(ctx: Ctx, b: Blocks): number {
  if (typeof b === 'number') return b;
  const m = /^(confirm|challenge)(?:\s*([+-])\s*([0-9]+))?$/.exec(b);
  if (!m) throw new CaseAbort(`bad block count ${b}`);
  const base = m[1] === 'confirm' ? ctx.env.confirmations : ctx.env.challengePeriod;
  const delta = m[3] ? Number(m[3]) * (m[2] === '-' ? -1 : 1) : 0;
  return Math.max(0, base + delta);
}

/** §6 prices: /echofix/* costs 5, /echodyn/<text> costs len(text). */
export function priceOf(path: string): bigint {
  const m = /^\/echodyn\/([^?]*)/.exec(path);
  return m ? BigInt(decodeURIComponent(m[1] as string).length) : 5n;
}

// ---------------------------------------------------------------------------------------------
// steps

async function runStep(ctx: Ctx, step: Step): Promise<void> {
  const within = step.within !== undefined ? step.within * ctx.env.multiplier : 0;
  const deadline = Date.now() + within;
  const action = actionOf(step);
  // Steps that change the chain run once; only observations (HTTP, checks) are retried.
  if (!['pay', 'request', 'check', 'coop_close'].includes(action) || (action === 'coop_close' && step.coop_close?.submit)) {
    const reverted = await chainAction(ctx, step);
    const problems = [...revertProblems(step.expect, reverted), ...(await chainProblems(ctx, step.expect))];
    if (problems.length) throw new Mismatch(problems);
    return;
  }
  const prepared = step.pay ? preparePay(ctx, step.pay) : undefined;
  for (let attempt = 1; ; attempt++) {
    // Only the last attempt of a retried step goes into the report.
    const sink: Exchange[] = [];
    const callMark = ctx.env.chain.calls.length;
    let result: { problems: string[]; final: boolean };
    try {
      result = await observe(ctx, step, prepared, sink);
    } catch (err) {
      ctx.exchanges.push(...sink);
      throw err;
    }
    const { problems, final } = result;
    if (problems.length === 0 || final || Date.now() >= deadline || ctx.signal.aborted) ctx.exchanges.push(...sink);
    else ctx.env.chain.calls.length = callMark;
    if (problems.length === 0) return;
    if (final || Date.now() >= deadline || ctx.signal.aborted) {
      const note = attempt > 1 ? ` (still so after ${attempt} attempts over ${within} ms)` : '';
      throw new Mismatch([...problems.slice(0, -1), `${problems[problems.length - 1]}${note}`]);
    }
    await sleep(RETRY_MS);
  }
}

function revertProblems(e: Expect | undefined, reverted: string | undefined): string[] {
  if (e?.reverts && reverted === undefined) return ['the transaction succeeded, expected it to revert'];
  return [];
}

/** Runs a chain/target action; returns the revert reason when the step expects reverts. */
async function chainAction(ctx: Ctx, step: Step): Promise<string | undefined> {
  const { chain } = ctx.env;
  const expectRevert = step.expect?.reverts === true;
  const tx = async (fn: () => Promise<unknown>): Promise<string | undefined> => {
    try {
      await fn();
      return undefined;
    } catch (err) {
      if (expectRevert && err instanceof ChainCallError) return err.reason;
      throw err;
    }
  };
  if (step.open) {
    const o = step.open;
    const sender = party(ctx, o.sender);
    const open = async () => {
      const deposit = BigInt(o.deposit);
      const receiver = address(ctx, o.receiver ?? 'receiver');
      const openBlock = o.via === 'erc20' ? await chain.openErc20(sender.wallet, receiver, deposit) : await chain.openErc223(sender.wallet, receiver, deposit);
      ctx.channels.set(o.as, { name: o.as, sender, receiver, openBlock, balance: 0n });
    };
    return tx(open);
  }
  if (step.topup) {
    const t = step.topup;
    const ch = channel(ctx, t.channel);
    return tx(() => (t.via === 'erc20' ? chain.topUpErc20(ch.sender.wallet, ch.receiver, ch.openBlock, BigInt(t.amount)) : chain.topUpErc223(ch.sender.wallet, ch.receiver, ch.openBlock, BigInt(t.amount))));
  }
  if (step.mine !== undefined) return void (await chain.mine(blocks(ctx, step.mine)));
  if (step.snapshot) return void ctx.snapshots.set(step.snapshot, await chain.snapshot());
  if (step.revert) return void (await chain.revert(ctx.snapshots.get(step.revert) as string));
  if (step.reorg !== undefined) return void (await chain.reorg(step.reorg));
  if (step.close) {
    const ch = channel(ctx, step.close.channel);
    const by = step.close.by ? party(ctx, step.close.by) : ch.sender;
    return tx(() => chain.call(by.wallet, chain.channels, 'uncooperativeClose', [ch.receiver, ch.openBlock, BigInt(step.close?.balance ?? 0)]));
  }
  if (step.settle) {
    const ch = channel(ctx, step.settle.channel);
    const by = step.settle.by ? party(ctx, step.settle.by) : ch.sender;
    return tx(async () => {
      // §4: the receiver MAY settle a closed channel itself after the period; then there is
      // nothing left for the sender to settle, and the case goes on to check the outcome.
      if (!(await chain.channelInfo(ch.sender.address, ch.receiver, ch.openBlock)).exists && !expectRevert) return;
      await chain.call(by.wallet, chain.channels, 'settle', [ch.receiver, ch.openBlock]);
    });
  }
  if (step.target) {
    if (!ctx.env.target.canRestart) throw new CaseAbort('the target cannot be restarted');
    if (step.target !== 'start') await ctx.env.target.stop();
    if (step.target !== 'stop') await ctx.env.target.start();
    return undefined;
  }
  if (step.outage !== undefined) return void (await chain.outage(Math.round(step.outage * ctx.env.multiplier)));
  if (step.coop_close) {
    const sink: Exchange[] = [];
    const { problems, response } = await coopClose(ctx, step, step.coop_close, sink).finally(() => ctx.exchanges.push(...sink));
    if (problems.length) throw new Mismatch(problems);
    const sig = (JSON.parse(response.body) as { close_signature?: string }).close_signature;
    const ch = channel(ctx, step.coop_close.channel);
    const balance = BigInt(step.coop_close.balance ?? ch.balance);
    if (typeof sig !== 'string') throw new Mismatch(['no close_signature in the reply']);
    return tx(() => chain.call(ch.sender.wallet, chain.channels, 'cooperativeClose', [chain.receiver, ch.openBlock, balance, ch.signature ?? '0x', sig]));
  }
  if (step.parallel) {
    await Promise.all(step.parallel.map((s) => runStep(ctx, s)));
    return undefined;
  }
  throw new CaseAbort(`step ${actionOf(step)} has no chain action`);
}

interface PreparedPay {
  req: HttpRequest;
  balance: bigint;
  signature: string;
  ch: ChannelState;
}

function preparePay(ctx: Ctx, a: PayAction): PreparedPay {
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
    const hash = balanceHash(
      address(ctx, s.receiver ?? 'receiver'),
      ch.openBlock + (s.open_block_offset ?? 0),
      s.balance !== undefined ? BigInt(s.balance) : balance,
      address(ctx, s.contract ?? 'contract'),
    );
    signature = mangle(signHash(s.key ? party(ctx, s.key).key : ch.sender.key, hash), a.signature);
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

/** Sends and records; a transport failure is recorded too before it propagates. */
async function exchange(ctx: Ctx, req: HttpRequest, sink: Exchange[]): Promise<HttpResponse> {
  const ex: Exchange = { request: req };
  sink.push(ex);
  try {
    ex.response = await send(ctx.env.target.baseUrl, req, ctx.env.httpTimeoutMs, ctx.signal);
    return ex.response;
  } catch (err) {
    ex.error = err instanceof Error ? err.message : String(err);
    throw err;
  }
}

/** One attempt of an observing step. `final`: the target changed state, retrying would lie. */
async function observe(ctx: Ctx, step: Step, prepared: PreparedPay | undefined, sink: Exchange[]): Promise<{ problems: string[]; final: boolean }> {
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
        if ((counts[status] ?? 0) !== want) problems.push(`${counts[status] ?? 0} of ${n} concurrent requests answered ${status}, expected ${want} (answers: ${JSON.stringify(counts)})`);
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

function dedupe(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** §5 DELETE /api/1/channels/<sender>/<open_block> with `{balance, sender_signature}`. */
async function coopClose(ctx: Ctx, step: Step, a: CoopCloseAction, sink: Exchange[]): Promise<{ problems: string[]; response: HttpResponse }> {
  const ch = channel(ctx, a.channel);
  const balance = BigInt(a.balance ?? ch.balance);
  const body: Record<string, unknown> = { balance: balance.toString() };
  const how = a.sender_signature ?? 'valid';
  if (how !== 'none') {
    const spec = how === 'valid' ? {} : how;
    const key = spec.key ? party(ctx, spec.key).key : ch.sender.key;
    const signedBalance = spec.balance !== undefined ? BigInt(spec.balance) : balance;
    body.sender_signature = signHash(key, closingHash(ch.sender.address, ch.openBlock, signedBalance, ctx.env.chain.contract));
  }
  const res = await exchange(ctx, {
    method: 'DELETE',
    path: `/api/1/channels/${ch.sender.address}/${ch.openBlock}`,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  }, sink);
  const e = step.expect ?? {};
  const problems = checkHttp({ ...e, ...(a.submit && e.status === undefined ? { status: 200 } : {}) }, res, (s) => interp(ctx, s));
  return { problems, response: res };
}

async function chainProblems(ctx: Ctx, e: Expect | undefined): Promise<string[]> {
  if (!e) return [];
  const { chain } = ctx.env;
  const out: string[] = [];
  for (const [name, want] of Object.entries(e.channel ?? {})) {
    const ch = channel(ctx, name);
    const got = await chain.channelInfo(ch.sender.address, ch.receiver, ch.openBlock);
    const say = (field: string, g: unknown, w: unknown) => out.push(`channel ${name} on chain: ${field} ${String(g)}, expected ${String(w)}`);
    if (want.exists !== undefined && got.exists !== want.exists) {
      say('exists', got.exists, want.exists);
      continue;
    }
    if (!got.exists) {
      if (want.deposit !== undefined || want.closing !== undefined || want.closing_balance !== undefined || want.withdrawn !== undefined) say('exists', false, true);
      continue;
    }
    if (want.deposit !== undefined && got.deposit !== BigInt(want.deposit)) say('deposit', got.deposit, want.deposit);
    if (want.closing !== undefined && got.settleBlock > 0 !== want.closing) say('closing (settle block set)', got.settleBlock > 0, want.closing);
    if (want.closing_balance !== undefined && got.closingBalance !== BigInt(want.closing_balance)) say('closing_balance', got.closingBalance, want.closing_balance);
    if (want.withdrawn !== undefined && got.withdrawn !== BigInt(want.withdrawn)) say('withdrawn', got.withdrawn, want.withdrawn);
  }
  for (const [name, want] of Object.entries(e.tokens ?? {})) {
    const got = await chain.tokenBalance(party(ctx, name).address);
    if (got !== BigInt(want)) out.push(`token balance of ${name}: ${got}, expected ${want}`);
  }
  for (const ev of e.events ?? []) {
    const ch = channel(ctx, ev.channel);
    const all = await chain.events(ev.name, ch.sender.address, ch.receiver, ch.openBlock, ctx.startBlock);
    const matching = all.filter((x) => Object.entries(ev.args ?? {}).every(([k, v]) => matchJson(v, x.args[k] ?? null, k, (s) => interp(ctx, s)).length === 0));
    const shown = all.map((x) => JSON.stringify(x.args)).join(', ') || 'none';
    if (ev.count !== undefined ? matching.length !== ev.count : matching.length === 0) {
      out.push(`${ev.name} events of ${ev.channel}${ev.args ? ` with ${JSON.stringify(ev.args)}` : ''}: ${matching.length}, expected ${ev.count ?? 'at least 1'} (seen: ${shown})`);
    }
  }
  return out;
}

