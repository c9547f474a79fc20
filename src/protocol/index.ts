/** The protocol layer's public API (§1, §3.1): pure functions, no I/O. */
export type { Address, Hex, BalanceProofMessage, ClosingMessage } from './types.ts';
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
} from './errors.ts';
export { keccak256, bytesToHex } from './bytes.ts';
export { MAX_UINT32, MAX_UINT192 } from './integers.ts';
export { toChecksumAddress, sameAddress, isAddress } from './address.ts';
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
} from './messages.ts';
export {
  signBalanceProof,
  signClosing,
  recoverBalanceProofSigner,
  recoverClosingSigner,
  recoverSigner,
  normalizeSignature,
  privateKeyToAddress,
} from './signature.ts';
export { signatureBackend, setSignatureBackend, availableSignatureBackends, type SignatureBackend } from './backend.ts';
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
} from './headers.ts';
export { CHANNELS_ABI, TOKEN_ABI } from './abi.ts';
export { CHANNEL_EVENT_TOPICS, decodeChannelLog, type ChannelEventKind, type ChannelEventData, type ChannelLog } from './events.ts';
