/**
 * The one door to the in-process ganache: every request of the kit, of the ethers provider and of
 * the JSON-RPC server goes through here, so that the chain can be rewound to any earlier height
 * for a reorganisation.
 *
 * Ganache can only rewind to a snapshot (evm_snapshot records the head at that moment; evm_revert
 * deletes the blocks above it and restores the state root). So before and after every request
 * that can mine, under a lock, the gateway takes a *checkpoint* (a snapshot at the head). Heights
 * inside one multi-block `evm_mine` get no checkpoint; they are rebuilt on demand by reverting to
 * the checkpoint below and repeating the same `evm_mine` with fewer blocks, which gives the very
 * same blocks (same parent, same timestamps, no transactions) — the result is checked by hash.
 *
 * Ganache's snapshot ids are positions in a stack (a revert to id k drops k and everything above,
 * and later snapshots reuse the numbers), so the gateway mirrors that stack exactly: callers'
 * snapshots and its own checkpoints are entries of the same array, `stack[i].id === i + 1`.
 */
import { Transaction } from 'ethers';
import { ReorgError } from './errors.js';

export interface Eip1193Provider {
  request(args: { method: string; params?: unknown }): Promise<unknown>;
}

/** One evm_mine call that made several blocks on top of the entry it is recorded on. */
interface MineRun {
  blocks: number;
  timestamp: number | undefined;
}

interface StackEntry {
  id: number;
  kind: 'checkpoint' | 'caller';
  height: number;
  hash: string;
  run?: MineRun;
}

interface BlockHead {
  number: number;
  hash: string;
  timestamp: number;
}

export interface ReorgResult {
  /** First replaced height (fork point + 1) and the head, which keeps its number. */
  from: number;
  head: number;
  droppedHashes: string[];
  newHashes: string[];
}

/** Methods that can add blocks. Everything else reads, or changes nothing a reorg must undo. */
const MINING_METHODS = new Set([
  'eth_sendTransaction',
  'eth_sendRawTransaction',
  'eth_sendUnsignedTransaction',
  'personal_sendTransaction',
  'evm_mine',
  'miner_start',
]);

/** The mining methods that only send a transaction (they mine only through an unpaused miner). */
const SEND_METHODS = new Set(['eth_sendTransaction', 'eth_sendRawTransaction', 'eth_sendUnsignedTransaction', 'personal_sendTransaction']);

/** Methods whose first parameter is a block hash (see isCanonical). */
const BY_HASH_METHODS = new Set([
  'eth_getBlockByHash',
  'eth_getBlockTransactionCountByHash',
  'eth_getTransactionByBlockHashAndIndex',
  'eth_getUncleCountByBlockHash',
  'eth_getUncleByBlockHashAndIndex',
]);

export interface Gateway extends Eip1193Provider {
  reorg(depth: number): Promise<ReorgResult>;
}

export function createGateway(raw: Eip1193Provider): Gateway {
  const stack: StackEntry[] = [];
  // Ganache mines while its miner is paused only on evm_mine, and then includes pending
  // transactions: such a run cannot be repeated, so it is not recorded.
  let minerPaused = false;
  // Paused, and no miner_start asked for since: a transaction sent now only enters the pool.
  let poolOnly = false;
  let tail: Promise<unknown> = Promise.resolve();
  // While a reorg runs the chain is briefly cut back to the fork point; other requests wait, so
  // no client ever sees that intermediate, shorter chain.
  let reorgInProgress: Promise<unknown> | undefined;

  function locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = tail.then(fn);
    tail = run.catch(() => undefined);
    return run;
  }

  const call = (method: string, params: unknown[] = []) => raw.request({ method, params });

  async function block(tag: number | 'latest'): Promise<BlockHead | null> {
    const b = (await call('eth_getBlockByNumber', [typeof tag === 'number' ? `0x${tag.toString(16)}` : tag, false])) as {
      number: string;
      hash: string;
      timestamp: string;
    } | null;
    return b && { number: Number(b.number), hash: b.hash, timestamp: Number(b.timestamp) };
  }

  async function head(): Promise<BlockHead> {
    const b = await block('latest');
    if (!b) throw new Error('ganache returned no latest block'); // cannot happen: genesis exists
    return b;
  }

  async function pushSnapshot(kind: StackEntry['kind'], at: BlockHead): Promise<string> {
    const id = (await call('evm_snapshot')) as string;
    const entry: StackEntry = { id: Number(id), kind, height: at.number, hash: at.hash };
    if (entry.id !== stack.length + 1) {
      throw new Error(`snapshot stack out of step with ganache: got id ${entry.id}, expected ${stack.length + 1}`);
    }
    stack.push(entry);
    return id;
  }

  async function ensureCheckpoint(): Promise<StackEntry> {
    const h = await head();
    const top = stack.at(-1);
    if (top && top.kind === 'checkpoint' && top.hash === h.hash) return top;
    await pushSnapshot('checkpoint', h);
    return stack.at(-1)!;
  }

  async function revertTo(id: number): Promise<boolean> {
    // Ganache records mined blocks for its snapshots from an event it emits one macrotask after
    // the mining request has already resolved; wait for it, or a revert could leave the last
    // block's transactions and receipts behind.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    const ok = (await call('evm_revert', [`0x${id.toString(16)}`])) === true;
    if (ok) stack.length = id - 1;
    return ok;
  }

  async function mineLocked(method: string, params: unknown): Promise<unknown> {
    const before = await ensureCheckpoint();
    const result = await raw.request({ method, params });
    const run = method === 'evm_mine' && !minerPaused ? mineRun(params) : undefined;
    if (run && run.blocks > 1) before.run = run;
    await ensureCheckpoint();
    return result;
  }

  /**
   * A transaction whose nonce is ahead of its sender's is parked by ganache and, with eager
   * instamine, its request never resolves: holding the lock for it would freeze the chain. It
   * mines nothing by itself, so it goes straight through.
   */
  async function isFutureNonce(method: string, params: unknown): Promise<boolean> {
    const first = Array.isArray(params) ? params[0] : undefined;
    let from: string | undefined;
    let nonce: number | undefined;
    if (method === 'eth_sendRawTransaction' && typeof first === 'string') {
      try {
        const tx = Transaction.from(first);
        from = tx.from ?? undefined;
        nonce = tx.nonce;
      } catch {
        return false; // ganache answers the malformed transaction with its own error
      }
    } else if (first && typeof first === 'object' && 'nonce' in first && 'from' in first) {
      const t = first as { from: unknown; nonce: unknown };
      from = String(t.from);
      nonce = Number(t.nonce);
    }
    if (from === undefined || nonce === undefined || !Number.isFinite(nonce)) return false;
    const count = Number(await call('eth_getTransactionCount', [from, 'latest']));
    return nonce > count;
  }

  async function request(args: { method: string; params?: unknown }): Promise<unknown> {
    const { method, params } = args;
    while (reorgInProgress) await reorgInProgress.catch(() => undefined);
    switch (method) {
      case 'evm_snapshot':
        return locked(async () => pushSnapshot('caller', await head()));
      case 'evm_revert':
        return locked(async () => {
          const id = Number(Array.isArray(params) ? params[0] : params);
          // A caller may only revert to its own live snapshots: ids are reused, so a stale id
          // could otherwise land on one of the gateway's checkpoints.
          if (!Number.isSafeInteger(id) || stack[id - 1]?.kind !== 'caller') return false;
          const ok = await revertTo(id);
          await ensureCheckpoint();
          return ok;
        });
      case 'miner_stop':
        return locked(async () => {
          minerPaused = true;
          const result = await raw.request(args);
          poolOnly = true;
          return result;
        });
      default:
        if (BY_HASH_METHODS.has(method)) return byHash(method, params);
        if (method === 'eth_getLogs') return getLogs(params);
        if (!MINING_METHODS.has(method)) return raw.request(args);
        if (method === 'miner_start') poolOnly = false;
        // With the miner paused a sent transaction only joins the pool and the send returns at
        // once: nothing is mined, so no checkpoint is needed and no nonce can hold the lock. This
        // skips the sender recovery of isFutureNonce (pure JS, ≈ 2 ms) and two block reads per
        // transaction, which dominated batches of a thousand (the simulator's sendBatch).
        if (poolOnly && SEND_METHODS.has(method)) return raw.request(args);
        if (await isFutureNonce(method, params)) return raw.request(args);
        return locked(async () => {
          const result = await mineLocked(method, params);
          if (method === 'miner_start') minerPaused = false;
          return result;
        });
    }
  }

  /**
   * Ganache's revert deletes a dropped block but keeps its hash → number index, so asking for a
   * dropped hash returns the replacement block at that height. A client checking whether a block
   * is still canonical must get "unknown" instead, as from any other node.
   */
  async function isCanonical(hash: unknown): Promise<boolean> {
    const b = (await call('eth_getBlockByHash', [hash, false])) as { hash: string } | null;
    return b !== null && typeof hash === 'string' && b.hash === hash.toLowerCase();
  }

  async function byHash(method: string, params: unknown): Promise<unknown> {
    const hash = Array.isArray(params) ? params[0] : undefined;
    return (await isCanonical(hash)) ? raw.request({ method, params }) : null;
  }

  async function getLogs(params: unknown): Promise<unknown> {
    const filter = Array.isArray(params) ? (params[0] as { blockHash?: unknown } | undefined) : undefined;
    if (filter?.blockHash !== undefined && !(await isCanonical(filter.blockHash))) {
      throw Object.assign(new Error('unknown block'), { code: -32000 });
    }
    return raw.request({ method: 'eth_getLogs', params });
  }

  async function reorg(depth: number): Promise<ReorgResult> {
    if (!Number.isSafeInteger(depth) || depth < 1) throw new ReorgError(depth, 'depth must be a positive integer');
    return locked(() => {
      const done = reorgLocked(depth);
      reorgInProgress = done;
      return done.finally(() => {
        reorgInProgress = undefined;
      });
    });
  }

  async function reorgLocked(depth: number): Promise<ReorgResult> {
    const old = await head();
    const forkHeight = old.number - depth;
    if (forkHeight < 0) throw new ReorgError(depth, `deeper than the chain (head ${old.number})`);
    const fork = await block(forkHeight);
    const firstDropped = await block(forkHeight + 1);
    if (!fork || !firstDropped) throw new ReorgError(depth, 'blocks missing below the head');
    const droppedHashes: string[] = [];
    for (let n = forkHeight + 1; n <= old.number; n++) droppedHashes.push((await block(n))!.hash);

    const base = await findBase(depth, forkHeight);
    if (!(await revertTo(base.id))) throw new ReorgError(depth, `ganache refused to revert to snapshot ${base.id}`);
    if (base.height < forkHeight) {
      // Rebuild the empty blocks of the recorded run up to the fork point.
      await mineLocked('evm_mine', [{ blocks: forkHeight - base.height, timestamp: base.run!.timestamp }]);
    }
    const rebuilt = await head();
    if (rebuilt.number !== forkHeight || rebuilt.hash !== fork.hash) {
      throw new ReorgError(depth, `rebuilt block ${rebuilt.number} is ${rebuilt.hash}, expected ${fork.hash} at ${forkHeight}`);
    }
    // A later timestamp than the dropped block's makes the first replacement differ from it
    // even when both are empty; every later one differs through its parent hash.
    await mineLocked('evm_mine', [{ timestamp: firstDropped.timestamp + 1 }]);
    if (depth > 1) await mineLocked('evm_mine', [{ blocks: depth - 1 }]);
    const newHashes: string[] = [];
    for (let n = forkHeight + 1; n <= old.number; n++) newHashes.push((await block(n))!.hash);
    return { from: forkHeight + 1, head: old.number, droppedHashes, newHashes };
  }

  /**
   * The stack entry to revert to for a fork at `forkHeight`: the highest one at or below it that
   * is still on the canonical chain, and, if below it, with a recorded run reaching it. Checked
   * before anything is reverted, so a reorg that cannot be made leaves the chain untouched.
   */
  async function findBase(depth: number, forkHeight: number): Promise<StackEntry> {
    for (let i = stack.length - 1; i >= 0; i--) {
      const entry = stack[i]!;
      if (entry.height > forkHeight) continue;
      const canonical = await block(entry.height);
      if (canonical?.hash !== entry.hash) continue;
      if (entry.height === forkHeight) return entry;
      if (entry.run && entry.height + entry.run.blocks >= forkHeight) return entry;
      break;
    }
    throw new ReorgError(depth, `no way to restore block ${forkHeight} exactly (it was made inside a request that mined several blocks with transactions)`);
  }

  return { request, reorg };
}

function mineRun(params: unknown): MineRun | undefined {
  const arg = Array.isArray(params) ? params[0] : undefined;
  if (arg === null || typeof arg !== 'object') return undefined;
  const { blocks, timestamp } = arg as { blocks?: unknown; timestamp?: unknown };
  const n = blocks === undefined ? 1 : Number(blocks);
  if (!Number.isSafeInteger(n)) return undefined;
  return { blocks: n, timestamp: timestamp === undefined ? undefined : Number(timestamp) };
}
