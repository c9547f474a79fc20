/** An address in EIP-55 checksum case, as every function here returns them. */
export type Address = `0x${string}`;

/** A byte string as `0x` + lower-case hex. */
export type Hex = `0x${string}`;

/** What the sender signs (§1.2). Addresses in any case; `balance` is cumulative, in token base units. */
export interface BalanceProofMessage {
  receiver: string;
  openBlock: number;
  balance: bigint;
  contract: string;
}

/** What the receiver signs to agree to a cooperative close (§1.3). */
export interface ClosingMessage {
  sender: string;
  openBlock: number;
  balance: bigint;
  contract: string;
}
