// §1 messages, signed the way a stranger's client would: an independent implementation on ethers,
// not the kit's src/protocol, so a bug there cannot hide the same bug in the reference receiver.
// Also makes the deliberately broken signatures the cases need (odd v, high s, bad lengths).
import { SigningKey, getBytes, hashMessage, hexlify, solidityPackedKeccak256, toBeHex } from 'ethers';

const SCHEMA_B = solidityPackedKeccak256(
  ['string', 'string', 'string', 'string', 'string'],
  ['string message_id', 'address receiver', 'uint32 block_created', 'uint192 balance', 'address contract'],
);
const SCHEMA_C = solidityPackedKeccak256(
  ['string', 'string', 'string', 'string', 'string'],
  ['string message_id', 'address sender', 'uint32 block_created', 'uint192 balance', 'address contract'],
);
// The SPEC prints both schema hashes; if these ever differ the runner itself is broken.
if (
  SCHEMA_B !== '0x58609bfe78970060668532972d17b7dead82d88aa62966110094cd806a421d9c' ||
  SCHEMA_C !== '0x9d3122a6193f337abb0b13a1e6d57b164a6acb15d825b38a5bd2e66af512f09f'
) {
  throw new Error('conformance runner: §1 schema hashes do not match the SPEC');
}

/** secp256k1 group order, for the high-s variant of a signature. */
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

export function balanceHash(receiver: string, openBlock: number, balance: bigint, contract: string): string {
  const data = solidityPackedKeccak256(
    ['string', 'address', 'uint32', 'uint192', 'address'],
    ['Sender balance proof signature', receiver, openBlock, balance, contract],
  );
  return solidityPackedKeccak256(['bytes32', 'bytes32'], [SCHEMA_B, data]);
}

export function closingHash(sender: string, openBlock: number, balance: bigint, contract: string): string {
  const data = solidityPackedKeccak256(
    ['string', 'address', 'uint32', 'uint192', 'address'],
    ['Receiver closing signature', sender, openBlock, balance, contract],
  );
  return solidityPackedKeccak256(['bytes32', 'bytes32'], [SCHEMA_C, data]);
}

/**
 * `r ‖ s ‖ v` with v 27/28 and low s, lower-case hex. `prefixed`: what eth_sign / personal_sign
 * make of the 32 bytes — keccak256("\x19Ethereum Signed Message:\n32" ‖ hash) — which §1.3
 * excludes; a verifier that also tries the prefix accepts proofs the contract refuses.
 */
export function signHash(privateKey: string, hash: string, prefixed = false): string {
  return new SigningKey(privateKey).sign(prefixed ? hashMessage(getBytes(hash)) : hash).serialized.toLowerCase();
}

export interface Mangling {
  v_base?: number;
  high_s?: boolean;
  length?: number;
  raw?: string;
  uppercase?: boolean;
}

/** Applies the case's deliberate damage to a good signature, in a fixed order. */
export function mangle(signature: string, m: Mangling | undefined): string {
  if (!m) return signature;
  if (m.raw !== undefined) return m.raw;
  let bytes = getBytes(signature);
  const recid = (bytes[64] as number) - 27;
  if (m.high_s) {
    const s = BigInt(hexlify(bytes.slice(32, 64)));
    const flipped = getBytes(toBeHex(SECP256K1_N - s, 32));
    bytes = new Uint8Array([...bytes.slice(0, 32), ...flipped, 27 + (1 - recid)]);
  }
  if (m.v_base !== undefined) {
    const rec = (bytes[64] as number) - 27;
    bytes[64] = m.v_base + rec;
  }
  if (m.length !== undefined) {
    const out = new Uint8Array(m.length);
    out.set(bytes.slice(0, m.length));
    bytes = out;
  }
  const hex = hexlify(bytes);
  return m.uppercase ? `0x${hex.slice(2).toUpperCase()}` : hex;
}

/** v normalised to 27/28 (§1.4), as a receiver must store and echo it. */
export function normalized(signature: string): string {
  const bytes = getBytes(signature);
  if (bytes.length === 65 && (bytes[64] as number) < 27) bytes[64] = (bytes[64] as number) + 27;
  return hexlify(bytes);
}
