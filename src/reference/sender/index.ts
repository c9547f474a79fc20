/** The sender's side of µRaiden (§1, §3.1, §3.3, §5): a client that keeps channels and pays 402s. */
export {
  createSenderClient,
  SenderClient,
  isRefusal,
  type SenderClientOptions,
  type OpenOptions,
  type LastPayment,
  type CloseResult,
  type CooperativeCloseResult,
  type UncooperativeCloseResult,
  type SettleResult,
} from './client.ts';
export { DEFAULT_MAX_PRICE, DEFAULT_DEPOSIT_FACTOR, checkOffer, offerFrom, type PaymentPolicy, type DepositMethod, type Amount, type Offer } from './policy.ts';
export { DEFAULT_RETRY, backoffDelay, type RetryPolicy, type WaitContext } from './wait.ts';
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
} from './store.ts';
export { applyEvents, chooseChannel, isOwnProof, signBalance, type ChannelChoice, type DepositPolicy } from './channels.ts';
export { fetchChannelEvents, channelInfo, type ChannelEvent, type ChannelInfo, type ChainConnection } from './chain.ts';
export { requestClosingSignature } from './rest.ts';
export * from './errors.ts';
