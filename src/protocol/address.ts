/** Addresses: parse any case, emit EIP-55, compare case-insensitively (§3.1). */
import { bytesToHex, decodeHex, keccak256, utf8ToBytes } from './bytes.js';
import { InvalidAddressError } from './errors.js';
import type { Address } from './types.js';

const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;

/**
 * EIP-55 checksum of a 40-hex-digit `0x` address given in any case. A mixed-case input with a
 * wrong checksum is accepted and re-cased, not refused: §3.1 says receivers of headers compare
 * addresses case-insensitively, so the checksum carries no meaning on input.
 */
export function toChecksumAddress(value: string): Address {
  if (typeof value !== 'string' || !ADDRESS_RE.test(value)) throw new InvalidAddressError(value);
  return cachedChecksum(value.slice(2).toLowerCase());
}

/** EIP-55 casing of 40 lower-case hex digits (no prefix). */
function checksumLowerHex(lower: string): Address {
  const hash = keccak256(utf8ToBytes(lower));
  let out = '0x';
  for (let i = 0; i < 40; i++) {
    const c = lower[i]!;
    // Digit i is upper-cased when nibble i of the hash is ≥ 8.
    const nib = i % 2 === 0 ? hash[i >> 1]! >> 4 : hash[i >> 1]! & 0x0f;
    out += nib >= 8 ? c.toUpperCase() : c;
  }
  return out as Address;
}

// Addresses repeat (a proxy sees the same senders, receiver and contract on every request) and
// the checksum costs a keccak, about a tenth of a native recovery; a small cache, emptied when
// full, skips it.
const checksumCache = new Map<string, Address>();
const CHECKSUM_CACHE_SIZE = 4096;

function cachedChecksum(lower: string): Address {
  let address = checksumCache.get(lower);
  if (address === undefined) {
    if (checksumCache.size >= CHECKSUM_CACHE_SIZE) checksumCache.clear();
    address = checksumLowerHex(lower);
    checksumCache.set(lower, address);
  }
  return address;
}

/** The checksummed address of 20 raw bytes (e.g. the tail of a public key's hash). */
export function addressFromBytes(bytes: Uint8Array): Address {
  return cachedChecksum(bytesToHex(bytes).slice(2));
}

/** The 20 bytes of an address (§1.1), validating it. */
export function addressToBytes(value: string): Uint8Array {
  if (typeof value !== 'string' || !ADDRESS_RE.test(value)) throw new InvalidAddressError(value);
  return decodeHex(value, 2, 20)!;
}

export function isAddress(value: unknown): value is string {
  return typeof value === 'string' && ADDRESS_RE.test(value);
}

/** Case-insensitive equality of two addresses; throws InvalidAddressError if either is not one. */
export function sameAddress(a: string, b: string): boolean {
  if (!isAddress(a)) throw new InvalidAddressError(a);
  if (!isAddress(b)) throw new InvalidAddressError(b);
  return a.toLowerCase() === b.toLowerCase();
}
