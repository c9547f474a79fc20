/**
 * The browser's channels, in `localStorage` as the original web client kept them: one JSON entry
 * per (account, receiver), holding the channel the account pays that receiver through and the
 * last balance it signed. The key also names the chain and the contract (the original's was
 * `account|receiver`), so one browser can use several deployments without mixing them up.
 * Losing the entry loses no money: the channel is found again from the contract's events
 * (client.ts) and the balance from the receiver's last proof (§3.2 step 8).
 */
import type { Address, Hex } from '../protocol/index.js';

export type ChannelStatus = 'open' | 'closing' | 'settled';

export interface StoredChannel {
  account: Address;
  receiver: Address;
  contract: Address;
  chainId: number;
  openBlock: number;
  /** the last balance signed (cumulative, token base units) */
  balance: bigint;
  /** the signature of that balance; absent before the first payment */
  signature?: Hex;
  /** found again from the contract's events: the balance (0) is a guess until the receiver tells it */
  recovered?: true;
  status: ChannelStatus;
  /** when closing: the block after which it can be settled */
  settleBlock?: number;
}

/** The part of the Web Storage API the store uses (localStorage, or a stand-in). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface ChannelStore {
  get(account: string, receiver: string): StoredChannel | undefined;
  put(channel: StoredChannel): void;
  remove(account: string, receiver: string): void;
}

export function channelStore(storage: KeyValueStorage, chainId: number, contract: string): ChannelStore {
  const key = (account: string, receiver: string) => `uraiden:${chainId}:${contract}:${account}|${receiver}`.toLowerCase();
  return {
    get(account, receiver) {
      const text = storage.getItem(key(account, receiver));
      if (text === null) return undefined;
      try {
        const raw = JSON.parse(text) as Omit<StoredChannel, 'balance'> & { balance: string };
        if (typeof raw.openBlock !== 'number' || !/^[0-9]+$/.test(raw.balance)) return undefined;
        return { ...raw, balance: BigInt(raw.balance) };
      } catch {
        return undefined; // an entry some other script wrote: as good as none
      }
    },
    put(channel) {
      storage.setItem(key(channel.account, channel.receiver), JSON.stringify({ ...channel, balance: channel.balance.toString() }));
    },
    remove(account, receiver) {
      storage.removeItem(key(account, receiver));
    },
  };
}
