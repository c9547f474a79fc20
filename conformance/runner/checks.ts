// On-chain expectations: getChannelInfo, token balances, the channel's events.
import { matchJson } from './expect.js';
import { channel, party, interp, type Ctx } from './context.js';
import type { Expect } from './types.js';

export async function chainProblems(ctx: Ctx, e: Expect | undefined): Promise<string[]> {
  if (!e) return [];
  const { chain } = ctx.env;
  const out: string[] = [];
  for (const [name, want] of Object.entries(e.channel ?? {})) {
    const ch = channel(ctx, name);
    const got = await chain.channelInfo(ch.sender.address, ch.receiver, ch.openBlock);
    const say = (field: string, g: unknown, w: unknown) => out.push(`channel ${name} on chain: ${field} ${String(g)}, expected ${String(w)}`);
    if (want.exists !== undefined && got.exists !== want.exists) {
      say('exists', got.exists, want.exists);
      continue;
    }
    if (!got.exists) {
      if (want.deposit !== undefined || want.closing !== undefined || want.closing_balance !== undefined || want.withdrawn !== undefined)
        say('exists', false, true);
      continue;
    }
    if (want.deposit !== undefined && got.deposit !== BigInt(want.deposit)) say('deposit', got.deposit, want.deposit);
    if (want.closing !== undefined && got.settleBlock > 0 !== want.closing) say('closing (settle block set)', got.settleBlock > 0, want.closing);
    if (want.closing_balance !== undefined && got.closingBalance !== BigInt(want.closing_balance))
      say('closing_balance', got.closingBalance, want.closing_balance);
    if (want.withdrawn !== undefined && got.withdrawn !== BigInt(want.withdrawn)) say('withdrawn', got.withdrawn, want.withdrawn);
  }
  for (const [name, want] of Object.entries(e.tokens ?? {})) {
    const got = await chain.tokenBalance(party(ctx, name).address);
    if (got !== BigInt(want)) out.push(`token balance of ${name}: ${got}, expected ${want}`);
  }
  for (const ev of e.events ?? []) {
    const ch = channel(ctx, ev.channel);
    const all = await chain.events(ev.name, ch.sender.address, ch.receiver, ch.openBlock, ctx.startBlock);
    const matching = all.filter((x) => Object.entries(ev.args ?? {}).every(([k, v]) => matchJson(v, x.args[k] ?? null, k, (s) => interp(ctx, s)).length === 0));
    const shown = all.map((x) => JSON.stringify(x.args)).join(', ') || 'none';
    if (ev.count !== undefined ? matching.length !== ev.count : matching.length === 0) {
      out.push(
        `${ev.name} events of ${ev.channel}${ev.args ? ` with ${JSON.stringify(ev.args)}` : ''}: ${matching.length}, expected ${ev.count ?? 'at least 1'} (seen: ${shown})`,
      );
    }
  }
  return out;
}
