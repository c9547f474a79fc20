/**
 * §1.4 signatures: 65 bytes r ‖ s ‖ v as `0x` + 130 hex digits.
 *
 * Signing emits v 27/28, low s, RFC 6979 nonces. Verifying accepts exactly what the contract's
 * ecrecover path accepts — v ∈ {0, 1, 27, 28}, any s in [1, n) — and refuses everything else,
 * because a proof the contract would reject is worthless to a receiver in a dispute.
 */
import * as noble from '@noble/secp256k1';
import { addressFromBytes } from './address.js';
import { recoverPublicKey, signRecoverable } from './backend.js';
import { bytesToHex, decodeHex, keccak256 } from './bytes.js';
import { InvalidHexError, InvalidPrivateKeyError, InvalidSignatureError } from './errors.js';
import { balanceMessageDigest, closingMessageDigest } from './messages.js';
import type { Address, BalanceProofMessage, ClosingMessage, Hex } from './types.js';

/** The secp256k1 group order n, big-endian: r and s must lie in [1, n). */
const N = decodeHex('fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141', 0, 32)!;

/** True when the 32 bytes at `bytes[start..]` are a scalar in [1, n). */
function isScalar(bytes: Uint8Array, start: number): boolean {
  let zero = true;
  let below: boolean | undefined; // undefined while the prefix equals n's
  for (let i = 0; i < 32; i++) {
    const b = bytes[start + i]!;
    if (b !== 0) zero = false;
    if (below === undefined && b !== N[i]) below = b < N[i]!;
  }
  return !zero && below === true;
}

/**
 * Parses and validates a §1.4 signature into 65 bytes with v normalised to 27/28. Checks, in
 * order: `0x` prefix, 130 digits, hex, v, r, s.
 */
function parseSignature(signature: string): Uint8Array {
  if (typeof signature !== 'string' || !signature.startsWith('0x')) throw new InvalidSignatureError(signature, 'missing-0x-prefix');
  if (signature.length !== 132) throw new InvalidSignatureError(signature, 'wrong-length');
  const bytes = decodeHex(signature, 2, 65);
  if (bytes === undefined) throw new InvalidSignatureError(signature, 'not-hex');
  const v = bytes[64]!;
  // 0/1 are raw recovery ids some signers emit; the contract adds 27. Never 29+, never EIP-155.
  if (v === 0 || v === 1) bytes[64] = v + 27;
  else if (v !== 27 && v !== 28) throw new InvalidSignatureError(signature, 'invalid-v');
  if (!isScalar(bytes, 0)) throw new InvalidSignatureError(signature, 'r-out-of-range');
  if (!isScalar(bytes, 32)) throw new InvalidSignatureError(signature, 's-out-of-range');
  return bytes;
}

/** The signature with v as 27/28 (what a receiver stores and submits, §1.4); validates it. */
export function normalizeSignature(signature: string): Hex {
  return bytesToHex(parseSignature(signature));
}

/** Signer of a 32-byte digest; throws InvalidSignatureError (any §1.4 reason or recovery-failed). */
function recoverDigestSigner(digest: Uint8Array, signature: string): Address {
  const sig = parseSignature(signature);
  const pub = recoverPublicKey(digest, sig.subarray(0, 64), sig[64]! - 27);
  if (pub === undefined) throw new InvalidSignatureError(signature, 'recovery-failed');
  return addressFromBytes(keccak256(pub.subarray(1)).subarray(12));
}

/** Signer of any 32-byte hash given as hex, e.g. a stored message hash. */
export function recoverSigner(hash: Hex, signature: string): Address {
  const digest = typeof hash === 'string' && /^0x[0-9a-fA-F]{64}$/.test(hash) ? decodeHex(hash, 2, 32) : undefined;
  if (digest === undefined) throw new InvalidHexError('hash', hash, 32);
  return recoverDigestSigner(digest, signature);
}

/** §1.2 + §1.4: who signed this balance proof. */
export function recoverBalanceProofSigner(m: BalanceProofMessage, signature: string): Address {
  return recoverDigestSigner(balanceMessageDigest(m), signature);
}

/** §1.3 + §1.4: who signed this closing signature. */
export function recoverClosingSigner(m: ClosingMessage, signature: string): Address {
  return recoverDigestSigner(closingMessageDigest(m), signature);
}

function privateKeyBytes(privateKey: string): Uint8Array {
  const bytes = typeof privateKey === 'string' && /^0x[0-9a-fA-F]{64}$/.test(privateKey) ? decodeHex(privateKey, 2, 32) : undefined;
  if (bytes === undefined || !isScalar(bytes, 0)) throw new InvalidPrivateKeyError('expected 0x and 64 hex digits, a scalar in [1, n)');
  return bytes;
}

function signDigest(privateKey: Hex, digest: Uint8Array): Hex {
  // Ethereum wants r ‖ s ‖ (27 + recid).
  const { rs, recid } = signRecoverable(digest, privateKeyBytes(privateKey));
  const out = new Uint8Array(65);
  out.set(rs, 0);
  out[64] = 27 + recid;
  return bytesToHex(out);
}

/** §1.2 + §1.4: the sender's balance proof; 65 bytes, v 27/28, low s, deterministic. */
export function signBalanceProof(privateKey: Hex, m: BalanceProofMessage): Hex {
  return signDigest(privateKey, balanceMessageDigest(m));
}

/** §1.3 + §1.4: the receiver's closing signature. */
export function signClosing(privateKey: Hex, m: ClosingMessage): Hex {
  return signDigest(privateKey, closingMessageDigest(m));
}

/** The address of a private key (keccak of the uncompressed public key, last 20 bytes). */
export function privateKeyToAddress(privateKey: Hex): Address {
  const pub = noble.getPublicKey(privateKeyBytes(privateKey), false);
  return addressFromBytes(keccak256(pub.subarray(1)).subarray(12));
}
