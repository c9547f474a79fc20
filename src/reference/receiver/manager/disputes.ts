/**
 * §4 dispute: a sender asked to close at a balance lower than the proof we hold. We answer with
 * cooperativeClose(receiver, open_block, registered balance, registered proof, our closing
 * signature), which the contract accepts during the challenge period and settles at once.
 *
 * One close request gets one transaction. It is recorded (signed, with its raw bytes) before it is
 * broadcast; a transaction with no receipt is re-broadcast byte for byte (same nonce, so it can
 * never execute twice). Only a transaction that provably failed — reverted, or its nonce taken by
 * another — lets a new one be sent, and only while the challenge period lasts.
 */
import { signClosing, type Address, type Hex } from '../../../protocol/index.js';
import { channelsInterface } from './abi.js';
import { TransactionError } from './errors.js';
import { describe, receipt, type Rpc } from './rpc.js';
import type { ChainChannel, ChannelKey, CloseRecord, Dispute, Logger, Proof } from './model.js';
import type { TxSender } from './transactions.js';

export interface DisputeContext {
  rpc: Rpc;
  receiver: Address;
  receiverKey: Hex;
  contract: Address;
  chain: Map<ChannelKey, ChainChannel>;
  proofs: Map<ChannelKey, Proof>;
  closes: Map<ChannelKey, CloseRecord>;
  tx: TxSender;
  head: number;
  persistClose(sender: Address, openBlock: number, record: CloseRecord): void;
  log: Logger;
}

/** Channels whose confirmed close request claims less than the registered proof. */
export function disputable(ctx: Pick<DisputeContext, 'chain' | 'proofs'>): { key: ChannelKey; channel: ChainChannel; proof: Proof }[] {
  const out = [];
  for (const [key, channel] of ctx.chain) {
    if (!channel.closeRequest || channel.settled) continue;
    const proof = ctx.proofs.get(key);
    if (proof && proof.balance > channel.closeRequest.balance) out.push({ key, channel, proof });
  }
  return out;
}

/** One pass: follow up sent disputes, send the ones due. Never throws; problems are logged. */
export async function runDisputes(ctx: DisputeContext): Promise<void> {
  for (const { key, channel, proof } of disputable(ctx)) {
    const record = ctx.closes.get(key) ?? {};
    const save = (dispute: Dispute): void => {
      const next: CloseRecord = { ...record, dispute };
      ctx.persistClose(channel.sender, channel.openBlock, next);
      ctx.closes.set(key, next);
    };
    const d = record.dispute;
    try {
      if (d?.status === 'mined') continue;
      if (d?.status === 'sent') {
        await followUp(ctx, key, d, save);
        continue;
      }
      // None yet, or the last one failed: retry while the challenge period lasts. A first attempt
      // is made even after it (a manager that was down): until the sender settles, the contract
      // still takes it.
      if (d && ctx.head > channel.closeRequest!.settleBlock) {
        if (d.error !== 'challenge period over') {
          // Stryker disable next-line all: log text, not the protocol
          ctx.log.error(`dispute of ${key} not retried: challenge period ended at block ${channel.closeRequest!.settleBlock}`);
          save({ ...d, status: 'failed', error: 'challenge period over' });
        }
        continue;
      }
      await send(ctx, key, channel, proof, d, save);
    } catch (err) {
      // Stryker disable next-line all: log text, not the protocol
      ctx.log.error(`dispute of ${key}: ${describe(err)}`);
    }
  }
}

async function send(
  ctx: DisputeContext,
  key: ChannelKey,
  channel: ChainChannel,
  proof: Proof,
  previous: Dispute | undefined,
  save: (d: Dispute) => void,
): Promise<void> {
  const attempts = (previous?.attempts ?? 0) + 1;
  const closingSig = signClosing(ctx.receiverKey, {
    sender: channel.sender,
    openBlock: channel.openBlock,
    balance: proof.balance,
    contract: ctx.contract,
  });
  const data = channelsInterface.encodeFunctionData('cooperativeClose', [ctx.receiver, channel.openBlock, proof.balance, proof.signature, closingSig]);
  // Stryker disable next-line all: log text, not the protocol
  ctx.log.info(`close request of ${key} claims ${channel.closeRequest!.balance} < registered ${proof.balance}: disputing (attempt ${attempts})`);
  let signed = false;
  try {
    const tx = await ctx.tx.send(`dispute ${key}`, ctx.contract, data, (t) => {
      signed = true;
      save({ balance: proof.balance, txHash: t.hash, rawTx: t.raw, nonce: t.nonce, status: 'sent', attempts });
    });
    // Stryker disable next-line all: log text, not the protocol
    ctx.log.info(`dispute of ${key} sent: ${tx.hash}`);
  } catch (err) {
    // Not signed, or refused by the node: nothing is on its way, so it is a plain failure to
    // retry next poll. Signed but no answer: it may have reached the node; stay 'sent' and let
    // the follow-up decide (re-broadcast the same bytes, or notice the nonce was used).
    if (!signed || (err instanceof TransactionError && err.rejected)) {
      save({ balance: proof.balance, txHash: '0x', rawTx: '0x', nonce: -1, status: 'failed', attempts, error: describe(err) });
    }
    throw err;
  }
}

async function followUp(ctx: DisputeContext, key: ChannelKey, d: Dispute, save: (d: Dispute) => void): Promise<void> {
  const r = await receipt(ctx.rpc, d.txHash);
  if (r) {
    if (r.status === 1) {
      // Stryker disable next-line all: log text, not the protocol
      ctx.log.info(`dispute of ${key} mined in block ${r.blockNumber}`);
      save({ ...d, status: 'mined' });
    } else {
      // Stryker disable next-line all: log text, not the protocol
      ctx.log.warn(`dispute of ${key} reverted (${d.txHash}); will retry`);
      save({ ...d, status: 'failed', error: 'reverted' });
    }
    return;
  }
  const known = await ctx.rpc.call<unknown>('eth_getTransactionByHash', [d.txHash]);
  if (known) return; // pending
  if ((await ctx.tx.minedNonce()) > d.nonce) {
    // Its nonce went to another transaction: this one can never execute; a new one may be sent.
    save({ ...d, status: 'failed', error: 'dropped (nonce used by another transaction)' });
    return;
  }
  // Stryker disable next-line all: log text, not the protocol
  ctx.log.warn(`dispute of ${key} unknown to the node; re-broadcasting ${d.txHash}`);
  await ctx.tx.rebroadcast(d.rawTx);
}
