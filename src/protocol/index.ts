/** The protocol layer's public API (§1, §3.1): pure functions, no I/O. */
export type { Address, Hex, BalanceProofMessage, ClosingMessage } from './types.js';
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
  SignatureBackendError,
  type SignatureRefusal,
  type HeaderRefusal,
  type ReplyHeaderRefusal,
} from './errors.js';
export { keccak256, bytesToHex } from './bytes.js';
export { MAX_UINT32, MAX_UINT192 } from './integers.js';
export { toChecksumAddress, sameAddress, isAddress } from './address.js';
export {
  BALANCE_PROOF_SCHEMA_HASH,
  CLOSING_SCHEMA_HASH,
  BALANCE_PROOF_MESSAGE_ID,
  CLOSING_MESSAGE_ID,
  balanceMessageHash,
  closingMessageHash,
  channelKey,
  encodeOpenData,
  encodeTopUpData,
} from './messages.js';
export {
  signBalanceProof,
  signClosing,
  recoverBalanceProofSigner,
  recoverClosingSigner,
  recoverSigner,
  normalizeSignature,
  privateKeyToAddress,
} from './signature.js';
export { signatureBackend, setSignatureBackend, availableSignatureBackends, type SignatureBackend } from './backend.js';
export {
  HEADER,
  ERROR_FLAGS,
  GATEWAY_PATH,
  nodeHeaders,
  fetchHeaders,
  parsePaymentHeaders,
  encodePaymentHeaders,
  parseReplyHeaders,
  encodeReplyHeaders,
  type ErrorFlag,
  type HeaderGetter,
  type PaymentHeaders,
  type PaymentRequest,
  type ReplyHeaders,
  type ParsedReplyHeaders,
} from './headers.js';
export { CHANNELS_ABI, TOKEN_ABI } from './abi.js';
export { CHANNEL_EVENT_TOPICS, decodeChannelLog, type ChannelEventKind, type ChannelEvent, type ChannelLog } from './events.js';
