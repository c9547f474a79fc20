/** The channels contract's own limits (SPEC §2), in a module without imports (the CLI checks flags with them). */

/** The contract refuses shorter challenge periods. */
export const MIN_CHALLENGE_PERIOD = 500;
/** challenge_period is a uint32. */
export const MAX_CHALLENGE_PERIOD = 0xffffffff;
