/**
 * §1 hashes and signatures computed with ethers alone, independent of src/protocol, so the
 * contract tests check the contract against the spec rather than against our own client code.
 */
import { Signature, SigningKey, getBytes, hexlify, keccak256, solidityPacked, solidityPackedKeccak256, toUtf8Bytes } from 'ethers';

const BALANCE_SCHEMA = keccak256(toUtf8Bytes('string message_idaddress receiveruint32 block_createduint192 balanceaddress contract'));
const CLOSING_SCHEMA = keccak256(toUtf8Bytes('string message_idaddress senderuint32 block_createduint192 balanceaddress contract'));

export function balanceHash(receiver: string, openBlock: number, balance: bigint, contract: string): string {
  const data = solidityPackedKeccak256(
    ['string', 'address', 'uint32', 'uint192', 'address'],
    ['Sender balance proof signature', receiver, openBlock, balance, contract],
  );
  return keccak256(solidityPacked(['bytes32', 'bytes32'], [BALANCE_SCHEMA, data]));
}

export function closingHash(sender: string, openBlock: number, balance: bigint, contract: string): string {
  const data = solidityPackedKeccak256(
    ['string', 'address', 'uint32', 'uint192', 'address'],
    ['Receiver closing signature', sender, openBlock, balance, contract],
  );
  return keccak256(solidityPacked(['bytes32', 'bytes32'], [CLOSING_SCHEMA, data]));
}

/** Raw signature of the hash (no message prefix), 65 bytes r ‖ s ‖ v with v = 27/28. */
export function signHash(privateKey: string, hash: string): string {
  return new SigningKey(privateKey).sign(hash).serialized;
}

/** The same signature with v replaced (e.g. 0/1 for 27/28, or an invalid 29). */
export function withV(signature: string, v: number): string {
  const bytes = getBytes(signature);
  bytes[64] = v;
  return hexlify(bytes);
}

/** The malleated twin (s → n − s, v flipped): another valid signature of the same hash. */
export function highS(signature: string): string {
  const sig = Signature.from(signature);
  const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
  const s = n - BigInt(sig.s);
  const v = sig.v === 27 ? 28 : 27;
  return hexlify(new Uint8Array([...getBytes(sig.r), ...getBytes(`0x${s.toString(16).padStart(64, '0')}`), v]));
}
