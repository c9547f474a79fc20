/**
 * The tidy table's rows and the per-run summary. Amounts are decimal strings (token base units
 * and wei exceed 2^53); counts are numbers. Column order is fixed here, so two runs of the same
 * scenario and seed serialise to the same bytes.
 */
import type { Book } from './book.js';
import type { Cell, Row, RunSpec, RunSummary } from './types.js';

/** Metric columns, in table order; each is cumulative since the start of the run unless noted. */
export const METRIC_COLUMNS = [
  'online', // 1 while the receiver is up at the tick's end (a state, not cumulative)
  'earned', // sum of the prices of the requests served (what the receiver was paid off chain)
  'received', // receiver's token balance: what settled on chain in its favour
  'locked', // tokens held by the channels contract at the tick's end (a state)
  'senderOut', // tokens senders deposited minus refunds at settlement
  'gasReceiverWei',
  'gasSendersWei',
  'gasReceiverUnits',
  'gasSendersUnits',
  'txReceiver',
  'txSenders',
  'opened',
  'toppedUp',
  'closeRequests',
  'settled',
  'cheats',
  'disputesRaised',
  'disputesWon',
  'disputesMissed',
  'lostToCheats',
  'served',
  'refusedOffline',
  'refusedOther',
  'deferred',
] as const;

export type MetricColumn = (typeof METRIC_COLUMNS)[number];

/** A swept value as one table cell. */
export function paramCell(value: unknown): Cell {
  if (typeof value === 'number' || typeof value === 'string') return value;
  return JSON.stringify(value);
}

export function tickRow(spec: RunSpec, tick: number, block: number, online: boolean, book: Book, chain: { locked: bigint; received: bigint }): Row {
  const t = book.totals;
  const gasPrice = spec.scenario.gasPrice;
  const metrics: Record<MetricColumn, Cell> = {
    online: online ? 1 : 0,
    earned: t.earned.toString(),
    received: chain.received.toString(),
    locked: chain.locked.toString(),
    senderOut: (t.deposited - t.refunded).toString(),
    gasReceiverWei: (t.gasUnitsReceiver * gasPrice).toString(),
    gasSendersWei: (t.gasUnitsSenders * gasPrice).toString(),
    gasReceiverUnits: t.gasUnitsReceiver.toString(),
    gasSendersUnits: t.gasUnitsSenders.toString(),
    txReceiver: t.txReceiver,
    txSenders: t.txSenders,
    opened: t.opened,
    toppedUp: t.toppedUp,
    closeRequests: t.closeRequests,
    settled: t.settled,
    cheats: t.cheats,
    disputesRaised: t.disputesRaised,
    disputesWon: t.disputesWon,
    disputesMissed: t.disputesMissed,
    lostToCheats: t.lostToCheats.toString(),
    served: t.served,
    refusedOffline: t.refusedOffline,
    refusedOther: t.refusedOther,
    deferred: t.deferred,
  };
  const params = Object.fromEntries(Object.entries(spec.params).map(([k, v]) => [k, paramCell(v)]));
  return { run: spec.run, seed: spec.seed, ...params, tick, block, ...metrics };
}

export function summarize(
  spec: RunSpec,
  rows: Row[],
  book: Book,
  end: { senderLoss: bigint; locked: bigint; received: bigint; cheaters: number; pendingRequests: number },
): RunSummary {
  const lockedSeries = rows.map((r) => BigInt(r.locked as string));
  const peak = lockedSeries.reduce((a, b) => (b > a ? b : a), 0n);
  const mean = lockedSeries.length ? lockedSeries.reduce((a, b) => a + b, 0n) / BigInt(lockedSeries.length) : 0n;
  const cheatCases = [...book.channels.values()]
    .filter((c) => c.claimed !== undefined && c.claimed < c.paid)
    .sort((a, b) => a.openBlock - b.openBlock || a.sender.localeCompare(b.sender))
    .map((c) => ({ sender: c.sender, openBlock: c.openBlock, claimed: c.claimed!.toString(), paid: c.paid.toString(), outcome: c.outcome ?? 'pending' }));
  return {
    run: spec.run,
    seed: spec.seed,
    name: spec.scenario.name,
    params: Object.fromEntries(Object.entries(spec.params).map(([k, v]) => [k, paramCell(v)])),
    final: rows[rows.length - 1] ?? {},
    senders: spec.scenario.senders.count,
    cheaters: end.cheaters,
    offline: spec.scenario.receiver.offline,
    pendingRequests: end.pendingRequests,
    lockedPeak: peak.toString(),
    lockedMean: mean.toString(),
    errors: Object.fromEntries(Object.entries(book.totals.errors).sort(([a], [b]) => a.localeCompare(b))),
    conservation: {
      senderLoss: end.senderLoss.toString(),
      receiverGain: end.received.toString(),
      contractHeld: end.locked.toString(),
      holds: end.senderLoss === end.received + end.locked,
    },
    cheatCases,
  };
}
