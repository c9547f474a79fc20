// The case DSL as TypeScript types. conformance/schema/case.schema.json is the source of truth;
// these mirror it so the executor is type-checked. A case that passed load.ts has exactly this shape.

import type { ErrorFlag } from '../../src/protocol/headers.js';

export type Level = 'MUST' | 'SHOULD';
export type OptionalPart = 'echodyn' | 'rest-api' | 'restart';
export type Via = 'erc223' | 'erc20';

export interface Party {
  role: 'sender' | 'third-party';
  tokens?: number;
}

/** An integer count of blocks, or `confirm`/`challenge` with an optional `± k`. */
export type Blocks = number | string;

export interface OpenAction {
  sender: string;
  as: string;
  deposit: number;
  via?: Via;
  receiver?: string;
}
export interface TopUpAction {
  channel: string;
  amount: number;
  via?: Via;
}
/** Which §1 message is signed, and how: a stranger's mistakes, or an attacker's substitutions. */
export interface MessageChoice {
  /** `closing` for a balance proof (or `balance` for a closing request): the other message type */
  message?: 'balance' | 'closing';
  /** with the `\x19Ethereum Signed Message:\n32` prefix (eth_sign), which §1.3 excludes */
  prefixed?: boolean;
}
export interface SignOverrides extends MessageChoice {
  key?: string;
  receiver?: string;
  contract?: string;
  open_block_offset?: number;
  balance?: number;
}
export interface SignatureMangling {
  v_base?: 0 | 27 | 29 | 31 | 35 | 37;
  high_s?: boolean;
  length?: number;
  raw?: string;
  uppercase?: boolean;
}
export interface PayAction {
  channel: string;
  as?: string;
  path?: string;
  method?: 'GET' | 'POST' | 'HEAD';
  amount?: number;
  balance?: number;
  reuse?: string;
  sign?: SignOverrides;
  signature?: SignatureMangling;
  balance_headers?: 'both' | 'RDN-Balance' | 'RDN-Sender-Balance';
  lowercase_addresses?: boolean;
  payment_header?: boolean;
  /** §3.1 browser clients: the payment as the four cookies in one Cookie header, no RDN-* request header. */
  cookie?: boolean;
  headers?: Record<string, string | number>;
  omit?: string[];
  concurrent?: number;
}
export interface RequestAction {
  path: string;
  method?: string;
  headers?: Record<string, string | number>;
  body?: string;
}
export interface CloseAction {
  channel: string;
  balance: number;
  by?: string;
}
export interface SettleAction {
  channel: string;
  by?: string;
}
export interface CoopCloseAction {
  channel: string;
  balance?: number;
  /** how the body carries the balance: a decimal string (default) or a JSON number, as in the original documentation */
  balance_as?: 'string' | 'number';
  sender_signature?: 'valid' | 'none' | ({ key?: string; balance?: number; open_block_offset?: number; contract?: string } & MessageChoice);
  submit?: boolean;
}

/** A seeded stream of malformed requests against a channel (see fuzz.ts). */
export interface FuzzAction {
  channel: string;
  stream: 'headers' | 'cookies' | 'rest-body' | 'rest-path';
  count: number;
  seed: number;
  /** the paywalled resource paid for (default /echofix/fuzz) */
  path?: string;
}

export type HeaderExpectation = string | number | { present?: boolean; absent?: boolean; equals?: string | number; iequals?: string; matches?: string };
export type BodyExpectation = string | { equals?: string; not_equals?: string; contains?: string; not_contains?: string; matches?: string };
export interface ChannelExpectation {
  exists?: boolean;
  deposit?: number;
  closing?: boolean;
  closing_balance?: number;
  withdrawn?: number;
}
export type EventName = 'ChannelCreated' | 'ChannelToppedUp' | 'ChannelCloseRequested' | 'ChannelSettled' | 'ChannelWithdraw';
export interface EventExpectation {
  name: EventName;
  channel: string;
  args?: Record<string, number | string>;
  count?: number;
}

export interface Expect {
  status?: number | number[];
  status_count?: Record<string, number>;
  flag?: ErrorFlag | 'none' | (ErrorFlag | 'none')[];
  headers?: Record<string, HeaderExpectation>;
  body?: BodyExpectation;
  json?: unknown;
  reverts?: boolean;
  channel?: Record<string, ChannelExpectation>;
  tokens?: Record<string, number>;
  events?: EventExpectation[];
}

export interface Step {
  open?: OpenAction;
  topup?: TopUpAction;
  mine?: Blocks;
  snapshot?: string;
  revert?: string;
  reorg?: number;
  pay?: PayAction;
  request?: RequestAction;
  close?: CloseAction;
  settle?: SettleAction;
  coop_close?: CoopCloseAction;
  target?: 'restart' | 'stop' | 'start';
  outage?: number;
  check?: string;
  parallel?: Step[];
  fuzz?: FuzzAction;
  within?: number;
  /** the expectations hold on every attempt for this long (ms), or for several poll intervals */
  hold?: number | 'polls';
  expect?: Expect;
}

export const ACTIONS = [
  'open',
  'topup',
  'mine',
  'snapshot',
  'revert',
  'reorg',
  'pay',
  'request',
  'close',
  'settle',
  'coop_close',
  'target',
  'outage',
  'check',
  'parallel',
  'fuzz',
] as const;
export type ActionName = (typeof ACTIONS)[number];

export interface CaseSpec {
  id: string;
  requirement: string;
  spec: string;
  level: Level;
  needs?: OptionalPart[];
  tolerated?: string;
  timeout_ms?: number;
  parties?: Record<string, Party>;
  steps: Step[];
}

/** A loaded case with where it came from, so every later message can point at the YAML. */
export interface LoadedCase extends CaseSpec {
  file: string;
  line: number;
  /** line of each top-level step, same index as `steps` */
  stepLines: number[];
}

export function actionOf(step: Step): ActionName {
  for (const a of ACTIONS) if (step[a] !== undefined) return a;
  throw new Error('step without action'); // unreachable after validation
}
