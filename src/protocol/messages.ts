/**
 * §1.2 / §1.3 message hashes and §1.5 channel key and ERC223 data. The hashes follow µRaiden's
 * pre-EIP-712 "typed data" scheme: keccak(schema ‖ keccak(packed values)), signed raw, with no
 * `\x19Ethereum Signed Message` prefix.
 */
import { addressToBytes } from './address.js';
import { bytesToHex, concatBytes, decodeHex, keccak256, uintToBytes, utf8ToBytes } from './bytes.js';
import { assertUint192, assertUint32 } from './integers.js';
import type { BalanceProofMessage, ClosingMessage, Hex } from './types.js';

/**
 * keccak256("string message_id" "address receiver" "uint32 block_created" "uint192 balance"
 * "address contract"), as printed in §1.2. Kept literal (not computed) so a test can check the
 * SPEC's value against the strings.
 */
export const BALANCE_PROOF_SCHEMA_HASH: Hex = '0x58609bfe78970060668532972d17b7dead82d88aa62966110094cd806a421d9c';
/** The same with "address sender" (§1.3). */
export const CLOSING_SCHEMA_HASH: Hex = '0x9d3122a6193f337abb0b13a1e6d57b164a6acb15d825b38a5bd2e66af512f09f';

export const BALANCE_PROOF_MESSAGE_ID = 'Sender balance proof signature';
export const CLOSING_MESSAGE_ID = 'Receiver closing signature';

const BALANCE_SCHEMA = decodeHex(BALANCE_PROOF_SCHEMA_HASH, 2, 32)!;
const CLOSING_SCHEMA = decodeHex(CLOSING_SCHEMA_HASH, 2, 32)!;
const BALANCE_ID = utf8ToBytes(BALANCE_PROOF_MESSAGE_ID);
const CLOSING_ID = utf8ToBytes(CLOSING_MESSAGE_ID);

/** keccak(schema ‖ keccak(id ‖ party(20) ‖ uint32 open block ‖ uint192 balance ‖ contract(20))). */
function typedHash(schema: Uint8Array, id: Uint8Array, party: string, openBlock: number, balance: bigint, contract: string): Uint8Array {
  const data = keccak256(
    concatBytes(
      id,
      addressToBytes(party),
      uintToBytes(assertUint32('openBlock', openBlock), 4),
      uintToBytes(assertUint192('balance', balance), 24),
      addressToBytes(contract),
    ),
  );
  return keccak256(concatBytes(schema, data));
}

/** The 32 bytes the sender signs (§1.2). */
export function balanceMessageDigest(m: BalanceProofMessage): Uint8Array {
  return typedHash(BALANCE_SCHEMA, BALANCE_ID, m.receiver, m.openBlock, m.balance, m.contract);
}

/** The 32 bytes the receiver signs (§1.3). */
export function closingMessageDigest(m: ClosingMessage): Uint8Array {
  return typedHash(CLOSING_SCHEMA, CLOSING_ID, m.sender, m.openBlock, m.balance, m.contract);
}

/** §1.2 balance_message_hash. Throws InvalidAddressError / InvalidIntegerError / OutOfRangeError. */
export function balanceMessageHash(m: BalanceProofMessage): Hex {
  return bytesToHex(balanceMessageDigest(m));
}

/** §1.3 closing_message_hash. */
export function closingMessageHash(m: ClosingMessage): Hex {
  return bytesToHex(closingMessageDigest(m));
}

/** §1.5 keccak256(sender ‖ receiver ‖ uint32(open_block)): the contract's key for a channel. */
export function channelKey(sender: string, receiver: string, openBlock: number): Hex {
  return bytesToHex(keccak256(encodeTopUpBytes(sender, receiver, openBlock)));
}

/** §1.5 ERC223 `data` that opens a channel: sender(20) ‖ receiver(20). */
export function encodeOpenData(sender: string, receiver: string): Hex {
  return bytesToHex(concatBytes(addressToBytes(sender), addressToBytes(receiver)));
}

/** §1.5 ERC223 `data` that tops a channel up: sender(20) ‖ receiver(20) ‖ uint32(open_block)(4). */
export function encodeTopUpData(sender: string, receiver: string, openBlock: number): Hex {
  return bytesToHex(encodeTopUpBytes(sender, receiver, openBlock));
}

// The channel key hashes exactly the top-up payload.
function encodeTopUpBytes(sender: string, receiver: string, openBlock: number): Uint8Array {
  return concatBytes(addressToBytes(sender), addressToBytes(receiver), uintToBytes(assertUint32('openBlock', openBlock), 4));
}
