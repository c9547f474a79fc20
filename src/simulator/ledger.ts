/**
 * Reads what happened on chain between two blocks from the contracts' logs and the receipts of
 * the transactions that emitted them, and enters it in the book: gas by side, channel
 * lifecycle counts, deposits and refunds, and how each close request ended.
 *
 * Every transaction of the simulation touches the token or the channels contract and emits a
 * log there (a reverted one would not, and is not counted: the agents never send one on purpose).
 */
import type { Chain } from '../sim/chain.js';
import { channelKey } from '../protocol/index.js';
import type { Book, ChannelRecord } from './book.js';

export interface Ledger {
  /** enters blocks (last scanned, `to`] */
  scan(to: number): Promise<void>;
}

/** The receipt fields the ledger reads, as the node returns them (raw JSON-RPC: no ethers formatting, which costs more than the call itself at a thousand receipts a tick). */
interface RawReceipt {
  from: string;
  gasUsed: string;
  logs: { address: string; topics: string[]; data: string; blockNumber: string; transactionHash: string }[];
}

export function createLedger(chain: Chain, book: Book, fromBlock: number): Ledger {
  const rpc = <T>(method: string, params: unknown[]) => chain.ganache.request({ method, params }) as Promise<T>;
  const receiver = chain.accounts.receiver.address.toLowerCase();
  const channelsAddress = chain.addresses.channels.toLowerCase();
  const iface = chain.channels.interface;
  let scanned = fromBlock - 1;

  const enter = (r: RawReceipt): void => {
    const t = book.totals;
    const fromReceiver = r.from.toLowerCase() === receiver;
    if (fromReceiver) {
      t.gasUnitsReceiver += BigInt(r.gasUsed);
      t.txReceiver++;
    } else {
      t.gasUnitsSenders += BigInt(r.gasUsed);
      t.txSenders++;
    }
    for (const log of r.logs) {
      if (log.address.toLowerCase() !== channelsAddress) continue;
      const ev = iface.parseLog({ topics: [...log.topics], data: log.data });
      if (!ev?.name.startsWith('Channel')) continue;
      const sender = String(ev.args.getValue('_sender_address'));
      const blockNumber = Number(log.blockNumber);
      switch (ev.name) {
        case 'ChannelCreated': {
          const deposit = ev.args.getValue('_deposit') as bigint;
          // The agents may have entered payments on it already (this scan runs at the tick's end).
          openRecord(book, sender, blockNumber).deposit += deposit;
          t.opened++;
          t.deposited += deposit;
          break;
        }
        case 'ChannelToppedUp': {
          const added = ev.args.getValue('_added_deposit') as bigint;
          const c = record(book, sender, ev.args.getValue('_open_block_number'));
          if (c) c.deposit += added;
          t.toppedUp++;
          t.deposited += added;
          break;
        }
        case 'ChannelCloseRequested': {
          const claimed = ev.args.getValue('_balance') as bigint;
          const c = record(book, sender, ev.args.getValue('_open_block_number'));
          t.closeRequests++;
          if (c) {
            c.claimed = claimed;
            if (claimed < c.paid) t.cheats++;
          }
          break;
        }
        case 'ChannelSettled': {
          const balance = ev.args.getValue('_balance') as bigint;
          const c = record(book, sender, ev.args.getValue('_open_block_number'));
          t.settled++;
          if (!c) break;
          c.settled = true;
          t.refunded += c.deposit - balance;
          // A receiver's cooperativeClose on a channel with a close request is its dispute.
          if (fromReceiver && c.claimed !== undefined) t.disputesRaised++;
          if (c.claimed !== undefined && c.claimed < c.paid) {
            if (balance >= c.paid) {
              c.outcome = 'won';
              t.disputesWon++;
            } else {
              c.outcome = 'missed';
              t.disputesMissed++;
              t.lostToCheats += c.paid - balance;
            }
          } else c.outcome = 'honest';
          break;
        }
      }
    }
  };

  return {
    async scan(to) {
      if (to <= scanned) return;
      const hex = (n: number) => `0x${n.toString(16)}`;
      const logs = await rpc<RawReceipt['logs']>('eth_getLogs', [
        { fromBlock: hex(scanned + 1), toBlock: hex(to), address: [chain.addresses.channels, chain.addresses.token] },
      ]);
      scanned = to;
      // Logs come in chain order; each transaction is entered once, at its first log.
      const seen = new Set<string>();
      for (const log of logs) {
        if (seen.has(log.transactionHash)) continue;
        seen.add(log.transactionHash);
        const r = await rpc<RawReceipt | null>('eth_getTransactionReceipt', [log.transactionHash]);
        if (r) enter(r);
      }
    },
  };
}

/** The record of a channel, created empty if nobody entered it yet. */
export function openRecord(book: Book, sender: string, openBlock: number): ChannelRecord {
  const key = channelKey(sender, book.receiver, openBlock);
  let c = book.channels.get(key);
  if (!c) {
    c = { sender, openBlock, deposit: 0n, paid: 0n, settled: false };
    book.channels.set(key, c);
  }
  return c;
}

function record(book: Book, sender: string, openBlock: unknown): ChannelRecord | undefined {
  return book.channels.get(channelKey(sender, book.receiver, Number(openBlock)));
}
