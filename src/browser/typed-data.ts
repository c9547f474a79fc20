/**
 * The µRaiden messages as legacy `eth_signTypedData` (v1) data — an array of {type, name, value} —
 * exactly as the original web client sent them. A v1 wallet signs
 * keccak(keccak(packed "type name" strings) ‖ keccak(packed values)), which for these fields is
 * SPEC §1.2 / §1.3 to the bit: "string message_id" … "address contract" is the schema, and the
 * values are the message id, the party, uint32 open block, uint192 balance and the contract.
 */
import { BALANCE_PROOF_MESSAGE_ID, CLOSING_MESSAGE_ID, toChecksumAddress } from '../protocol/index.js';
import type { BalanceProofMessage, ClosingMessage } from '../protocol/index.js';

export interface TypedDataV1Field {
  type: string;
  name: string;
  value: string;
}

export type TypedDataV1 = TypedDataV1Field[];

/** §1.2: what the sender signs for a balance. */
export function balanceProofTypedData(m: BalanceProofMessage): TypedDataV1 {
  return [
    { type: 'string', name: 'message_id', value: BALANCE_PROOF_MESSAGE_ID },
    { type: 'address', name: 'receiver', value: toChecksumAddress(m.receiver) },
    { type: 'uint32', name: 'block_created', value: String(m.openBlock) },
    { type: 'uint192', name: 'balance', value: m.balance.toString() },
    { type: 'address', name: 'contract', value: toChecksumAddress(m.contract) },
  ];
}

/** §1.3: the closing message. The reference receiver's §5 DELETE wants the sender's signature over it. */
export function closingTypedData(m: ClosingMessage): TypedDataV1 {
  return [
    { type: 'string', name: 'message_id', value: CLOSING_MESSAGE_ID },
    { type: 'address', name: 'sender', value: toChecksumAddress(m.sender) },
    { type: 'uint32', name: 'block_created', value: String(m.openBlock) },
    { type: 'uint192', name: 'balance', value: m.balance.toString() },
    { type: 'address', name: 'contract', value: toChecksumAddress(m.contract) },
  ];
}
