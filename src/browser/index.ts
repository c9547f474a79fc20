/**
 * `uraiden-kit/browser`: a µRaiden sender in a browser, paying through the person's EIP-1193
 * wallet (§1.2, §1.3 as v1 typed data; §3.1 cookies; §5 REST). ESM, no Node built-ins: it loads
 * the protocol core with @noble/secp256k1 (package.json "browser" maps the native backend away).
 */
export {
  createWebClient,
  DEFAULT_MAX_PRICE,
  type WebClient,
  type WebClientOptions,
  type ChannelInfo,
  type ReceiverView,
  type DepositVia,
  type TransactionOptions,
} from './client.js';
export { discoverWallets, findWallet, walletRequest, type Eip1193Provider, type WalletInfo, type DiscoveredWallet } from './wallet.js';
export { balanceProofTypedData, closingTypedData, type TypedDataV1, type TypedDataV1Field } from './typed-data.js';
export { setPaymentCookies, clearPaymentCookies, readPaymentCookies, PAYMENT_COOKIES, type CookiePayment, type CookieJar } from './cookies.js';
export { channelStore, type ChannelStore, type StoredChannel, type ChannelStatus, type KeyValueStorage } from './store.js';
// Every error this layer throws, and their base (the protocol's own are in uraiden-kit/protocol).
export {
  NoWalletError,
  WalletRejectedError,
  WalletRequestError,
  WrongChainError,
  WalletSignatureMismatchError,
  PriceAboveCapError,
  ReceiverNotAllowedError,
  BalanceAboveDepositError,
  InsufficientTokensError,
  NoChannelError,
  ChannelStateError,
  ChallengePeriodError,
  CloseRefusedError,
  InvalidClosingSignatureError,
  TransactionFailedError,
  GatewayError,
} from './errors.js';
export { UraidenError } from '../protocol/errors.js';
