/**
 * The receiver in the loop: the reference channel manager and the reference proxy in front of it,
 * taken down and brought back for the scenario's offline windows. Its poll loop is never left to
 * the wall clock: the interval is the longest a timer allows and the simulator calls syncOnce()
 * at each tick, so what it sees (and when it disputes) depends on blocks only.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Chain } from '../sim/chain.js';
import { createProxy, paidResource, type PaywalledProxy } from '../reference/receiver/index.js';
import { openReceiver, type Logger, type Receiver } from '../reference/receiver/index.js';
import type { ResourceSpec } from './scenario.js';

/** setTimeout's largest delay: the poll loop effectively never fires by itself. */
const NEVER_MS = 2_147_483_647;

export interface ReceiverSide {
  readonly online: boolean;
  /** the proxy app requests go to (while offline: the last one, whose stopped manager answers 502) */
  app(): FastifyInstance;
  setOnline(online: boolean): Promise<void>;
  /** one poll at the current head (confirmed events, then disputes); no-op while offline */
  sync(): Promise<void>;
  close(): Promise<void>;
}

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

export async function startReceiverSide(opts: {
  chain: Chain;
  dir: string;
  confirmations: number;
  /** false: the receiver never disputes (the receiver's 'no-dispute' switch, src/reference/faults.ts) */
  disputes: boolean;
  startBlock: number;
  resources: ResourceSpec[];
}): Promise<ReceiverSide> {
  const { chain } = opts;
  const resources = opts.resources.map((r) => paidResource(r.path, r.price, () => 'ok'));
  let manager: Receiver | undefined;
  let proxy: PaywalledProxy | undefined;

  const bringUp = async (): Promise<void> => {
    manager = await openReceiver({
      provider: chain.ganache,
      receiverPrivateKey: chain.accounts.receiver.privateKey,
      contract: chain.addresses.channels,
      stateFile: join(opts.dir, 'receiver.sqlite'),
      confirmations: opts.confirmations,
      disputes: opts.disputes,
      startBlock: opts.startBlock,
      pollIntervalMs: NEVER_MS,
      staleAfterMs: Number.MAX_SAFE_INTEGER,
      logger: quiet,
    });
    const previous = proxy;
    proxy = createProxy({ manager, resources, rest: false });
    await previous?.close();
  };

  await bringUp();
  let online = true;
  return {
    get online() {
      return online;
    },
    app: () => proxy!.app,
    async setOnline(next) {
      if (next === online) return;
      online = next;
      if (next) await bringUp();
      else await manager!.stop();
    },
    async sync() {
      if (online) await manager!.syncOnce();
    },
    async close() {
      if (online) await manager!.stop();
      await proxy!.close();
    },
  };
}
