/** Deterministic inputs for the protocol tests: keys and values derived from fixed strings. */
import * as noble from '@noble/secp256k1';
import { keccak256, bytesToHex, type Hex } from '../../src/protocol/index.js';

export function hashOf(label: string): Hex {
  return bytesToHex(keccak256(new TextEncoder().encode(label)));
}

/** A private key derived from a label (keccak of it; never 0 or ≥ n in practice). */
export function keyOf(label: string): Hex {
  return hashOf(`uraiden-kit test key: ${label}`);
}

/** A lower-case address derived from a label. */
export function addressOf(label: string): string {
  return `0x${hashOf(`uraiden-kit test address: ${label}`).slice(26)}`;
}

/** A bigint in [0, 2^bits) derived from a label. */
export function uintOf(label: string, bits: number): bigint {
  return BigInt(hashOf(`uraiden-kit test uint: ${label}`)) >> BigInt(256 - bits);
}

/** The secp256k1 group order. */
export const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

const hex32 = (n: bigint): string => n.toString(16).padStart(64, '0');

/** A 65-byte signature r ‖ s ‖ v from its parts (no validation: tests build bad ones on purpose). */
export function sigFrom(r: bigint, s: bigint, v: number): Hex {
  return `0x${hex32(r)}${hex32(s)}${v.toString(16).padStart(2, '0')}`;
}

export function sigParts(sig: string): { r: bigint; s: bigint; v: number } {
  return { r: BigInt(`0x${sig.slice(2, 66)}`), s: BigInt(`0x${sig.slice(66, 130)}`), v: parseInt(sig.slice(130, 132), 16) };
}

/** The same signature with another v byte. */
export function withV(sig: string, v: number): Hex {
  return (sig.slice(0, 130) + v.toString(16).padStart(2, '0')) as Hex;
}

/** The malleable twin (r, n − s, v flipped): same signer, high s; the contract accepts it (§1.4). */
export function toHighS(sig: string): Hex {
  const { r, s, v } = sigParts(sig);
  return sigFrom(r, N - s, v === 27 ? 28 : 27);
}

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  for (base %= mod; exp > 0n; exp >>= 1n, base = (base * base) % mod) if (exp & 1n) result = (result * base) % mod;
  return result;
}

/** An r with no curve point of that x coordinate (5³ + 7 is not a square mod p): nothing recovers. */
export const R_NOT_ON_CURVE = 5n;

/**
 * A well-formed signature on `hash` whose recovery gives the point at infinity: with R = kG,
 * r = R.x and s = h/k, the recovered key r⁻¹(sR − hG) is 0. ecrecover returns 0 for it, so the
 * contract reverts.
 */
export function sigRecoveringToInfinity(hash: Hex, k = 0x5eedn): Hex {
  const R = noble.Point.BASE.multiply(k).toAffine();
  const s = ((BigInt(hash) % N) * modPow(k, N - 2n, N)) % N;
  return sigFrom(R.x % N, s, 27 + Number(R.y & 1n));
}
