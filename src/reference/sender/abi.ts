/**
 * The slices of the token and channel-contract ABIs the sender uses, in ethers' human-readable
 * form. Kept here rather than read from build/ so the client (and `uraiden client`) work without
 * the generated artifacts; the names and types are the µRaiden 0.2 ABI of SPEC §2.
 */
import { Interface } from 'ethers';
import { CHANNELS_ABI, TOKEN_ABI } from '../../protocol/abi.ts';

export { CHANNELS_ABI, TOKEN_ABI };

export const channelsInterface = new Interface(CHANNELS_ABI);
export const tokenInterface = new Interface(TOKEN_ABI);

/** topic0 of each channel event the sender follows. */
export const EVENT_TOPICS = {
  created: channelsInterface.getEvent('ChannelCreated')!.topicHash,
  toppedUp: channelsInterface.getEvent('ChannelToppedUp')!.topicHash,
  closeRequested: channelsInterface.getEvent('ChannelCloseRequested')!.topicHash,
  settled: channelsInterface.getEvent('ChannelSettled')!.topicHash,
  withdraw: channelsInterface.getEvent('ChannelWithdraw')!.topicHash,
} as const;
