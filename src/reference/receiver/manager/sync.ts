/**
 * Following the chain (§4): one poll brings the confirmed state up to head − N, re-reads the
 * unconfirmed window above it, and detects reorganisations by block hash.
 *
 * Confirmed means at least N blocks on top: block b is confirmed once head ≥ b + N (so with N = 0
 * everything mined counts). Confirmed events are applied once and persisted with the head they
 * reach; the unconfirmed view is recomputed from scratch every poll, so a reorg of unconfirmed
 * blocks needs no undo: the next poll simply does not see what they held.
 *
 * A reorg that replaces confirmed blocks shows as a changed hash of the stored confirmed head.
 * Chain-derived state is cumulative (deposits add up), so it cannot be rolled back piecemeal; the
 * manager re-reads every event from the start block into a fresh map and swaps it in at once,
 * keeping the registered proofs, which only this receiver knows.
 */
import { channelKey, decodeChannelLog, type Address, type ChannelEvent } from '../../../protocol/index.js';
import { addressTopic, CHANNEL_EVENT_TOPICS } from './abi.js';
import { applyConfirmedEvent, emptyUnconfirmed, unconfirmedFrom, type ChainChannel, type ChannelKey, type Logger, type UnconfirmedView } from './model.js';
import { blockAt, getLogs, type Rpc } from './rpc.js';
import type { StateStore } from './state.js';

/** The chain-derived half of the manager's memory; replaced, never patched, on a re-sync. */
export interface ChainView {
  chain: Map<ChannelKey, ChainChannel>;
  unconfirmed: UnconfirmedView;
  /** the chain head seen by the last successful poll */
  head: number;
  /** its hash: the same hash next time means the very same chain (a hash commits to all ancestors) */
  headHash?: string;
}

export interface SyncContext {
  rpc: Rpc;
  contract: Address;
  receiver: Address;
  confirmations: number;
  challengePeriod: number;
  /** blocks per eth_getLogs call, so a long catch-up never asks a node for too much at once */
  chunkSize: number;
  store: StateStore;
  view: ChainView;
  log: Logger;
}

export interface PollResult {
  head: number;
  confirmed: number;
  resynced: boolean;
  /** keys of channels whose confirmed state changed in this poll */
  touched: Set<ChannelKey>;
  /** the head block is the one the previous poll saw: nothing can have changed */
  unchanged: boolean;
}

/** The chain moved under a poll (a block hash changed between two reads): retry next poll. */
class ChainMovedError extends Error {}

async function fetchEvents(ctx: SyncContext, fromBlock: number, toBlock: number): Promise<ChannelEvent[]> {
  const logs = await getLogs(ctx.rpc, {
    address: ctx.contract,
    fromBlock,
    toBlock,
    topics: [CHANNEL_EVENT_TOPICS, null, addressTopic(ctx.receiver)],
  });
  const out: ChannelEvent[] = [];
  for (const l of logs) {
    const ev = decodeChannelLog(l);
    if (ev) out.push(ev);
  }
  return out;
}

/**
 * Events of (from, to] together with the hash of `to`, checked to belong to the chain that has
 * `anchor` (the last block already applied) at its height: both hashes are read again after the
 * logs, so logs from one branch are never filed under another branch's hash.
 */
async function fetchRange(ctx: SyncContext, anchor: { block: number; hash: string | null }, to: number): Promise<{ events: ChannelEvent[]; hash: string }> {
  const before = await blockAt(ctx.rpc, to);
  if (!before) throw new ChainMovedError(`block ${to} vanished`);
  const events = await fetchEvents(ctx, anchor.block + 1, to);
  const [after, anchorNow] = await Promise.all([blockAt(ctx.rpc, to), anchor.hash ? blockAt(ctx.rpc, anchor.block) : Promise.resolve(undefined)]);
  if (!after || after.hash !== before.hash) throw new ChainMovedError(`block ${to} changed while reading its logs`);
  if (anchor.hash && anchorNow?.hash !== anchor.hash) throw new ChainMovedError(`block ${anchor.block} changed while syncing`);
  return { events, hash: before.hash };
}

export async function pollOnce(ctx: SyncContext): Promise<PollResult> {
  const latest = await blockAt(ctx.rpc, 'latest');
  if (!latest) throw new ChainMovedError('the node returned no latest block');
  const head = latest.number;
  const touched = new Set<ChannelKey>();
  let stored = ctx.store.head();
  // Polls far outnumber blocks: one call settles the common case of nothing new.
  if (latest.hash === ctx.view.headHash) return { head, confirmed: stored.block, resynced: false, touched, unchanged: true };

  if (stored.hash !== null) {
    const now = await blockAt(ctx.rpc, stored.block);
    if (!now || now.hash !== stored.hash) {
      const depth = await reorgDepth(ctx, stored.block);
      ctx.log.warn(
        `reorganisation below the confirmed head: block ${stored.block} was ${stored.hash}, now ${now?.hash ?? 'absent'}` +
          ` (${depth}); re-syncing from block ${ctx.store.startBlock}`,
      );
      await resync(ctx, head);
      ctx.view.headHash = latest.hash;
      for (const k of ctx.view.chain.keys()) touched.add(k);
      return { head, confirmed: ctx.store.head().block, resynced: true, touched, unchanged: false };
    }
  }

  const target = head - ctx.confirmations;
  while (stored.block < target) {
    const to = Math.min(target, stored.block + ctx.chunkSize);
    const { events, hash } = await fetchRange(ctx, stored, to);
    // From here to the swap: synchronous, so pay() never sees half a batch. Events are applied
    // to copies, and the copies replace the live channels only once the commit succeeded: a
    // failed write must not leave memory ahead of the file (the next poll re-applies the range).
    const changed = new Map<ChannelKey, ChainChannel>();
    for (const ev of events) {
      const key = channelKey(ev.sender, ev.receiver, ev.openBlock);
      const live = ctx.view.chain.get(key);
      if (live && !changed.has(key)) changed.set(key, { ...live });
      applyConfirmedEvent(changed, ev, ctx.challengePeriod, ctx.log);
    }
    ctx.store.commitConfirmed([...changed.values()], { number: to, hash });
    for (const [k, c] of changed) {
      ctx.view.chain.set(k, c);
      touched.add(k);
    }
    stored = { block: to, hash };
  }

  // The unconfirmed window: everything above the confirmed head, re-read in full each poll.
  ctx.view.unconfirmed = head > stored.block ? unconfirmedFrom(await fetchEvents(ctx, stored.block + 1, head)) : emptyUnconfirmed();
  ctx.view.head = head;
  ctx.view.headHash = latest.hash;
  return { head, confirmed: stored.block, resynced: false, touched, unchanged: false };
}

/** Rebuilds the chain-derived state from the start block and swaps it in at once. */
async function resync(ctx: SyncContext, head: number): Promise<void> {
  const target = head - ctx.confirmations;
  const chain = new Map<ChannelKey, ChainChannel>();
  let anchor: { block: number; hash: string | null } = { block: ctx.store.startBlock - 1, hash: null };
  while (anchor.block < target) {
    const to = Math.min(target, anchor.block + ctx.chunkSize);
    const { events, hash } = await fetchRange(ctx, anchor, to);
    for (const ev of events) applyConfirmedEvent(chain, ev, ctx.challengePeriod, ctx.log);
    anchor = { block: to, hash };
  }
  const unconfirmed = head > anchor.block ? unconfirmedFrom(await fetchEvents(ctx, anchor.block + 1, head)) : emptyUnconfirmed();
  ctx.store.replaceChain(chain.values(), anchor.hash === null ? null : { number: anchor.block, hash: anchor.hash });
  ctx.view.chain = chain;
  ctx.view.unconfirmed = unconfirmed;
  ctx.view.head = head;
  ctx.log.info(`re-sync done: ${chain.size} channels up to block ${anchor.block}`);
}

/** For the log only: how many of the stored recent hashes the reorg replaced. */
async function reorgDepth(ctx: SyncContext, from: number): Promise<string> {
  let replaced = 0;
  for (const { number, hash } of ctx.store.recentHashes().slice(0, 64)) {
    const b = await blockAt(ctx.rpc, number);
    if (b && b.hash === hash) return `fork after block ${number}, ${from - number} confirmed blocks replaced`;
    replaced++;
  }
  return `all ${replaced} recent confirmed hashes replaced`;
}

export { ChainMovedError };
