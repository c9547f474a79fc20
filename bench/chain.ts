/**
 * `npm run bench:chain`: what the deterministic chain costs — start (ganache, deployment, funding),
 * `mine(500)` in one call, snapshot + revert, and `reorg(depth)` — each the median of a few runs.
 * `mine(500)` is set against a bare ganache with memdown measured in the same run, so the ratio is
 * the cost of the kit's checkpointing gateway whatever else the machine is doing (FACTS.md: 80 ms
 * on an idle machine). Figures, never assertions.
 */
import ganache from '../src/sim/ganache.js';
import memdownModule, { type MemDownConstructor } from 'memdown';
import { startChain } from '../src/sim/chain.js';

// memdown is CommonJS whose typings declare an ES default export (as in src/sim/chain.ts).
const memdown = memdownModule as unknown as MemDownConstructor;
const RUNS = 5;

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

async function median(run: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push(await timed(run));
  times.sort((a, b) => a - b);
  return times[Math.floor(RUNS / 2)]!;
}

const bare = ganache.provider({ database: { db: memdown() }, logging: { quiet: true }, miner: { timestampIncrement: 1 } });
const bareMine = await median(() => bare.request({ method: 'evm_mine', params: [{ blocks: 500 }] }));
await bare.disconnect();

let chain!: Awaited<ReturnType<typeof startChain>>;
const start = await timed(async () => (chain = await startChain({ senders: 3 })));
const rows: [string, number, number | undefined][] = [['start + deploy + fund 3 senders', start, undefined]];
try {
  rows.push(['mine(500), one evm_mine call', await median(() => chain.mine(500)), bareMine]);
  rows.push(['snapshot() + revert()', await median(async () => chain.revert(await chain.snapshot())), undefined]);
  rows.push(['reorg(10)', await median(() => chain.reorg(10)), undefined]);
} finally {
  await chain.close();
}

console.log(`${'operation'.padEnd(34)} ${'ms'.padStart(8)} ${'raw ganache'.padStart(12)} ${'ratio'.padStart(6)}`);
for (const [name, ms, raw] of rows) {
  console.log(
    `${name.padEnd(34)} ${ms.toFixed(0).padStart(8)} ${(raw === undefined ? '' : raw.toFixed(0)).padStart(12)} ${(raw === undefined ? '' : (ms / raw).toFixed(2)).padStart(6)}`,
  );
}
console.log(`(median of ${RUNS} runs; start is one run; raw ganache: bare ganache.provider with memdown, same run)`);
