/**
 * `npm run bench:sim`: the economic simulator's engine at scale — BENCH_SENDERS (1,000) reference
 * clients each making BENCH_REQUESTS (20) paid requests through the reference proxy (fastify
 * `app.inject()`, the same path `uraiden simulate` uses), on the deterministic in-process chain
 * with the real contract: one channel per sender (BENCH_TOPUPS=1 adds one top-up each), then
 * every payment, the clients on BENCH_THREADS worker threads (default: what a run of this size
 * uses, defaultSenderThreads). Prints wall time, payments per second, each phase's figures and
 * the load average, plus the primitives a payment is made of (sign, recover, one injected
 * request), to find the bottleneck. Figures only; nothing is asserted.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import secp256k1 from 'secp256k1';
import { balanceMessageHash, recoverBalanceProofSigner, signBalanceProof, signatureBackend } from '../src/protocol/index.js';
import { startChain } from '../src/sim/index.js';
import { chainPhase, createAgents, makeDeposits, paymentPhase, type AgentContext } from '../src/simulator/agents.js';
import { fundSenders } from '../src/simulator/funding.js';
import { emptyBook } from '../src/simulator/book.js';
import { createLedger } from '../src/simulator/ledger.js';
import { defaultSenderThreads, sendersSetup } from '../src/simulator/run.js';
import { PAYMENT_CONCURRENCY } from '../src/simulator/senders.js';
import { startSenders } from '../src/simulator/sender-threads.js';
import { startReceiverSide, type ReceiverSide } from '../src/simulator/receiver-side.js';
import { createRng } from '../src/simulator/rng.js';
import { toScenario } from '../src/simulator/scenario.js';

const SENDERS = Number(process.env.BENCH_SENDERS ?? 1000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20);
const TOPUPS = process.env.BENCH_TOPUPS === '1';
const THREADS = Number(process.env.BENCH_THREADS ?? defaultSenderThreads(SENDERS));
const PRICE = 5;

const now = () => performance.now();
const secs = (ms: number) => (ms / 1000).toFixed(2);
const rate = (n: number, ms: number) => Math.round((n * 1000) / ms).toLocaleString('en');
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

async function main(): Promise<void> {
  // Half the deposit first when top-ups are measured, so each channel needs exactly one.
  const deposit = PRICE * REQUESTS;
  const scenario = toScenario({
    name: 'bench',
    horizon: 1_000_000,
    tick: 1,
    receiver: { confirmations: 1 },
    resources: [{ path: '/bench', price: PRICE }],
    senders: {
      count: SENDERS,
      arrival: 'fixed',
      requestRate: REQUESTS,
      maxRequests: REQUESTS,
      initialDeposit: TOPUPS ? deposit / 2 : deposit,
      topUp: deposit / 2,
    },
  });
  const dir = await mkdtemp(join(process.platform === 'linux' ? '/dev/shm' : tmpdir(), 'uraiden-bench-sim-'));
  const loadBefore = load();
  const wall = now();
  const phases: [string, string][] = [];
  // Beside the wall time, the CPU time of the whole process (every thread) and of its main thread
  // (chain and receiver): on a loaded machine the wall time moves, these much less.
  const phase = async <T>(name: string, fn: () => Promise<T>, detail: (ms: number, v: T) => string): Promise<T> => {
    const t = now();
    const cpu = process.cpuUsage();
    const main = mainThreadCpuMs();
    const v = await fn();
    const ms = now() - t;
    const used = process.cpuUsage(cpu);
    const mainMs = mainThreadCpuMs() - main;
    const cpuText = `CPU ${secs((used.user + used.system) / 1000)} s${Number.isNaN(mainMs) ? '' : ` (main thread ${secs(mainMs)} s)`}`;
    phases.push([name, `${secs(ms)} s  ${cpuText}; ${detail(ms, v)}`]);
    process.stdout.write(`  ${name}: ${secs(ms)} s\n`);
    return v;
  };

  const chain = await phase(
    'chain start (deploy; keys of the senders)',
    () => startChain({ seed: 'uraiden-bench', senders: SENDERS, tokensPerSender: 0n }),
    () => '',
  );
  try {
    // As in a run (run.ts): the clients are made while the chain mints.
    const setup = await sendersSetup(chain, await chain.blockNumber(), dir, scenario.senders);
    let side: ReceiverSide | undefined;
    const { senders } = await phase(
      `funding (batched mints) ‖ clients (first sync each; ${THREADS === 0 ? 'this thread' : `${THREADS} worker thread(s)`})`,
      async () => {
        const t = now();
        const [fundMs, [senders, clientsMs]] = await Promise.all([
          fundSenders(chain, 10n ** 21n).then(() => now() - t),
          startSenders({ chain, app: () => side!.app(), setup, threads: THREADS }).then((v) => [v, now() - t] as const),
        ]);
        return { senders, fundMs, clientsMs };
      },
      (_, v) => `${SENDERS} mints in ${secs(v.fundMs)} s (${rate(SENDERS, v.fundMs)} tx/s), ${SENDERS} clients in ${secs(v.clientsMs)} s`,
    );
    const startBlock = await chain.blockNumber();
    const book = emptyBook(chain.accounts.receiver.address);
    side = await startReceiverSide({ chain, dir, confirmations: 1, disputes: true, startBlock, resources: scenario.resources });
    const ctx: AgentContext = { chain, scenario, rng: createRng(1), book, receiver: chain.accounts.receiver.address, startBlock, senders };
    const agents = createAgents(chain.accounts.senders, new Set());
    const txs = await phase(
      `channel transactions (open${TOPUPS ? ' + top-up' : ''}, batched)`,
      async () => {
        const needs = await chainPhase(ctx, agents, 0);
        await makeDeposits(ctx, needs);
        return needs.reduce((sum, n) => sum + (n.open !== undefined ? 1 : 0) + n.topUps, 0);
      },
      (ms, n) => `${n} transactions, ${rate(n, ms)} tx/s`,
    );
    await chain.mine(1);
    await phase(
      'receiver sync (events of all channels)',
      () => side.sync(),
      () => '',
    );
    const paid = await phase(
      `payments (client.fetch → proxy → pay(), ≤ ${PAYMENT_CONCURRENCY} senders at once per thread)`,
      async () => {
        await paymentPhase(ctx, agents);
        return book.totals.served;
      },
      (ms, n) => `${n} served, ${rate(n, ms)} payments/s`,
    );
    await phase(
      'ledger (receipts → gas)',
      () => createLedger(chain, book, startBlock + 1).scan(1e9),
      () => `${book.totals.txSenders} receipts`,
    );
    const total = now() - wall;
    const t = book.totals;
    if (t.served !== SENDERS * REQUESTS || t.refusedOther + t.refusedOffline + t.deferred > 0) {
      process.stdout.write(`  WARNING: served ${t.served}, refused ${t.refusedOther + t.refusedOffline}, deferred ${t.deferred} ${JSON.stringify(t.errors)}\n`);
    }
    await senders.close();
    // A stopped manager answers 502 before any signature work: measure the unpaid 402 path on a
    // live one instead, then close.
    const proxyApp = side.app();

    process.stdout.write(
      `\nbench:sim — ${SENDERS} senders × ${REQUESTS} paid requests, ${txs} channel transactions, clients on ${THREADS === 0 ? 'the main thread' : `${THREADS} worker thread(s)`} (signature backend: ${signatureBackend()})\n`,
    );
    for (const [name, text] of phases) process.stdout.write(`  ${name.padEnd(72)} ${text}\n`);
    process.stdout.write(
      `  wall time ${secs(total)} s, ${rate(paid, total)} payments/s overall (goal: under 45 s); load average (1, 5, 15 min) ${loadBefore} before, ${load()} after\n`,
    );
    await primitives(chain.accounts.senders[0]!.privateKey, chain.accounts.receiver.address, chain.addresses.channels, proxyApp);
    await side.close();
  } finally {
    await chain.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** CPU time of the main thread (Linux: its task's utime + stime in /proc); NaN elsewhere. */
function mainThreadCpuMs(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat(5) (utime, stime), counted after the command's closing parenthesis.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/** USER_HZ: clock ticks per second of /proc's times (100 on Linux for every common architecture). */
const CLOCK_TICKS = 100;

/** What one payment is made of, measured alone. */
async function primitives(key: `0x${string}`, receiver: string, contract: string, app: FastifyInstance): Promise<void> {
  const N = 2000;
  const msgs = Array.from({ length: N }, (_, i) => ({ receiver, openBlock: 7, balance: BigInt(i + 1), contract }));
  let t = now();
  const sigs = msgs.map((m) => signBalanceProof(key, m));
  const signMs = now() - t;
  const priv = Buffer.from(key.slice(2), 'hex');
  const hashes = msgs.map((m) => Buffer.from(balanceMessageHash(m).slice(2), 'hex'));
  t = now();
  for (const h of hashes) secp256k1.ecdsaSign(h, priv);
  const nativeSignMs = now() - t;
  t = now();
  for (let i = 0; i < N; i++) recoverBalanceProofSigner(msgs[i]!, sigs[i]!);
  const recoverMs = now() - t;
  t = now();
  for (let i = 0; i < N; i++) await app.inject({ method: 'GET', url: '/bench', headers: { accept: 'application/json' } });
  const injectMs = now() - t;
  process.stdout.write(
    `  primitives (one thread): sign ${rate(N, signMs)}/s (the kit's signBalanceProof, ${signatureBackend()} backend; bare libsecp256k1 ${rate(N, nativeSignMs)}/s), ` +
      `recover ${rate(N, recoverMs)}/s, unpaid request through app.inject ${rate(N, injectMs)}/s — a payment is 1 sign, 1 recover, 2 requests\n`,
  );
}

await main();
