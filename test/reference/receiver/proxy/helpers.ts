/**
 * Fixture for the proxy tests: a real chain (src/sim) served over JSON-RPC on 127.0.0.1, the real
 * channel manager on a SQLite file in a temp dir, and the proxy on top. Nothing of the chain or
 * the manager is mocked; nock only stands in for an upstream CDN.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { encodeOpenData, encodePaymentHeaders, signBalanceProof, type Address } from '../../../../src/protocol/index.js';
import { startChain, type Account, type Chain, type RpcServer } from '../../../../src/sim/index.js';
import { memoryLogger, openReceiver } from '../../../../src/reference/receiver/index.js';
import { createProxy, type PaywalledProxy, type Resource } from '../../../../src/reference/receiver/index.js';

export type Receiver = Awaited<ReturnType<typeof openReceiver>>;

export const CONFIRMATIONS = 2;
export const POLL_MS = 25;

export interface Channel {
  sender: Account;
  openBlock: number;
  deposit: bigint;
}

export interface Rig {
  chain: Chain;
  rpc: RpcServer;
  stateDir: string;
  manager: Receiver;
  proxy: PaywalledProxy;
  receiver: Address;
  contract: Address;
  close(): Promise<void>;
}

export async function tempDir(prefix = 'uraiden-proxy-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function startRig(resources: Resource[], opts: { senders?: number; ethFloor?: bigint; pollIntervalMs?: number } = {}): Promise<Rig> {
  const chain = await startChain({ senders: opts.senders ?? 4 });
  const rpc = await chain.listen();
  const stateDir = await tempDir();
  const manager = await openReceiver({
    rpcUrl: rpc.url,
    receiverPrivateKey: chain.accounts.receiver.privateKey,
    contract: chain.addresses.channels,
    stateFile: path.join(stateDir, 'receiver.sqlite'),
    confirmations: CONFIRMATIONS,
    pollIntervalMs: opts.pollIntervalMs ?? POLL_MS,
    logger: memoryLogger(),
    ...(opts.ethFloor !== undefined && { ethFloor: opts.ethFloor }),
  });
  const proxy = createProxy({ manager, resources });
  await proxy.app.ready();
  return {
    chain,
    rpc,
    stateDir,
    manager,
    proxy,
    receiver: chain.accounts.receiver.address,
    contract: chain.addresses.channels,
    async close() {
      await proxy.close();
      await manager.stop();
      await chain.close();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

/** Opens a channel by ERC223 transfer (§1.5); returns at once, unconfirmed. */
export async function openChannelUnconfirmed(chain: Chain, sender: Account, deposit: bigint): Promise<Channel> {
  const data = encodeOpenData(sender.address, chain.accounts.receiver.address);
  const tx = await chain.token.connect(sender.wallet)['transfer(address,uint256,bytes)'](chain.addresses.channels, deposit, data);
  const receipt = await tx.wait();
  if (!receipt) throw new Error('no receipt for the channel opening');
  return { sender, openBlock: receipt.blockNumber, deposit };
}

/** Opens a channel, mines the confirmations and waits until the manager serves it as open. */
export async function openChannel(rig: Rig, sender: Account, deposit: bigint): Promise<Channel> {
  const channel = await openChannelUnconfirmed(rig.chain, sender, deposit);
  await rig.chain.mine(CONFIRMATIONS);
  await waitFor(() => rig.manager.channel(sender.address, channel.openBlock)?.state === 'open', `channel ${channel.openBlock} confirmed`);
  return channel;
}

/** The §3.1 payment headers for `balance` in `channel`, signed by its sender. */
export function pay(rig: Pick<Rig, 'receiver' | 'contract'>, channel: Channel, balance: bigint, extra: { signer?: Account } = {}): Record<string, string> {
  const signer = extra.signer ?? channel.sender;
  const signature = signBalanceProof(signer.privateKey, { receiver: rig.receiver, openBlock: channel.openBlock, balance, contract: rig.contract });
  return encodePaymentHeaders({
    sender: channel.sender.address,
    receiver: rig.receiver,
    contract: rig.contract,
    openBlock: channel.openBlock,
    balance,
    signature,
  });
}

/** The four payment cookies of a browser client, as one Cookie header. */
export function cookieHeader(rig: Pick<Rig, 'receiver' | 'contract'>, channel: Channel, balance: bigint, signer = channel.sender): string {
  const signature = signBalanceProof(signer.privateKey, { receiver: rig.receiver, openBlock: channel.openBlock, balance, contract: rig.contract });
  return [
    `RDN-Sender-Address=${channel.sender.address}`,
    `RDN-Open-Block=${channel.openBlock}`,
    `RDN-Sender-Balance=${balance}`,
    `RDN-Balance-Signature=${signature}`,
  ].join('; ');
}

export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
