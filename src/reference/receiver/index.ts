/** The receiver's channel manager (SPEC §4). */
export { openReceiver, type Receiver, type ReceiverOptions } from './manager/manager.js';
export type { WithdrawResult, CloseAllResult } from './manager/operations.js';
export type { Logger } from './manager/model.js';
export { consoleLogger, memoryLogger, type LogLevel } from './manager/log.js';
export { StateMismatchError, StateLockedError, StateSchemaError, ReceiverConfigError, ReceiverStoppedError, RpcError, TransactionError } from './manager/errors.js';
export type * from './manager/types.js';
