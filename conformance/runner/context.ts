// What a running case knows: its parties, channels, proofs and snapshots, and how names and
// values in the YAML resolve against them. Shared by the step modules.
import { getAddress, type Wallet } from 'ethers';
import type { ChainClient } from './chain.js';
import type { Exchange } from './http.js';
import type { PartProbe } from './probe.js';
import { normalized } from './sign.js';
import type { Target } from './target.js';
import type { Blocks, LoadedCase, OptionalPart } from './types.js';

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
  /** optional parts the target has (§6), with what the probe saw; restart = the runner can restart it */
  parts: Record<OptionalPart, PartProbe>;
  /** how long `hold: polls` lasts: several of the target's poll intervals, already scaled */
  pollsHoldMs: number;
}

/** `hold: polls` lasts this many of the target's poll intervals, and at least HOLD_FLOOR_MS. */
export const HOLD_POLLS = 5;
export const HOLD_FLOOR_MS = 250;

/** Expectations not met: a fail (MUST) or warn (SHOULD). */
export class Mismatch extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}
/** The case cannot go on for a reason that is not the target's answer (runner/chain trouble). */
export class CaseAbort extends Error {}

export const DEFAULT_TOKENS = 1000n;
/** URAIDEN_CONFORMANCE_TRACE=1 prints each step's duration on stderr (tuning the suite's speed). */
export const TRACE = process.env.URAIDEN_CONFORMANCE_TRACE === '1';
export const RETRY_MS = 20;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface PartyState {
  name: string;
  role: string;
  key: string;
  address: string;
  wallet: Wallet;
}
export interface ChannelState {
  name: string;
  sender: PartyState;
  receiver: string;
  openBlock: number;
  balance: bigint;
  signature?: string;
}
export interface ProofState {
  balance: bigint;
  signature: string;
  headers: Record<string, string>;
}

export interface Ctx {
  c: LoadedCase;
  env: RunEnv;
  signal: AbortSignal;
  parties: Map<string, PartyState>;
  channels: Map<string, ChannelState>;
  proofs: Map<string, ProofState>;
  snapshots: Map<string, string>;
  startBlock: number;
  exchanges: Exchange[];
  /** what steps observed beyond pass/fail, for the report (a fuzz stream's answers) */
  notes: string[];
  /** when a chain outage this case started ends (ms since epoch); 0 if none */
  outageUntil: number;
}

// ---------------------------------------------------------------------------------------------
// names and values

export function party(ctx: Ctx, name: string): PartyState {
  const p = ctx.parties.get(name);
  if (!p) throw new CaseAbort(`unknown party ${name}`);
  return p;
}

export function channel(ctx: Ctx, name: string): ChannelState {
  const ch = ctx.channels.get(name);
  if (!ch) throw new CaseAbort(`channel ${name} was not opened`);
  return ch;
}

/** `receiver`, `contract`, `token`, `delegate`, a party name, or a literal address. */
export function address(ctx: Ctx, ref: string): string {
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
export function interp(ctx: Ctx, text: string): string {
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

export function blocks(ctx: Ctx, b: Blocks): number {
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
