/**
 * The chain as the senders' clients see it: the gateway (`chain.ganache`), except that their
 * searches for their own channel events are answered from one search for everybody's.
 *
 * Each client rebuilds its channels with eth_getLogs filtered by the channels contract and its
 * own address (the second topic of every channel event). Ganache scans every block of the range
 * for each such request — measured ≈ 6 ms for 20 blocks of a thousand senders' transactions —
 * and a thousand clients syncing after each tick's deposits asked it a thousand times. Here the
 * contract's logs are fetched once per new range of blocks and kept, and each client's request
 * is answered with exactly the logs ganache would give it (same objects, same order: by block,
 * then log index). Anything else goes to the gateway untouched.
 *
 * The simulator's chain is never reorganised, so kept logs stay true.
 */
import { BrowserProvider, Network } from 'ethers';
import type { Eip1193Provider } from '../sim/gateway.js';

/** As the chain's own in-process provider (src/sim/chain.ts): the chain is next door, and a read after a mine must see it. */
const PROVIDER_POLLING_MS = 20;

/** An ethers provider over `chain` (clientChain's, in this thread or across a thread boundary), configured as the chain's own. */
export function clientProvider(chain: Eip1193Provider, chainId: number): BrowserProvider {
  const network = Network.from({ chainId, name: 'uraiden-sim' });
  return new BrowserProvider(chain, network, { staticNetwork: network, pollingInterval: PROVIDER_POLLING_MS, cacheTimeout: -1 });
}

interface RawLog {
  address: string;
  topics: string[];
  blockNumber: string;
}

export function clientChain(gateway: Eip1193Provider, channels: string): Eip1193Provider {
  const contract = channels.toLowerCase();
  /** logs of the channels contract in blocks [start, scanned], by second topic */
  const bySender = new Map<string, RawLog[]>();
  let start: number | undefined;
  let scanned = -1;
  let scanning: Promise<void> | undefined;
  const hex = (n: number) => `0x${n.toString(16)}`;

  /** Fetches the contract's logs up to `want`, or the head if lower (one request for the blocks not yet scanned). */
  const scanTo = async (want: number): Promise<void> => {
    // Never past the head: blocks mined later are scanned once they exist.
    const target = Math.min(want, Number(await gateway.request({ method: 'eth_blockNumber', params: [] })));
    while (scanned < target) {
      if (!scanning) {
        const [from, to] = [scanned + 1, target];
        scanning = (async () => {
          const logs = (await gateway.request({ method: 'eth_getLogs', params: [{ address: channels, fromBlock: hex(from), toBlock: hex(to) }] })) as RawLog[];
          for (const log of logs) {
            const key = log.topics[1]?.toLowerCase();
            if (key === undefined) continue;
            const list = bySender.get(key) ?? [];
            list.push(log);
            bySender.set(key, list);
          }
          scanned = to;
        })().finally(() => {
          scanning = undefined;
        });
      }
      await scanning;
    }
  };

  return {
    async request(args) {
      const filter = args.method === 'eth_getLogs' && Array.isArray(args.params) ? ownEvents(args.params[0], contract) : undefined;
      if (!filter) return gateway.request(args);
      // The first search fixes where the kept logs begin; a search from before that goes to the chain.
      start ??= filter.from;
      if (filter.from < start) return gateway.request(args);
      if (scanned < start - 1) scanned = start - 1;
      await scanTo(filter.to);
      return (bySender.get(filter.sender) ?? []).filter((log) => {
        const n = Number(log.blockNumber);
        return n >= filter.from && n <= filter.to;
      });
    },
  };
}

/** A search for one sender's channel events over numbered blocks: `{address: contract, topics: [null, sender]}`. */
function ownEvents(raw: unknown, contract: string): { sender: string; from: number; to: number } | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const f = raw as { address?: unknown; topics?: unknown; fromBlock?: unknown; toBlock?: unknown; blockHash?: unknown };
  if (f.blockHash !== undefined || typeof f.address !== 'string' || f.address.toLowerCase() !== contract) return undefined;
  if (!Array.isArray(f.topics) || f.topics.length !== 2 || f.topics[0] !== null || typeof f.topics[1] !== 'string') return undefined;
  const block = (v: unknown) => (typeof v === 'string' && /^0x[0-9a-f]+$/i.test(v) ? Number(v) : undefined);
  const from = block(f.fromBlock);
  const to = block(f.toBlock);
  if (from === undefined || to === undefined || to < from) return undefined;
  return { sender: f.topics[1].toLowerCase(), from, to };
}
