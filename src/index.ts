/**
 * `uraiden-kit`: the common subset — the protocol core (§1 hashes and signatures, §3.1 headers),
 * the reference receiver (channel manager, paywalled proxy, resources) and the reference sender.
 * It never loads the in-process chain (ganache), the simulator or the conformance runner: import
 * those from `uraiden-kit/chain`, `uraiden-kit/simulator` and `uraiden-kit/conformance`. For the
 * protocol alone (no fastify, no SQLite, no ethers), import `uraiden-kit/protocol`.
 */
export type { Address, Hex, BalanceProofMessage, ClosingMessage } from './protocol/types.js';
export {
  balanceMessageHash,
  closingMessageHash,
  channelKey,
  encodeOpenData,
  encodeTopUpData,
} from './protocol/messages.js';
export {
  signBalanceProof,
  signClosing,
  recoverBalanceProofSigner,
  recoverClosingSigner,
  normalizeSignature,
  privateKeyToAddress,
} from './protocol/signature.js';
export { toChecksumAddress, sameAddress, isAddress } from './protocol/address.js';
export {
  HEADER,
  ERROR_FLAGS,
  GATEWAY_PATH,
  parsePaymentHeaders,
  encodePaymentHeaders,
  parseReplyHeaders,
  encodeReplyHeaders,
  type ErrorFlag,
} from './protocol/headers.js';
export { CHANNELS_ABI, TOKEN_ABI } from './protocol/abi.js';
export {
  UraidenError,
  InvalidAddressError,
  InvalidSignatureError,
  InvalidPrivateKeyError,
  InvalidHexError,
  InvalidIntegerError,
  OutOfRangeError,
  HeaderError,
  ReplyHeaderError,
} from './protocol/errors.js';
export {
  openReceiver,
  createProxy,
  paidResource,
  pricedResource,
  freeResource,
  forwardResource,
  echoResources,
  ResourceError,
  type Receiver,
  type ReceiverOptions,
  type PaywalledProxy,
  type ProxyOptions,
  type Resource,
} from './reference/receiver/index.js';
export {
  createSenderClient,
  isRefusal,
  SenderRefusal,
  SenderFailure,
  type SenderClient,
  type SenderClientOptions,
  type PaymentPolicy,
} from './reference/sender/index.js';
