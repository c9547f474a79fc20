import { UraidenError } from '../protocol/errors.js';

/** A chain option out of its allowed range (challenge period below the contract's 500, 0 senders…). */
export class ChainOptionError extends UraidenError {
  readonly option: string;
  readonly value: unknown;

  constructor(option: string, value: unknown, requirement: string) {
    super('INVALID_CHAIN_OPTION', `${option}: ${JSON.stringify(value)} is invalid: ${requirement}`);
    this.option = option;
    this.value = value;
  }
}

/** evm_revert refused the id: unknown, already used, or dropped by a later revert or reorg. */
export class SnapshotError extends UraidenError {
  readonly snapshotId: string;

  constructor(snapshotId: string) {
    super('UNKNOWN_SNAPSHOT', `snapshot ${JSON.stringify(snapshotId)} does not exist (already reverted, or dropped by a revert/reorg)`);
    this.snapshotId = snapshotId;
  }
}

/** A reorganisation that cannot be made: bad depth, or the fork point cannot be restored exactly. */
export class ReorgError extends UraidenError {
  readonly depth: unknown;

  constructor(depth: unknown, reason: string) {
    super('REORG_FAILED', `reorg ${JSON.stringify(depth)}: ${reason}`);
    this.depth = depth;
  }
}

/** targetEnv() needs something the chain does not have yet (e.g. a listening RPC server). */
export class ChainStateError extends UraidenError {
  constructor(message: string) {
    super('CHAIN_STATE', message);
  }
}
