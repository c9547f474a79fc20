/**
 * Shared fixture: one chain (src/sim/chain.ts) per test file, a snapshot before each test and a revert after,
 * so every test starts from the freshly deployed contracts and tests stay fast.
 */
import { expect } from 'chai';
import type { ContractTransactionResponse, Interface, TransactionReceipt } from 'ethers';
import { startChain, type Account, type Chain } from '../../src/sim/chain.js';
import { balanceHash, closingHash, signHash } from './sign.js';

export const TOKEN = 10n ** 18n;
export const LIMIT = 100n * TOKEN;
export const CHALLENGE_PERIOD = 500;

export function useChain(): () => Chain {
  let chain: Chain | undefined;
  let snapshot = '';
  before(async function () {
    this.timeout(120_000);
    // startChain gives each sender 1000 tokens; tests only rely on balance differences.
    chain = await startChain({ challengePeriod: CHALLENGE_PERIOD });
  });
  beforeEach(async () => {
    snapshot = await chain!.snapshot();
  });
  afterEach(async () => {
    await chain!.revert(snapshot);
  });
  after(async () => {
    await chain?.close();
  });
  return () => {
    if (!chain) throw new Error('chain not started');
    return chain;
  };
}

/** Awaits a transaction and its receipt; throws (with the revert reason) if it reverts. */
export async function mined(tx: Promise<ContractTransactionResponse>): Promise<TransactionReceipt> {
  const receipt = await (await tx).wait();
  if (!receipt) throw new Error('no receipt');
  return receipt;
}

/** The call must revert with exactly this reason string. */
export async function expectRevert(action: Promise<unknown>, reason: string): Promise<void> {
  let error: unknown;
  try {
    await action;
  } catch (caught) {
    error = caught;
  }
  expect(error, `expected a revert "${reason}"`).to.exist;
  expect(revertReason(error)).to.equal(reason);
}

/**
 * The revert string of a failed call. ethers decodes it when the node returns the revert data as
 * a hex string; ganache returns an object ({ result, reason }) that ethers does not look into.
 */
function revertReason(error: unknown): string {
  const e = error as { reason?: string | null; message?: string; info?: { error?: { data?: { reason?: string } } } };
  return e.reason ?? e.info?.error?.data?.reason ?? String(e.message);
}

export interface ParsedEvent {
  name: string;
  args: Record<string, unknown>;
  topics: readonly string[];
}

/** The logs of `receipt` emitted by `address` decoded with `iface`, in order. */
export function eventsOf(receipt: TransactionReceipt, iface: Interface, address: string): ParsedEvent[] {
  const out: ParsedEvent[] = [];
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== address.toLowerCase()) continue;
    const parsed = iface.parseLog(log);
    if (!parsed) continue;
    const args: Record<string, unknown> = {};
    for (const [i, input] of parsed.fragment.inputs.entries()) args[input.name] = parsed.args[i];
    out.push({ name: parsed.name, args, topics: log.topics });
  }
  return out;
}

/** Signs a balance proof / closing signature for the deployed channels contract. */
export async function proof(chain: Chain, sender: Account, receiver: string, openBlock: number, balance: bigint) {
  return signHash(sender.privateKey, balanceHash(receiver, openBlock, balance, await chain.channels.getAddress()));
}
export async function closing(chain: Chain, receiver: Account, sender: string, openBlock: number, balance: bigint) {
  return signHash(receiver.privateKey, closingHash(sender, openBlock, balance, await chain.channels.getAddress()));
}

export function openData(sender: string, receiver: string): string {
  return `0x${sender.slice(2)}${receiver.slice(2)}`.toLowerCase();
}
export function topUpData(sender: string, receiver: string, openBlock: number): string {
  return `${openData(sender, receiver)}${openBlock.toString(16).padStart(8, '0')}`;
}

/** Opens a channel sender → receiver with the ERC20 path; returns its open block. */
export async function openChannel(chain: Chain, sender: Account, receiver: string, deposit: bigint): Promise<number> {
  const channels = await chain.channels.getAddress();
  await mined(chain.token.connect(sender.wallet).approve(channels, deposit));
  const receipt = await mined(chain.channels.connect(sender.wallet).createChannel(receiver, deposit));
  return receipt.blockNumber;
}
