/**
 * The few parts of the channels contract (§2) the manager uses, as human-readable ABI. Kept here
 * rather than read from build/ so the manager depends on the protocol's ABI, not on a build step.
 */
import { Interface } from 'ethers';
import { CHANNELS_ABI, TOKEN_ABI } from '../../../protocol/abi.js';
import { CHANNEL_EVENT_TOPICS as EVENT_TOPICS } from '../../../protocol/index.js';

export const channelsInterface = new Interface(CHANNELS_ABI);

export const tokenInterface = new Interface(TOKEN_ABI);

/** The five channel events, each with the receiver as its 2nd indexed topic (topics[2]). */
export const CHANNEL_EVENT_TOPICS: string[] = Object.values(EVENT_TOPICS);

export function addressTopic(address: string): string {
  return `0x${'0'.repeat(24)}${address.slice(2).toLowerCase()}`;
}
