/**
 * Fixture for the sender tests: the deterministic chain served over JSON-RPC on 127.0.0.1, the
 * real channel manager on a SQLite file, the real proxy with the §6 echo resources listening on
 * 127.0.0.1, and sender clients with their store files in a temp dir. Nothing is mocked.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startChain, type Account, type Chain, type RpcServer } from '../../../src/sim/index.js';
import { openReceiver, memoryLogger, type Receiver } from '../../../src/reference/receiver/index.js';
import { createProxy, echoResources, freeResource, paidResource, type PaywalledProxy } from '../../../src/reference/receiver/index.js';
import { createSenderClient, type SenderClient, type SenderClientOptions } from '../../../src/reference/sender/index.js';
import type { Address } from '../../../src/protocol/index.js';

export const CONFIRMATIONS = 2;
export const POLL_MS = 20;

export interface Rig {
  chain: Chain;
  rpc: RpcServer;
  dir: string;
  manager: Receiver;
  proxy: PaywalledProxy;
  /** the proxy's base URL, http://127.0.0.1:<port> */
  url: string;
  receiver: Address;
  contract: Address;
  /** a client for sender `i`, store in the rig's dir unless given */
  client(i: number, options?: Partial<SenderClientOptions>): Promise<SenderClient>;
  close(): Promise<void>;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The clients' wait hook: instead of waiting for wall-clock blocks, mine the confirmations the
 * receiver needs and give it a few polls to see them.
 */
export function mineWhileWaiting(chain: Chain): SenderClientOptions['retry'] {
  return {
    attempts: 30,
    initialDelayMs: POLL_MS,
    maxDelayMs: 200,
    wait: async ({ delayMs }) => {
      await chain.mine(CONFIRMATIONS);
      await sleep(Math.max(delayMs, 3 * POLL_MS));
    },
  };
}

export async function startRig(opts: { senders?: number } = {}): Promise<Rig> {
  const chain = await startChain({ senders: opts.senders ?? 8 });
  const rpc = await chain.listen();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'uraiden-sender-'));
  const manager = await openReceiver({
    rpcUrl: rpc.url,
    receiverPrivateKey: chain.accounts.receiver.privateKey,
    contract: chain.addresses.channels,
    stateFile: path.join(dir, 'receiver.sqlite'),
    confirmations: CONFIRMATIONS,
    pollIntervalMs: POLL_MS,
    logger: memoryLogger(),
  });
  const resources = [
    ...echoResources(),
    freeResource('/free/:text', (req) => (req.params as { text: string }).text),
    // Charged, then fails: the proxy answers 500 with the balance it registered.
    paidResource('/broken/:text', 3n, () => {
      throw new Error('the resource failed after the payment');
    }),
  ];
  const proxy = createProxy({ manager, resources });
  const { url } = await proxy.listen(0, '127.0.0.1');
  const clients: SenderClient[] = [];
  return {
    chain,
    rpc,
    dir,
    manager,
    proxy,
    url,
    receiver: chain.accounts.receiver.address,
    contract: chain.addresses.channels,
    client: async (i, options = {}) => {
      const c = await clientFor(chain, rpc, dir, chain.accounts.senders[i]!, options);
      clients.push(c);
      return c;
    },
    async close() {
      for (const c of clients) c.close();
      await proxy.close();
      await manager.stop();
      await chain.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function clientFor(chain: Chain, rpc: RpcServer, dir: string, sender: Account, options: Partial<SenderClientOptions> = {}): Promise<SenderClient> {
  return createSenderClient({
    privateKey: sender.privateKey,
    rpcUrl: rpc.url,
    contract: chain.addresses.channels,
    storePath: path.join(dir, `store-${sender.name}.json`),
    retry: mineWhileWaiting(chain),
    ...options,
  });
}

export async function tokenBalance(chain: Chain, address: string): Promise<bigint> {
  return chain.token.balanceOf(address);
}

export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
