/**
 * Operator commands (§4 "on demand"): withdraw what the registered proofs allow, and close every
 * channel cooperatively. Each sends transactions one after the other from the receiver wallet and
 * waits for their receipts, so the caller learns what actually happened on chain.
 */
import { signClosing, type Address, type Hex } from '../../../protocol/index.js';
import { channelsInterface } from './abi.js';
import { describe } from './rpc.js';
import type { ChainChannel, ChannelKey, CloseRecord, Logger, Proof, UnconfirmedView } from './model.js';
import { closingReason } from './payments.js';
import type { TxSender } from './transactions.js';

export interface OperationsContext {
  receiver: Address;
  receiverKey: Hex;
  contract: Address;
  chain: Map<ChannelKey, ChainChannel>;
  unconfirmed: UnconfirmedView;
  proofs: Map<ChannelKey, Proof>;
  closes: Map<ChannelKey, CloseRecord>;
  /** balances withdrawn by mined transactions whose event is not confirmed yet */
  withdrawing: Map<ChannelKey, bigint>;
  tx: TxSender;
  receiptTimeoutMs: number;
  pollMs: number;
  persistClose(sender: Address, openBlock: number, record: CloseRecord): void;
  log: Logger;
}

export interface WithdrawResult {
  sender: Address;
  openBlock: number;
  /** the registered balance the withdraw names */
  balance: bigint;
  /** what it pays out: balance − already withdrawn */
  amount: bigint;
  txHash?: Hex;
  error?: string;
}

export async function withdrawChannels(ctx: OperationsContext, minimum: bigint): Promise<WithdrawResult[]> {
  const due: { key: ChannelKey; channel: ChainChannel; proof: Proof; withdrawn: bigint }[] = [];
  for (const [key, channel] of ctx.chain) {
    const proof = ctx.proofs.get(key);
    // The contract refuses a withdraw once a close was requested; a closing signature we gave out
    // means the sender may settle any moment, so leave those to the close.
    if (!proof || closingReason(ctx, key, channel)) continue;
    const pending = ctx.withdrawing.get(key) ?? 0n;
    const withdrawn = pending > channel.withdrawn ? pending : channel.withdrawn;
    const amount = proof.balance - withdrawn;
    if (amount > 0n && amount >= minimum) due.push({ key, channel, proof, withdrawn });
  }
  const results: WithdrawResult[] = [];
  for (const { key, channel, proof, withdrawn } of due) {
    const result: WithdrawResult = { sender: channel.sender, openBlock: channel.openBlock, balance: proof.balance, amount: proof.balance - withdrawn };
    try {
      const data = channelsInterface.encodeFunctionData('withdraw', [channel.openBlock, proof.balance, proof.signature]);
      const tx = await ctx.tx.send(`withdraw ${key}`, ctx.contract, data);
      result.txHash = tx.hash;
      await ctx.tx.confirm(`withdraw ${key}`, tx.hash, ctx.receiptTimeoutMs, Math.min(ctx.pollMs, 1000));
      ctx.withdrawing.set(key, proof.balance);
      ctx.log.info(`withdrew ${result.amount} from ${key} (${tx.hash})`);
    } catch (err) {
      result.error = describe(err);
      ctx.log.error(`withdraw from ${key} failed: ${result.error}`);
    }
    results.push(result);
  }
  return results;
}

export interface CloseAllResult {
  closed: { sender: Address; openBlock: number; balance: bigint; txHash: Hex }[];
  skipped: { sender: Address; openBlock: number; reason: string }[];
  failed: { sender: Address; openBlock: number; balance: bigint; error: string; txHash?: Hex }[];
}

export async function closeAllChannels(ctx: OperationsContext): Promise<CloseAllResult> {
  const out: CloseAllResult = { closed: [], skipped: [], failed: [] };
  const todo: { key: ChannelKey; channel: ChainChannel; proof: Proof }[] = [];
  for (const [key, channel] of ctx.chain) {
    if (channel.settled) continue; // history, not a channel to close
    const closing = closingReason(ctx, key, channel);
    const proof = ctx.proofs.get(key);
    if (closing) out.skipped.push({ sender: channel.sender, openBlock: channel.openBlock, reason: closing });
    else if (!proof) out.skipped.push({ sender: channel.sender, openBlock: channel.openBlock, reason: 'no payment registered' });
    else todo.push({ key, channel, proof });
  }
  for (const [key, u] of ctx.unconfirmed.channels) {
    if (!ctx.chain.has(key)) out.skipped.push({ sender: u.sender, openBlock: u.openBlock, reason: 'not confirmed yet' });
  }
  for (const { key, channel, proof } of todo) {
    const message = { sender: channel.sender, openBlock: channel.openBlock, balance: proof.balance, contract: ctx.contract };
    const closingSignature = signClosing(ctx.receiverKey, message);
    // Stop serving first: once the transaction is out, the channel is being settled.
    const record: CloseRecord = { ...ctx.closes.get(key), closingSignature, closingBalance: proof.balance };
    ctx.persistClose(channel.sender, channel.openBlock, record);
    ctx.closes.set(key, record);
    let txHash: Hex | undefined;
    try {
      const data = channelsInterface.encodeFunctionData('cooperativeClose', [
        ctx.receiver,
        channel.openBlock,
        proof.balance,
        proof.signature,
        closingSignature,
      ]);
      const tx = await ctx.tx.send(`close ${key}`, ctx.contract, data);
      txHash = tx.hash;
      await ctx.tx.confirm(`close ${key}`, tx.hash, ctx.receiptTimeoutMs, Math.min(ctx.pollMs, 1000));
      out.closed.push({ sender: channel.sender, openBlock: channel.openBlock, balance: proof.balance, txHash: tx.hash });
      ctx.log.info(`closed ${key} at ${proof.balance} (${tx.hash})`);
    } catch (err) {
      const failed: CloseAllResult['failed'][number] = { sender: channel.sender, openBlock: channel.openBlock, balance: proof.balance, error: describe(err) };
      if (txHash) failed.txHash = txHash;
      out.failed.push(failed);
      ctx.log.error(`close of ${key} failed: ${failed.error}`);
    }
  }
  return out;
}
