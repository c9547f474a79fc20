/**
 * `uraiden-kit/sender`: the sender's side of µRaiden (§1, §3.1, §3.3, §5) — a client that keeps
 * its channels and pays 402s (`client.fetch`), opens, tops up, closes and settles.
 */
export {
  createSenderClient,
  isRefusal,
  type SenderClient,
  type SenderClientOptions,
  type OpenOptions,
  type CloseResult,
  type CooperativeCloseResult,
  type UncooperativeCloseResult,
  type SettleResult,
} from './client.js';
export type { LastPayment } from './fetch.js';
export type { ContractInfo } from './chain.js';
export { DEFAULT_MAX_PRICE, DEFAULT_DEPOSIT_FACTOR, type PaymentPolicy, type DepositMethod, type Amount } from './policy.js';
export { DEFAULT_RETRY, type RetryPolicy, type WaitContext } from './wait.js';
export { defaultStorePath, type StoredChannel, type ChannelStatus } from './store.js';
// Every error this layer throws — refusals (policy or protocol said no), failures (something
// broke) — and their base (the protocol's own are in uraiden-kit/protocol).
export {
  SenderRefusal,
  SenderFailure,
  PriceAboveCapError,
  ReceiverNotAllowedError,
  ContractMismatchError,
  BudgetExceededError,
  PaymentRefusedError,
  ConfirmationsTimeoutError,
  InsufficientTokensError,
  DepositLimitError,
  BalanceAboveDepositError,
  UnknownChannelError,
  ChannelStateError,
  ChallengePeriodError,
  CloseRefusedError,
  InvalidClosingSignatureError,
  StoreError,
  ChainAccessError,
  SenderTransactionError,
} from './errors.js';
export { UraidenError } from '../../protocol/errors.js';
