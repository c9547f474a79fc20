/** The sender's side of µRaiden (§1, §3.1, §3.3, §5): a client that keeps channels and pays 402s. */
export {
  createSenderClient,
  SenderClient,
  isRefusal,
  type SenderClientOptions,
  type OpenOptions,
  type CloseResult,
  type CooperativeCloseResult,
  type UncooperativeCloseResult,
  type SettleResult,
} from './client.js';
export { DEFAULT_MAX_PRICE, DEFAULT_DEPOSIT_FACTOR, checkOffer, offerFrom, type PaymentPolicy, type DepositMethod, type Amount, type Offer } from './policy.js';
export { DEFAULT_RETRY, backoffDelay, type RetryPolicy, type WaitContext } from './wait.js';
export {
  STORE_FORMAT,
  defaultStorePath,
  loadAccount,
  saveAccount,
  storeKey,
  writeFileAtomic,
  type AccountState,
  type StoredChannel,
  type ChannelStatus,
} from './store.js';
export { applyEvents, chooseChannel, isOwnProof, signBalance, type ChannelChoice, type DepositPolicy } from './channels.js';
export { fetchChannelEvents, channelInfo, type ChannelInfo, type ChainConnection } from './chain.js';
export { requestClosingSignature } from './rest.js';
export type { LastPayment } from './fetch.js';
export * from './errors.js';
