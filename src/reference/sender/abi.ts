/**
 * The slices of the token and channel-contract ABIs the sender uses, in ethers' human-readable
 * form. Kept here rather than read from build/ so the client (and `uraiden client`) work without
 * the generated artifacts; the names and types are the µRaiden 0.2 ABI of SPEC §2.
 */
import { CHANNELS_ABI, TOKEN_ABI } from '../../protocol/abi.ts';
import { CHANNEL_EVENT_TOPICS } from '../../protocol/events.ts';

export { CHANNELS_ABI, TOKEN_ABI };

/** topic0 of each channel event the sender follows. */
export const EVENT_TOPICS = CHANNEL_EVENT_TOPICS;
