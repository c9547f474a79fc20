/**
 * Runs `fn` over items with at most `limit` in flight. The payment phase uses it: a thousand
 * concurrent request chains gain nothing on one event loop and cost memory and GC time
 * (bench/sim.ts: see docs/SIMULATOR.md for figures).
 */
export async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
