/**
 * The senders' reference clients, and what the simulation asks of them. The agents (agents.ts)
 * decide; the clients act: read a channel, close, settle, and pay for requests through the proxy.
 * The simulation reaches them through `Senders`, by sender index, so the clients can live in this
 * thread (createLocalSenders) or be shared out over worker threads (sender-threads.ts) with the
 * same results.
 *
 * Paying is the bulk of a run's work and touches no chain state: `pay` takes each sender's pending
 * requests and pays them in order, senders side by side (at most PAYMENT_CONCURRENCY at once), and
 * returns what happened to each sender's requests for the simulation to enter in its books, in
 * sender order.
 */
import { join } from 'node:path';
import type { AbstractProvider } from 'ethers';
import type { Address, Hex } from '../protocol/index.js';
import { createSenderClient, type ContractInfo, type SenderClient, type StoredChannel } from '../reference/sender/index.js';
import { forEachLimited } from './concurrency.js';

/** Senders paying at the same time in one thread (the order of payments never matters). */
export const PAYMENT_CONCURRENCY = 32;

/** Any origin works: requests never leave the process (see inject-fetch.ts). */
const ORIGIN = 'http://receiver.sim';

/** Thrown by the client's retry hook: the request waits for the next tick (a signal, not a failure). */
class DeferredRequest extends Error {}

/** What every client of a run is made from (plain data: it crosses to worker threads). */
export interface SendersSetup {
  senders: { index: number; privateKey: Hex }[];
  contractInfo: ContractInfo;
  receiver: Address;
  /** first block a fresh client scans for its events */
  startBlock: number;
  /** where sender i keeps its store: `${storeDir}/sender-${i}.json` */
  storeDir: string;
  initialDeposit: bigint;
  topUp: bigint;
}

/** One sender's pending requests, by resource path, oldest first. */
export interface PaymentWork {
  index: number;
  paths: string[];
}

export interface PaymentOutcome {
  index: number;
  /** requests answered (served or refused), from the front of the list; the rest wait */
  answered: number;
  /** the paid ones, in order: price and the channel's balance after it */
  served: { price: bigint; openBlock: number; balance: bigint }[];
  refusedOffline: number;
  refusedOther: number;
  /** refusal reasons other than offline, by error code or HTTP status */
  errors: Record<string, number>;
  /** a request had to wait for the next tick */
  deferred: boolean;
}

export interface Senders {
  /** the clients' copies of their channels, after their last sync */
  channels(which: { index: number; receiver: string; openBlock: number }[]): Promise<(StoredChannel | undefined)[]>;
  closeUncooperatively(index: number, receiver: string, openBlock: number, balance: bigint): Promise<{ settleBlock: number }>;
  /** syncs, then settles the channel unless it is no longer closing (the receiver's dispute settled it) */
  settleIfClosing(index: number, receiver: string, openBlock: number): Promise<void>;
  /** deposits raised outside the clients (batch.ts): each client waits for the receiver to count them */
  noteDeposits(deposits: { index: number; openBlock: number }[]): Promise<void>;
  pay(work: PaymentWork[]): Promise<PaymentOutcome[]>;
  close(): Promise<void>;
}

/**
 * Clients in this thread, each given what the setup says of the chain and contract (`contractInfo`,
 * read once by the caller): createSenderClient would otherwise ask the chain five questions per
 * client, a thousand senders over.
 */
export async function createLocalSenders(setup: SendersSetup, provider: AbstractProvider, fetchImpl: typeof fetch): Promise<Senders> {
  const clients = new Map<number, SenderClient>();
  for (const s of setup.senders) {
    const client = await createSenderClient({
      privateKey: s.privateKey,
      provider,
      contract: setup.contractInfo.contract,
      contractInfo: setup.contractInfo,
      storePath: join(setup.storeDir, `sender-${s.index}.json`),
      // The run's stores are thrown away with its temp dir: no fsync per payment.
      storeSync: false,
      fromBlock: setup.startBlock,
      fetch: fetchImpl,
      policy: { maxPrice: 2n ** 192n - 1n, initialDeposit: setup.initialDeposit, topUpAmount: setup.topUp },
      retry: {
        attempts: 1,
        wait: async () => {
          throw new DeferredRequest();
        },
      },
    });
    clients.set(s.index, client);
  }
  const client = (index: number) => clients.get(index)!;

  const payOne = async (work: PaymentWork): Promise<PaymentOutcome> => {
    const out: PaymentOutcome = { index: work.index, answered: 0, served: [], refusedOffline: 0, refusedOther: 0, errors: {}, deferred: false };
    const c = client(work.index);
    const refuse = (key: string) => {
      out.errors[key] = (out.errors[key] ?? 0) + 1;
      out.refusedOther++;
    };
    for (const path of work.paths) {
      let status: number;
      try {
        const res = await c.fetch(ORIGIN + path, { headers: { accept: 'application/json' } });
        await res.arrayBuffer();
        status = res.status;
      } catch (err) {
        if (err instanceof DeferredRequest) {
          out.deferred = true;
          return out;
        }
        const code = (err as { code?: unknown }).code;
        refuse(typeof code === 'string' ? code : (err as Error).name);
        out.answered++;
        continue;
      }
      out.answered++;
      if (status === 200) {
        const paid = c.lastPayment!;
        out.served.push({ price: paid.price, openBlock: paid.openBlock, balance: paid.balance });
      } else if (status === 502) out.refusedOffline++;
      else refuse(`HTTP_${status}`);
    }
    return out;
  };

  return {
    channels: async (which) => which.map((w) => client(w.index).channel(w.receiver, w.openBlock)),
    async closeUncooperatively(index, receiver, openBlock, balance) {
      const r = await client(index).closeUncooperatively(receiver, openBlock, { balance });
      return { settleBlock: r.settleBlock };
    },
    async settleIfClosing(index, receiver, openBlock) {
      const c = client(index);
      await c.sync();
      if (c.channel(receiver, openBlock)?.status === 'closing') await c.settle(receiver, openBlock);
    },
    async noteDeposits(deposits) {
      for (const d of deposits) client(d.index).noteDeposit(setup.receiver, d.openBlock);
    },
    async pay(work) {
      const outcomes: PaymentOutcome[] = new Array(work.length);
      const positions = work.map((_, i) => i);
      await forEachLimited(positions, PAYMENT_CONCURRENCY, async (i) => {
        outcomes[i] = await payOne(work[i]!);
      });
      return outcomes;
    },
    async close() {
      for (const c of clients.values()) c.close();
    },
  };
}
