/**
 * Range checks for the two integer types in signed messages. The contract takes `uint32` and
 * `uint192` parameters: a value outside them could never be redeemed, so we refuse to sign or
 * encode it rather than let it wrap.
 */
import { InvalidIntegerError, OutOfRangeError } from './errors.js';

export const MAX_UINT32 = 2n ** 32n - 1n;
export const MAX_UINT192 = 2n ** 192n - 1n;

/** An open block number: a safe integer in [0, 2^32 − 1]. */
export function assertUint32(field: string, value: number): number {
  if (!Number.isSafeInteger(value)) throw new InvalidIntegerError(field, value);
  if (value < 0 || value > 0xffffffff) throw new OutOfRangeError(field, BigInt(value), 0n, MAX_UINT32);
  return value;
}

/** A balance or deposit: a bigint in [0, 2^192 − 1]. */
export function assertUint192(field: string, value: bigint): bigint {
  if (typeof value !== 'bigint') throw new InvalidIntegerError(field, value);
  if (value < 0n || value > MAX_UINT192) throw new OutOfRangeError(field, value, 0n, MAX_UINT192);
  return value;
}
