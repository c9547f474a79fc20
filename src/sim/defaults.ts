/**
 * The simulated chain's defaults, in a module without heavy imports so the CLI can show and check them
 * without loading ganache and ethers (seconds of start-up for a mistyped flag otherwise).
 */

export { MIN_CHALLENGE_PERIOD } from '../contracts/limits.js';

export const DEFAULT_SEED = 'uraiden-kit';
export const DEFAULT_CHAIN_ID = 1337;
export const DEFAULT_SENDERS = 3;
/** §4: the kit's default number of confirmations. */
export const DEFAULT_CONFIRMATIONS = 5;
/** A hint (§6); short because the simulated chain is local and tests should not wait. */
export const DEFAULT_POLL_INTERVAL_MS = 200;
