/**
 * Errors of the receiver's channel manager. Each carries the offending values so an operator (or
 * a test) sees exactly what was refused, and a stable `code` to switch on.
 */
import { UraidenError } from '../../../protocol/index.js';

/** The state file belongs to another chain, contract or receiver (SPEC §4: refuse to start). */
export class StateMismatchError extends UraidenError {
  readonly path: string;
  readonly field: 'chainId' | 'contract' | 'receiver';
  readonly stateValue: string;
  readonly actualValue: string;

  constructor(path: string, field: 'chainId' | 'contract' | 'receiver', stateValue: string, actualValue: string) {
    super('STATE_MISMATCH', `state file ${path} belongs to ${field} ${stateValue}, but this manager runs with ${field} ${actualValue}`);
    this.path = path;
    this.field = field;
    this.stateValue = stateValue;
    this.actualValue = actualValue;
  }
}

/** Another process holds the state file: two managers on one state would both serve one increment. */
export class StateLockedError extends UraidenError {
  readonly path: string;

  constructor(path: string, options?: ErrorOptions) {
    super('STATE_LOCKED', `state file ${path} is locked by another process`, options);
    this.path = path;
  }
}

/** The state file has a schema this code does not know (written by a newer version, or not ours). */
export class StateSchemaError extends UraidenError {
  readonly path: string;
  readonly version: string | undefined;

  constructor(path: string, version: string | undefined) {
    super('STATE_SCHEMA', `state file ${path} has schema version ${JSON.stringify(version)}, expected 1`);
    this.path = path;
    this.version = version;
  }
}

/** An option of openReceiver() that cannot work. */
export class ReceiverConfigError extends UraidenError {
  readonly option: string;
  readonly value: unknown;

  constructor(option: string, value: unknown, why: string) {
    super('RECEIVER_CONFIG', `receiver option ${option} = ${JSON.stringify(String(value))}: ${why}`);
    this.option = option;
    this.value = value;
  }
}

/** A JSON-RPC call failed: transport error, timeout or an error object from the node. */
export class RpcError extends UraidenError {
  readonly method: string;
  readonly rpcCode: number | undefined;
  /** no answer within the timeout: the node may only be slow, unlike a refused connection */
  timedOut = false;

  constructor(method: string, message: string, rpcCode?: number, options?: ErrorOptions) {
    super('RPC_ERROR', `${method}: ${message}`, options);
    this.method = method;
    this.rpcCode = rpcCode;
  }
}

/** A transaction of the receiver could not be sent, or was mined and reverted. */
export class TransactionError extends UraidenError {
  readonly action: string;
  readonly txHash: string | undefined;
  /**
   * The node answered the broadcast with an error: the transaction is certainly not on its way
   * and its nonce is free again. False when it may still be (a timeout, a dropped connection).
   */
  readonly rejected: boolean;

  constructor(action: string, message: string, txHash?: string, options?: ErrorOptions & { rejected?: boolean }) {
    super('TRANSACTION_FAILED', `${action}: ${message}${txHash ? ` (tx ${txHash})` : ''}`, options);
    this.action = action;
    this.txHash = txHash;
    this.rejected = options?.rejected ?? false;
  }
}

/** pay() or an operator command on a manager after stop(). */
export class ReceiverStoppedError extends UraidenError {
  constructor(action: string) {
    super('RECEIVER_STOPPED', `${action}: the receiver has been stopped`);
  }
}

/** waitForSync() gave up: no poll reached the chain head of the call in time. */
export class SyncTimeoutError extends UraidenError {
  readonly block: number | undefined;
  readonly timeoutMs: number;
  constructor(block: number | undefined, timeoutMs: number, options?: ErrorOptions) {
    super('SYNC_TIMEOUT', `not synced to block ${block ?? '(head unknown)'} within ${timeoutMs} ms`, options);
    this.block = block;
    this.timeoutMs = timeoutMs;
  }
}
