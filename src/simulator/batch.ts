/**
 * Many accounts' transactions in a few blocks: the miner is paused, each transaction is signed
 * here (fixed gas limit, no estimate) and handed to the node in a fixed order, then blocks are
 * mined until every one has a receipt. On the eager-instamine chain one transaction costs one
 * block plus an eth_estimateGas, which caps a sequential sender at a few dozen per second; a
 * batch costs one pool insertion each and a handful of blocks (see bench/sim.ts for figures).
 *
 * An account's transactions get consecutive nonces in list order (the paused miner holds them
 * all, so no nonce waits on another being mined); sends are awaited one by one, so the pool's
 * order — and every block's contents — is reproducible.
 */
import { Transaction } from 'ethers';
import type { Account, Chain } from '../sim/chain.js';
import { SimulationError } from './errors.js';

export interface BatchTx {
  from: Account;
  to: string;
  data: string;
  /** above what the call uses; the block gas limit (30M) divided by it bounds a block's size */
  gasLimit: bigint;
}

export interface BatchReceipt {
  hash: string;
  status: number;
  blockNumber: number;
  /** the transaction's logs, raw */
  logs: { address: string; topics: string[]; data: string; blockNumber: string }[];
}

/** Bounds the mining loop: a batch that needs more blocks than this has a stuck transaction. */
const MAX_BLOCKS = 10_000;

/**
 * Transactions handed to the pool before mining: the pool's insertion cost grows with its size
 * (measured: 44 tx/s for 150 opens, 22 tx/s for 1,000), and a block holds only 30M gas of limits.
 */
const CHUNK = 100;

export async function sendBatch(chain: Chain, txs: BatchTx[]): Promise<BatchReceipt[]> {
  const out: BatchReceipt[] = [];
  for (let i = 0; i < txs.length; i += CHUNK) out.push(...(await sendChunk(chain, txs.slice(i, i + CHUNK))));
  return out;
}

async function sendChunk(chain: Chain, txs: BatchTx[]): Promise<BatchReceipt[]> {
  if (txs.length === 0) return [];
  const rpc = <T>(method: string, params: unknown[]) => chain.ganache.request({ method, params }) as Promise<T>;
  const gasPrice = BigInt(await rpc<string>('eth_gasPrice', []));
  const hashes: string[] = [];
  const nonces = new Map<string, number>();
  await rpc('miner_stop', []);
  try {
    for (const tx of txs) {
      const nonce = nonces.get(tx.from.address) ?? Number(BigInt(await rpc<string>('eth_getTransactionCount', [tx.from.address, 'latest'])));
      nonces.set(tx.from.address, nonce + 1);
      const raw = await tx.from.wallet.signTransaction({
        type: 0,
        chainId: chain.chainId,
        nonce,
        to: tx.to,
        data: tx.data,
        gasLimit: tx.gasLimit,
        gasPrice,
        value: 0n,
      });
      hashes.push(Transaction.from(raw).hash!);
      await rpc('eth_sendRawTransaction', [raw]);
    }
    const receipts = new Map<string, BatchReceipt>();
    for (let blocks = 0; receipts.size < hashes.length; blocks++) {
      if (blocks >= MAX_BLOCKS)
        throw new SimulationError(-1, `sendBatch: ${hashes.length - receipts.size} transaction(s) not mined after ${MAX_BLOCKS} blocks`);
      await rpc('evm_mine', []);
      const block = await rpc<{ transactions: string[] }>('eth_getBlockByNumber', ['latest', false]);
      for (const h of block.transactions) {
        const r = await rpc<{ status: string; blockNumber: string; logs: BatchReceipt['logs'] }>('eth_getTransactionReceipt', [h]);
        receipts.set(h, { hash: h, status: Number(r.status), blockNumber: Number(r.blockNumber), logs: r.logs });
      }
    }
    const out = hashes.map((h) => receipts.get(h)!);
    const failed = out.find((r) => r.status !== 1);
    if (failed) throw new SimulationError(-1, `sendBatch: transaction ${failed.hash} reverted`);
    return out;
  } finally {
    await rpc('miner_start', []);
  }
}
