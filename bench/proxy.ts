/**
 * `npm run bench:proxy`: throughput and latency of the reference proxy, launched as a §6 target
 * (`node bin/uraiden.js proxy` in a child process, state on disk in os.tmpdir()), once per
 * signature backend (URAIDEN_SECP=native, then noble).
 *
 * Paid: every request carries a fresh balance proof (balance + 5 on /echofix), one request in
 * flight per sender (a channel's payments are sequential by nature), several senders at once.
 * Free: the same server, same connections and concurrency, on /echodyn/ (price 0: steps 1–2
 * only). Proofs are signed before the clock starts so the load generator measures the server.
 *
 * Load stays on 127.0.0.1 and is bounded: PHASE_MS per phase and the number of pre-signed proofs.
 * Figures only; nothing is asserted (ARCHITECTURE: benches never fail a build).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeOpenData, encodePaymentHeaders, signBalanceProof } from '../src/protocol/index.ts';
import { startChain, type Account } from '../src/sim/index.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SENDERS = Number(process.env.BENCH_SENDERS ?? 8);
const PHASE_MS = Number(process.env.BENCH_PHASE_MS ?? 5000);
const WARMUP_MS = 1000;
/** Proofs per sender: enough for PHASE_MS + warm-up at ~4,000 paid requests/s over all senders. */
const PROOFS = Number(process.env.BENCH_PROOFS ?? 4000);
const PRICE = 5n;
const BACKENDS = (process.env.BENCH_BACKENDS ?? 'native,noble').split(',');

interface Phase {
  count: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: SENDERS });

/** One GET over the keep-alive agent; resolves with the status once the body has been read. */
function get(port: number, urlPath: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: urlPath, headers, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * Runs `loops` concurrent request loops for WARMUP_MS (unmeasured) then PHASE_MS. `next(i)` gives
 * loop i's next request, or undefined when it has none left.
 */
async function phase(port: number, loops: number, next: (i: number) => { path: string; headers: Record<string, string>; expect: number } | undefined): Promise<Phase> {
  const latencies: number[] = [];
  let errors = 0;
  let measuring = false;
  let stop = false;
  const loop = async (i: number): Promise<void> => {
    while (!stop) {
      const r = next(i);
      if (!r) return;
      const t0 = process.hrtime.bigint();
      const status = await get(port, r.path, r.headers);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (status !== r.expect) errors++;
      if (measuring) latencies.push(ms);
    }
  };
  const running = Array.from({ length: loops }, (_, i) => loop(i));
  await new Promise((r) => setTimeout(r, WARMUP_MS));
  measuring = true;
  const t0 = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, PHASE_MS));
  measuring = false;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  stop = true;
  await Promise.all(running);
  const sorted = Float64Array.from(latencies).sort();
  return { count: sorted.length, seconds, rps: sorted.length / seconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99), errors };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function main(): Promise<void> {
  console.log(`bench/proxy: ${SENDERS} senders, ${PHASE_MS} ms per phase (+${WARMUP_MS} ms warm-up), ${os.cpus().length} cores, node ${process.version}`);
  const chain = await startChain({ senders: SENDERS });
  const rpc = await chain.listen();
  const receiver = chain.accounts.receiver.address;
  const contract = chain.addresses.channels;

  const channels: { sender: Account; openBlock: number }[] = [];
  for (const sender of chain.accounts.senders) {
    const tx = await chain.token.connect(sender.wallet)['transfer(address,uint256,bytes)'](contract, 10n ** 18n, encodeOpenData(sender.address, receiver));
    channels.push({ sender, openBlock: (await tx.wait())!.blockNumber });
  }
  await chain.mine(1);

  const t0 = Date.now();
  const proofs = channels.map((c) =>
    Array.from({ length: PROOFS }, (_, k) => {
      const balance = PRICE * BigInt(k + 1);
      const signature = signBalanceProof(c.sender.privateKey, { receiver, openBlock: c.openBlock, balance, contract });
      return encodePaymentHeaders({ sender: c.sender.address, receiver, contract, openBlock: c.openBlock, balance, signature });
    }),
  );
  console.log(`signed ${SENDERS * PROOFS} proofs in ${((Date.now() - t0) / 1000).toFixed(1)} s (not measured)`);

  const rows: { backend: string; paid: Phase; free: Phase }[] = [];
  for (const backend of BACKENDS) {
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'uraiden-bench-'));
    const port = await freePort();
    // Poll the chain once a second: the bench measures the proxy, not the sync loop.
    const env = { ...process.env, ...chain.targetEnv({ port, stateDir, confirmations: 1, pollIntervalMs: 1000 }), URAIDEN_SECP: backend };
    const child: ChildProcess = spawn(process.execPath, [path.join(ROOT, 'bin/uraiden.js'), 'proxy'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    try {
      await waitFor(async () => (await get(port, '/echofix/ready', {})) === 402, 'the proxy');
      // The first proof of each channel, retried until the proxy has synced the channels.
      for (const [i] of channels.entries()) await waitFor(async () => (await get(port, '/echofix/b', proofs[i]![0]!)) === 200, 'the channels');
      const used = channels.map(() => 1);
      const paid = await phase(port, SENDERS, (i) => {
        const headers = proofs[i]![used[i]!++];
        return headers && { path: '/echofix/b', headers, expect: 200 };
      });
      const free = await phase(port, SENDERS, () => ({ path: '/echodyn/', headers: {}, expect: 200 }));
      const line = stdout.split('\n').find((l) => l.includes('listening on')) ?? '';
      const actual = /signatures (\w+)/.exec(line)?.[1] ?? '?';
      rows.push({ backend: actual === backend ? backend : `${backend} (got ${actual})`, paid, free });
      if (used.some((u) => u >= PROOFS)) console.log(`note: ${backend}: a sender ran out of proofs; raise BENCH_PROOFS`);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      await rm(stateDir, { recursive: true, force: true });
    }
  }
  agent.destroy();
  await rpc.close();
  await chain.close();

  const f = (n: number, d = 2) => n.toFixed(d);
  console.log('\nbackend | paid req/s | paid p50 ms | paid p99 ms | free req/s | free p50 ms | free p99 ms | paid/free req/s | paid p99 / free p50 | errors');
  console.log('--------|-----------:|------------:|------------:|-----------:|------------:|------------:|----------------:|--------------------:|------:');
  for (const { backend, paid, free } of rows) {
    console.log(
      `${backend} | ${f(paid.rps, 0)} | ${f(paid.p50)} | ${f(paid.p99)} | ${f(free.rps, 0)} | ${f(free.p50)} | ${f(free.p99)} | ${f(paid.rps / free.rps)} | ${f(paid.p99 / free.p50, 1)} | ${paid.errors + free.errors}`,
    );
  }
  console.log('\ngoals: ≥ 2,000 paid req/s; paid p99 ≤ 5 × free p50');
  for (const { backend, paid, free } of rows) {
    console.log(`${backend}: paid ${paid.rps >= 2000 ? 'meets' : 'misses'} the throughput goal; p99 ratio ${paid.p99 <= 5 * free.p50 ? 'meets' : 'misses'} the latency goal`);
  }
}

await main();
