/**
 * The five channel events of §2, decoded from a raw log. Senders and receivers both follow them
 * (a sender by the first indexed topic, a receiver by the second); the layout is the protocol's:
 * topics = [event, sender, receiver, open block?], amounts in the data, and ChannelCreated has no
 * open-block field — its open block is the block of its log.
 */
import { toChecksumAddress } from './address.js';
import { keccak256, utf8ToBytes, bytesToHex } from './bytes.js';
import type { Address, Hex } from './types.js';

export type ChannelEventKind = 'created' | 'toppedUp' | 'closeRequested' | 'settled' | 'withdraw';

const SIGNATURES: Record<ChannelEventKind, string> = {
  created: 'ChannelCreated(address,address,uint192)',
  toppedUp: 'ChannelToppedUp(address,address,uint32,uint192)',
  closeRequested: 'ChannelCloseRequested(address,address,uint32,uint192)',
  settled: 'ChannelSettled(address,address,uint32,uint192,uint192)',
  withdraw: 'ChannelWithdraw(address,address,uint32,uint192)',
};

/** topic0 of each channel event, lower-case hex as nodes return it. */
export const CHANNEL_EVENT_TOPICS = Object.fromEntries(
  Object.entries(SIGNATURES).map(([kind, sig]) => [kind, bytesToHex(keccak256(utf8ToBytes(sig)))]),
) as Record<ChannelEventKind, Hex>;

const KIND_OF_TOPIC = new Map<string, ChannelEventKind>(Object.entries(CHANNEL_EVENT_TOPICS).map(([kind, topic]) => [topic, kind as ChannelEventKind]));

/** What a log needs to carry (a JSON-RPC log with its numbers decoded). */
export interface ChannelLog {
  topics: readonly string[];
  data: string;
  blockNumber: number;
  logIndex: number;
}

interface EventBase {
  sender: Address;
  receiver: Address;
  /** the channel's open block; for ChannelCreated, the block of the log itself */
  openBlock: number;
  /** where the log is: its block and its index in that block */
  block: number;
  logIndex: number;
}

/** One channel event of §2, decoded; the amount fields carry the event's own parameter names. */
export type ChannelEvent =
  | (EventBase & { kind: 'created'; deposit: bigint })
  | (EventBase & { kind: 'toppedUp'; added: bigint })
  | (EventBase & { kind: 'closeRequested'; balance: bigint })
  | (EventBase & { kind: 'settled'; balance: bigint; receiverTokens: bigint })
  | (EventBase & { kind: 'withdraw'; withdrawn: bigint });

/** Decodes one log of the channels contract; undefined for any other event or a malformed log. */
export function decodeChannelLog(log: ChannelLog): ChannelEvent | undefined {
  const [t0, t1, t2, t3] = log.topics;
  const kind = t0 === undefined ? undefined : KIND_OF_TOPIC.get(t0.toLowerCase());
  if (!kind || !t1 || !t2) return undefined;
  const word = (i: number): bigint => BigInt(`0x${log.data.slice(2 + 64 * i, 2 + 64 * (i + 1)) || '0'}`);
  const base: EventBase = {
    sender: toChecksumAddress(`0x${t1.slice(26)}`),
    receiver: toChecksumAddress(`0x${t2.slice(26)}`),
    openBlock: kind === 'created' || !t3 ? log.blockNumber : Number(BigInt(t3)),
    block: log.blockNumber,
    logIndex: log.logIndex,
  };
  switch (kind) {
    case 'created':
      return { ...base, kind, deposit: word(0) };
    case 'toppedUp':
      return { ...base, kind, added: word(0) };
    case 'closeRequested':
      return { ...base, kind, balance: word(0) };
    case 'settled':
      return { ...base, kind, balance: word(0), receiverTokens: word(1) };
    case 'withdraw':
      return { ...base, kind, withdrawn: word(0) };
  }
}
