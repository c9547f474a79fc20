/**
 * The few contract calls the browser client makes, ABI-encoded by hand: every parameter is an
 * address, an unsigned integer or `bytes`, and every result it reads is a list of words or one
 * string. A general ABI library would be most of the 60 kB budget for this.
 */
import { bytesToHex, keccak256 } from '../protocol/index.js';
import type { Hex } from '../protocol/index.js';

const utf8 = new TextEncoder();

function selector(signature: string): string {
  return bytesToHex(keccak256(utf8.encode(signature))).slice(2, 10);
}

function word(value: bigint | number): string {
  const n = BigInt(value);
  if (n < 0n || n >= 2n ** 256n) throw new RangeError(`${value} does not fit a uint256`);
  return n.toString(16).padStart(64, '0');
}

/** Static types as one word each, `bytes` as an offset in the head and length ‖ data in the tail. */
export function encodeCall(signature: string, args: readonly (string | bigint | number)[]): Hex {
  const types = signature
    .slice(signature.indexOf('(') + 1, -1)
    .split(',')
    .filter(Boolean);
  if (types.length !== args.length) throw new TypeError(`${signature}: ${args.length} arguments for ${types.length} parameters`);
  let head = '';
  let tail = '';
  types.forEach((type, i) => {
    const arg = args[i]!;
    if (type === 'address') head += String(arg).slice(2).toLowerCase().padStart(64, '0');
    else if (type === 'bytes') {
      const data = String(arg).slice(2);
      head += word(types.length * 32 + tail.length / 2);
      tail += word(data.length / 2) + data.padEnd(Math.ceil(data.length / 64) * 64, '0');
    } else head += word(arg as bigint | number);
  });
  return `0x${selector(signature)}${head}${tail}`;
}

/** A call result as 32-byte words. */
export function decodeWords(data: string): bigint[] {
  const hex = data.startsWith('0x') ? data.slice(2) : data;
  const words: bigint[] = [];
  for (let i = 0; i + 64 <= hex.length; i += 64) words.push(BigInt(`0x${hex.slice(i, i + 64)}`));
  return words;
}

/** A call result that is one `string` (token symbol). */
export function decodeString(data: string): string {
  const hex = data.slice(2);
  const offset = Number(BigInt(`0x${hex.slice(0, 64)}`)) * 2;
  const length = Number(BigInt(`0x${hex.slice(offset, offset + 64)}`)) * 2;
  const bytes = new Uint8Array(length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(offset + 64 + i * 2, offset + 66 + i * 2), 16);
  return new TextDecoder().decode(bytes);
}
