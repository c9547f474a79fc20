/**
 * The few parts of the channels contract (§2) the manager uses, as human-readable ABI. Kept here
 * rather than read from build/ so the manager depends on the protocol's ABI, not on a build step.
 */
import { Interface } from 'ethers';
import { CHANNELS_ABI, TOKEN_ABI } from '../../protocol/abi.ts';
import { toChecksumAddress, type Address } from '../../protocol/index.ts';
import type { RpcLog } from './rpc.ts';

export const channelsInterface = new Interface(CHANNELS_ABI);

export const tokenInterface = new Interface(TOKEN_ABI);

const topic = (name: string): string => channelsInterface.getEvent(name)!.topicHash.toLowerCase();

export const TOPICS = {
  created: topic('ChannelCreated'),
  toppedUp: topic('ChannelToppedUp'),
  closeRequested: topic('ChannelCloseRequested'),
  settled: topic('ChannelSettled'),
  withdraw: topic('ChannelWithdraw'),
} as const;

/** The five channel events, each with the receiver as its 2nd indexed topic (topics[2]). */
export const CHANNEL_EVENT_TOPICS: string[] = Object.values(TOPICS);

export function addressTopic(address: string): string {
  return `0x${'0'.repeat(24)}${address.slice(2).toLowerCase()}`;
}

/** A channel event, decoded. `openBlock` of ChannelCreated is the log's block (the event has none). */
export type ChannelEvent =
  | { kind: 'created'; sender: Address; openBlock: number; deposit: bigint; log: RpcLog }
  | { kind: 'toppedUp'; sender: Address; openBlock: number; added: bigint; log: RpcLog }
  | { kind: 'closeRequested'; sender: Address; openBlock: number; balance: bigint; log: RpcLog }
  | { kind: 'settled'; sender: Address; openBlock: number; balance: bigint; receiverTokens: bigint; log: RpcLog }
  | { kind: 'withdraw'; sender: Address; openBlock: number; delta: bigint; log: RpcLog };

/** Decodes one log of the channels contract; undefined for anything else (other events, junk). */
export function decodeChannelEvent(log: RpcLog): ChannelEvent | undefined {
  const [t0, t1, , t3] = log.topics;
  if (!t0 || !t1) return undefined;
  const sender = toChecksumAddress(`0x${t1.slice(26)}`);
  const uint = (i: number): bigint => BigInt(`0x${log.data.slice(2 + 64 * i, 2 + 64 * (i + 1)) || '0'}`);
  const openBlock = t3 ? Number(BigInt(t3)) : log.blockNumber;
  switch (t0) {
    case TOPICS.created:
      return { kind: 'created', sender, openBlock: log.blockNumber, deposit: uint(0), log };
    case TOPICS.toppedUp:
      return { kind: 'toppedUp', sender, openBlock, added: uint(0), log };
    case TOPICS.closeRequested:
      return { kind: 'closeRequested', sender, openBlock, balance: uint(0), log };
    case TOPICS.settled:
      return { kind: 'settled', sender, openBlock, balance: uint(0), receiverTokens: uint(1), log };
    case TOPICS.withdraw:
      return { kind: 'withdraw', sender, openBlock, delta: uint(0), log };
    default:
      return undefined;
  }
}
