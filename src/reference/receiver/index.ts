/** The receiver's channel manager (SPEC §4). */
export { openReceiver, type Receiver, type ReceiverOptions } from './manager.ts';
export type { WithdrawResult, CloseAllResult } from './operations.ts';
export type { Logger } from './model.ts';
export { consoleLogger, memoryLogger, type LogLevel } from './log.ts';
export { StateMismatchError, StateLockedError, StateSchemaError, ReceiverConfigError, ReceiverStoppedError, RpcError, TransactionError } from './errors.ts';
export type * from './types.ts';
