/**
 * The simulator's books: running totals of everything the table reports. Chain facts (gas,
 * channel events, dispute outcomes) are entered by the ledger from receipts; request outcomes by
 * the agents. Amounts are token base units, gas in units (priced at the scenario's gas price when
 * reported).
 */
import type { Address, Hex } from '../protocol/index.js';

/** What the simulator knows of one channel: `paid` is the sum of the prices served on it. */
export interface ChannelRecord {
  sender: string;
  openBlock: number;
  deposit: bigint;
  paid: bigint;
  /** balance claimed by an uncooperative close, once requested */
  claimed?: bigint;
  /** how the close request ended: at the registered balance (won) or the stale claim (missed) */
  outcome?: 'honest' | 'won' | 'missed';
  settled: boolean;
}

export interface Totals {
  gasUnitsSenders: bigint;
  gasUnitsReceiver: bigint;
  txSenders: number;
  txReceiver: number;
  opened: number;
  toppedUp: number;
  closeRequests: number;
  settled: number;
  /** tokens senders moved into the contract (opens + top-ups) */
  deposited: bigint;
  /** tokens the contract gave back to senders at settlement */
  refunded: bigint;
  /** close requests below the paid balance (stale-balance cheats) */
  cheats: number;
  disputesRaised: number;
  disputesWon: number;
  disputesMissed: number;
  /** tokens the receiver lost to cheats it did not dispute in time */
  lostToCheats: bigint;
  served: number;
  /** refused while the receiver was offline (502) */
  refusedOffline: number;
  /** refused for any other reason (see errors) */
  refusedOther: number;
  deferred: number;
  /** sum of the prices of the requests served */
  earned: bigint;
  /** error code → count, for refusals other than offline */
  errors: Record<string, number>;
}

export interface Book {
  /** the one receiver of the simulation */
  receiver: Address;
  totals: Totals;
  /** by §1.5 channel key */
  channels: Map<Hex, ChannelRecord>;
}

export function emptyBook(receiver: Address): Book {
  return {
    receiver,
    channels: new Map(),
    totals: {
      gasUnitsSenders: 0n,
      gasUnitsReceiver: 0n,
      txSenders: 0,
      txReceiver: 0,
      opened: 0,
      toppedUp: 0,
      closeRequests: 0,
      settled: 0,
      deposited: 0n,
      refunded: 0n,
      cheats: 0,
      disputesRaised: 0,
      disputesWon: 0,
      disputesMissed: 0,
      lostToCheats: 0n,
      served: 0,
      refusedOffline: 0,
      refusedOther: 0,
      deferred: 0,
      earned: 0n,
      errors: {},
    },
  };
}
