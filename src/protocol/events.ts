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

const KIND_OF_TOPIC = new Map<string, ChannelEventKind>(
  Object.entries(CHANNEL_EVENT_TOPICS).map(([kind, topic]) => [topic, kind as ChannelEventKind]),
);

/** What a log needs to carry; raw JSON-RPC logs and ethers' Log both fit. */
export interface ChannelLog {
  topics: readonly string[];
  data: string;
  blockNumber: number;
}

export interface ChannelEventData {
  kind: ChannelEventKind;
  sender: Address;
  receiver: Address;
  openBlock: number;
  /** deposit (created), added deposit (toppedUp), balance (closeRequested, settled), withdrawn delta (withdraw) */
  amount: bigint;
  /** settled only: what the receiver got */
  receiverTokens?: bigint;
}

/** Decodes one log of the channels contract; undefined for any other event or a malformed log. */
export function decodeChannelLog(log: ChannelLog): ChannelEventData | undefined {
  const [t0, t1, t2, t3] = log.topics;
  const kind = t0 === undefined ? undefined : KIND_OF_TOPIC.get(t0.toLowerCase());
  if (!kind || !t1 || !t2) return undefined;
  const word = (i: number): bigint => BigInt(`0x${log.data.slice(2 + 64 * i, 2 + 64 * (i + 1)) || '0'}`);
  const event: ChannelEventData = {
    kind,
    sender: toChecksumAddress(`0x${t1.slice(26)}`),
    receiver: toChecksumAddress(`0x${t2.slice(26)}`),
    openBlock: kind === 'created' || !t3 ? log.blockNumber : Number(BigInt(t3)),
    amount: word(0),
  };
  if (kind === 'settled') event.receiverTokens = word(1);
  return event;
}
