/**
 * Transactions from the receiver's wallet, one at a time. Sequential so nonces never collide
 * (a dispute, a withdraw and a close-all can all be asked for at once), and each transaction is
 * signed — and handed to the caller to record — before it is broadcast, so a crash between the two
 * leaves a transaction that can be re-broadcast as is rather than sent a second time.
 */
import { Transaction, Wallet } from 'ethers';
import type { Address, Hex } from '../../../protocol/index.js';
import { RpcError, TransactionError } from './errors.js';
import { describe, receipt, type Rpc, type RpcReceipt } from './rpc.js';

export interface SignedTx {
  hash: Hex;
  raw: Hex;
  nonce: number;
}

export interface TxSender {
  /**
   * Estimates, signs, calls `record` (synchronously, e.g. a durable write), then broadcasts.
   * Throws TransactionError when the call would revert (nothing signed) or the broadcast failed
   * (signed and recorded; `rejected` tells whether the node refused it or it may be on its way).
   */
  send(action: string, to: string, data: string, record?: (tx: SignedTx) => void): Promise<SignedTx>;
  /** Broadcasts an already signed transaction again; "already known" counts as success. */
  rebroadcast(raw: Hex): Promise<void>;
  /** Polls for a receipt; throws TransactionError if it reverted or none came within `timeoutMs`. */
  confirm(action: string, hash: Hex, timeoutMs: number, pollMs: number): Promise<RpcReceipt>;
  /** The nonce the node has mined up to (transactions with lower nonces are final or gone). */
  minedNonce(): Promise<number>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function txSender(rpc: Rpc, privateKey: Hex, from: Address, chainId: number): TxSender {
  const wallet = new Wallet(privateKey);
  let queue: Promise<unknown> = Promise.resolve();
  let nextNonce = -1;

  const exclusive = <T>(job: () => Promise<T>): Promise<T> => {
    const run = queue.then(job, job);
    queue = run.catch(() => undefined);
    return run;
  };

  return {
    send(action, to, data, record) {
      return exclusive(async () => {
        let gas: bigint;
        try {
          gas = BigInt(await rpc.call<string>('eth_estimateGas', [{ from, to, data }]));
        } catch (err) {
          throw new TransactionError(action, `would fail: ${describe(err)}`, undefined, { cause: err });
        }
        const [gasPrice, pending] = await Promise.all([
          rpc.call<string>('eth_gasPrice', []).then(BigInt),
          rpc.call<string>('eth_getTransactionCount', [from, 'pending']).then((n) => Number(BigInt(n))),
        ]);
        // The node's pending count can lag behind what we just sent (a node without a mempool view
        // of our own transactions); never reuse a nonce we handed out ourselves.
        const nonce = Math.max(pending, nextNonce);
        const raw = (await wallet.signTransaction({
          type: 0,
          chainId,
          nonce,
          to,
          data,
          gasPrice,
          // Headroom: the estimate is for the current state; a dispute may land a block later.
          gasLimit: (gas * 12n) / 10n + 10_000n,
          value: 0n,
        })) as Hex;
        const tx: SignedTx = { hash: Transaction.from(raw).hash!.toLowerCase() as Hex, raw, nonce };
        nextNonce = nonce + 1;
        record?.(tx);
        try {
          await rpc.call('eth_sendRawTransaction', [raw]);
        } catch (err) {
          // An answer from the node (an RPC error object) means it refused the transaction: the
          // nonce is free again, and leaving a gap would stall every later transaction. Without
          // an answer it may have gone through; keep the nonce taken.
          const rejected = err instanceof RpcError && err.rpcCode !== undefined;
          if (rejected) nextNonce = nonce;
          throw new TransactionError(action, `broadcast failed: ${describe(err)}`, tx.hash, { cause: err, rejected });
        }
        return tx;
      });
    },
    async rebroadcast(raw) {
      try {
        await rpc.call('eth_sendRawTransaction', [raw]);
      } catch (err) {
        if (err instanceof RpcError && /already known|known transaction|already imported/i.test(err.message)) return;
        throw err;
      }
    },
    async confirm(action, hash, timeoutMs, pollMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const r = await receipt(rpc, hash);
        if (r) {
          if (r.status !== 1) throw new TransactionError(action, 'reverted', hash);
          return r;
        }
        if (Date.now() > deadline) throw new TransactionError(action, `no receipt after ${timeoutMs} ms`, hash);
        await sleep(pollMs);
      }
    },
    async minedNonce() {
      return Number(BigInt(await rpc.call<string>('eth_getTransactionCount', [from, 'latest'])));
    },
  };
}
