/**
 * Shared pieces of the receiver tests: a real chain (src/sim), real contract, a real SQLite file in
 * a fresh temp dir, and the sender's side of a channel done with the real token and contract.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeOpenData, encodeTopUpData, signBalanceProof, signClosing, type Address, type Hex } from '../../../src/protocol/index.js';
import { startChain, type Account, type Chain } from '../../../src/sim/chain.js';
import { openReceiver, memoryLogger, type Receiver, type ReceiverOptions } from '../../../src/reference/receiver/index.js';
import type { Payment } from '../../../src/reference/receiver/manager/types.js';

export const TOKEN = 10n ** 18n;

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'uraiden-receiver-'));
}

export function useChain(options: Parameters<typeof startChain>[0] = {}): () => Chain {
  let chain: Chain | undefined;
  before(async function () {
    this.timeout(120_000);
    chain = await startChain({ senders: 4, ...options });
  });
  after(async () => {
    await chain?.close();
  });
  return () => {
    if (!chain) throw new Error('chain not started');
    return chain;
  };
}

/** A manager on the in-process chain, driven by explicit syncOnce() calls (the timer is slow). */
export async function receiverOn(chain: Chain, overrides: Partial<ReceiverOptions> = {}): Promise<Receiver & { logs: string[] }> {
  const logger = memoryLogger();
  const r = await openReceiver({
    provider: chain.ganache,
    receiverPrivateKey: chain.accounts.receiver.privateKey,
    contract: chain.addresses.channels,
    stateFile: path.join(tempDir(), 'state.sqlite'),
    confirmations: 2,
    pollIntervalMs: 60_000,
    logger,
    ...overrides,
  });
  return Object.assign(r, { logs: logger.lines });
}

async function send(p: Promise<{ wait(): Promise<{ blockNumber: number; status: number | null } | null> }>): Promise<number> {
  const receipt = await (await p).wait();
  if (receipt?.status !== 1) throw new Error('transaction failed');
  return receipt.blockNumber;
}

/** Opens sender → receiver with the ERC223 path; returns the open block. */
export function openChannel(chain: Chain, sender: Account, deposit: bigint, receiver: Address = chain.accounts.receiver.address): Promise<number> {
  return send(
    chain.token.connect(sender.wallet)['transfer(address,uint256,bytes)'](chain.addresses.channels, deposit, encodeOpenData(sender.address, receiver)),
  );
}

export function topUp(chain: Chain, sender: Account, openBlock: number, added: bigint): Promise<number> {
  return send(
    chain.token
      .connect(sender.wallet)
      ['transfer(address,uint256,bytes)'](chain.addresses.channels, added, encodeTopUpData(sender.address, chain.accounts.receiver.address, openBlock)),
  );
}

export function uncooperativeClose(
  chain: Chain,
  sender: Account,
  openBlock: number,
  balance: bigint,
  receiver: Address = chain.accounts.receiver.address,
): Promise<number> {
  return send(chain.channels.connect(sender.wallet).uncooperativeClose(receiver, openBlock, balance));
}

export function proofOf(chain: Chain, sender: Account, openBlock: number, balance: bigint, opts: { receiver?: string; contract?: string } = {}): Hex {
  return signBalanceProof(sender.privateKey as Hex, {
    receiver: opts.receiver ?? chain.accounts.receiver.address,
    openBlock,
    balance,
    contract: opts.contract ?? chain.addresses.channels,
  });
}

export function payment(chain: Chain, sender: Account, openBlock: number, balance: bigint, extra: Partial<Payment> = {}): Payment {
  return { sender: sender.address, openBlock, balance, signature: proofOf(chain, sender, openBlock, balance), ...extra };
}

/** The sender's signature over the closing message (§5 DELETE authentication). */
export function senderClosingSig(chain: Chain, sender: Account, openBlock: number, balance: bigint): Hex {
  return signClosing(sender.privateKey as Hex, { sender: sender.address, openBlock, balance, contract: chain.addresses.channels });
}

export async function tokenBalance(chain: Chain, address: string): Promise<bigint> {
  return chain.token.balanceOf(address);
}
