import { UraidenError } from '../protocol/errors.js';

/**
 * A deployment refused before it spent anything (a bad option, a token without code, a key
 * without enough ETH, another chain than expected), or one whose result is not what was deployed.
 * `option` names what was wrong, `value` is the value that was.
 */
export class DeployError extends UraidenError {
  readonly option: string;
  readonly value: unknown;
  readonly reason: string;

  constructor(option: string, value: unknown, reason: string, options?: ErrorOptions) {
    super('DEPLOY_REFUSED', `${option} ${typeof value === 'bigint' ? value.toString() : JSON.stringify(value)}: ${reason}`, options);
    this.option = option;
    this.value = value;
    this.reason = reason;
  }
}

/** A deployment transaction failed on the way (not sent, reverted, no receipt in time). */
export class DeployTransactionError extends UraidenError {
  /** which transaction: token, channels, or fund */
  readonly step: string;
  readonly txHash: string | undefined;

  constructor(step: string, reason: string, txHash?: string, options?: ErrorOptions) {
    super('DEPLOY_TRANSACTION_FAILED', `${step} transaction${txHash ? ` ${txHash}` : ''} failed: ${reason}`, options);
    this.step = step;
    this.txHash = txHash;
  }
}
