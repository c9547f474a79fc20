/**
 * The few parts of the channels contract (§2) the manager uses, as human-readable ABI. Kept here
 * rather than read from build/ so the manager depends on the protocol's ABI, not on a build step.
 */
import { Interface } from 'ethers';
import { CHANNELS_ABI, TOKEN_ABI } from '../../../protocol/abi.js';
import { CHANNEL_EVENT_TOPICS as EVENT_TOPICS, decodeChannelLog, type Address } from '../../../protocol/index.js';
import type { RpcLog } from './rpc.js';

export const channelsInterface = new Interface(CHANNELS_ABI);

export const tokenInterface = new Interface(TOKEN_ABI);

/** The five channel events, each with the receiver as its 2nd indexed topic (topics[2]). */
export const CHANNEL_EVENT_TOPICS: string[] = Object.values(EVENT_TOPICS);

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
  const ev = decodeChannelLog(log);
  if (!ev) return undefined;
  const { sender, openBlock, amount } = ev;
  switch (ev.kind) {
    case 'created':
      return { kind: 'created', sender, openBlock, deposit: amount, log };
    case 'toppedUp':
      return { kind: 'toppedUp', sender, openBlock, added: amount, log };
    case 'closeRequested':
      return { kind: 'closeRequested', sender, openBlock, balance: amount, log };
    case 'settled':
      return { kind: 'settled', sender, openBlock, balance: amount, receiverTokens: ev.receiverTokens!, log };
    case 'withdraw':
      return { kind: 'withdraw', sender, openBlock, delta: amount, log };
  }
}
