/**
 * Byte helpers and the §1.1 packed encoding (Solidity's abi.encodePacked for the few types the
 * protocol uses). Everything returns fresh Uint8Arrays; `0x` hex is lower case.
 */
import { keccak_256 } from '@noble/hashes/sha3.js';
import type { Hex } from './types.js';

export { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';

/** Keccak-256, the Ethereum one (the pre-standard padding), not SHA3-256. */
export function keccak256(data: Uint8Array): Uint8Array {
  return keccak_256(data);
}

// A 256-entry table: bytesToHex sits on the hot path of every recovery (address checksum).
const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function bytesToHex(bytes: Uint8Array): Hex {
  let out = '0x';
  for (let i = 0; i < bytes.length; i++) out += HEX_BYTE[bytes[i]!];
  return out as Hex;
}

/** Value of one ASCII hex digit, or -1. */
function nibble(code: number): number {
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  if (code >= 97 && code <= 102) return code - 87; // a-f
  if (code >= 65 && code <= 70) return code - 55; // A-F
  return -1;
}

/**
 * Decodes `length` bytes of hex from `text` starting at character `start` (no prefix handling:
 * callers have already checked it). Returns undefined on any non-hex digit so each caller can
 * throw its own typed error.
 */
export function decodeHex(text: string, start: number, length: number): Uint8Array | undefined {
  const out = new Uint8Array(length);
  for (let i = 0, j = start; i < length; i++, j += 2) {
    const hi = nibble(text.charCodeAt(j));
    const lo = nibble(text.charCodeAt(j + 1));
    if (hi < 0 || lo < 0) return undefined;
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/** `value` as `size` big-endian bytes; the caller has range-checked it (§1.1 uint32, uint192). */
export function uintToBytes(value: bigint | number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let v = BigInt(value);
  for (let i = size - 1; i >= 0 && v > 0n; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}
