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

/** The five fields of §1.2 / §1.3: the message id, the other party, the open block, the balance, the contract. */
function fields(
  messageId: string,
  party: { name: 'receiver' | 'sender'; address: string },
  m: { openBlock: number; balance: bigint; contract: string },
): TypedDataV1 {
  return [
    { type: 'string', name: 'message_id', value: messageId },
    { type: 'address', name: party.name, value: toChecksumAddress(party.address) },
    { type: 'uint32', name: 'block_created', value: String(m.openBlock) },
    { type: 'uint192', name: 'balance', value: m.balance.toString() },
    { type: 'address', name: 'contract', value: toChecksumAddress(m.contract) },
  ];
}

/** §1.2: what the sender signs for a balance. */
export function balanceProofTypedData(m: BalanceProofMessage): TypedDataV1 {
  return fields(BALANCE_PROOF_MESSAGE_ID, { name: 'receiver', address: m.receiver }, m);
}

/** §1.3: the closing message. The reference receiver's §5 DELETE wants the sender's signature over it. */
export function closingTypedData(m: ClosingMessage): TypedDataV1 {
  return fields(CLOSING_MESSAGE_ID, { name: 'sender', address: m.sender }, m);
}
