// Steps that change the chain or the target: open, top-up, mine, snapshot/revert, reorg, close,
// settle, a cooperative close submitted on chain, restart, outage. Run once, never retried.
import { ChainCallError } from './chain.js';
import { channel, party, address, blocks, CaseAbort, Mismatch, type Ctx } from './context.js';
import type { Exchange } from './http.js';
import { coopClose } from './requests.js';
import { actionOf, type Expect, type Step } from './types.js';

export function revertProblems(e: Expect | undefined, reverted: string | undefined): string[] {
  if (e?.reverts && reverted === undefined) return ['the transaction succeeded, expected it to revert'];
  return [];
}

/** Runs a chain/target action; returns the revert reason when the step expects reverts. */
export async function chainAction(ctx: Ctx, step: Step): Promise<string | undefined> {
  const { chain } = ctx.env;
  const expectRevert = step.expect?.reverts === true;
  const tx = async (fn: () => Promise<unknown>): Promise<string | undefined> => {
    try {
      await fn();
      return undefined;
    } catch (err) {
      if (expectRevert && err instanceof ChainCallError) return err.reason;
      throw err;
    }
  };
  if (step.open) {
    const o = step.open;
    const sender = party(ctx, o.sender);
    const open = async () => {
      const deposit = BigInt(o.deposit);
      const receiver = address(ctx, o.receiver ?? 'receiver');
      const openBlock = o.via === 'erc20' ? await chain.openErc20(sender.wallet, receiver, deposit) : await chain.openErc223(sender.wallet, receiver, deposit);
      ctx.channels.set(o.as, { name: o.as, sender, receiver, openBlock, balance: 0n });
    };
    return tx(open);
  }
  if (step.topup) {
    const t = step.topup;
    const ch = channel(ctx, t.channel);
    return tx(() =>
      t.via === 'erc20'
        ? chain.topUpErc20(ch.sender.wallet, ch.receiver, ch.openBlock, BigInt(t.amount))
        : chain.topUpErc223(ch.sender.wallet, ch.receiver, ch.openBlock, BigInt(t.amount)),
    );
  }
  if (step.mine !== undefined) return void (await chain.mine(blocks(ctx, step.mine)));
  if (step.snapshot) return void ctx.snapshots.set(step.snapshot, await chain.snapshot());
  if (step.revert) return void (await chain.revert(ctx.snapshots.get(step.revert) as string));
  if (step.reorg !== undefined) return void (await chain.reorg(step.reorg));
  if (step.close) {
    const ch = channel(ctx, step.close.channel);
    const by = step.close.by ? party(ctx, step.close.by) : ch.sender;
    return tx(() => chain.call(by.wallet, chain.channels, 'uncooperativeClose', [ch.receiver, ch.openBlock, BigInt(step.close?.balance ?? 0)]));
  }
  if (step.settle) {
    const ch = channel(ctx, step.settle.channel);
    const by = step.settle.by ? party(ctx, step.settle.by) : ch.sender;
    return tx(async () => {
      // §4: the receiver MAY settle a closed channel itself after the period; then there is
      // nothing left for the sender to settle, and the case goes on to check the outcome.
      if (!(await chain.channelInfo(ch.sender.address, ch.receiver, ch.openBlock)).exists && !expectRevert) return;
      await chain.call(by.wallet, chain.channels, 'settle', [ch.receiver, ch.openBlock]);
    });
  }
  if (step.target) {
    if (!ctx.env.target.canRestart) throw new CaseAbort('the target cannot be restarted');
    if (step.target !== 'start') await ctx.env.target.stop();
    if (step.target !== 'stop') await ctx.env.target.start();
    return undefined;
  }
  if (step.outage !== undefined) {
    const ms = Math.round(step.outage * ctx.env.multiplier);
    ctx.outageUntil = Date.now() + ms;
    return void (await chain.outage(ms));
  }
  if (step.coop_close) {
    const sink: Exchange[] = [];
    const { problems, response } = await coopClose(ctx, step, step.coop_close, sink).finally(() => ctx.exchanges.push(...sink));
    if (problems.length) throw new Mismatch(problems);
    const sig = (JSON.parse(response.body) as { close_signature?: string }).close_signature;
    const ch = channel(ctx, step.coop_close.channel);
    const balance = BigInt(step.coop_close.balance ?? ch.balance);
    if (typeof sig !== 'string') throw new Mismatch(['no close_signature in the reply']);
    return tx(() => chain.call(ch.sender.wallet, chain.channels, 'cooperativeClose', [chain.receiver, ch.openBlock, balance, ch.signature ?? '0x', sig]));
  }
  throw new CaseAbort(`step ${actionOf(step)} has no chain action`);
}
