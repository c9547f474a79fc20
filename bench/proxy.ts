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
 *
 * The floor: a paid request must at least recover one signature, compute its hashes (the §1.2
 * message hash, the §1.5 channel key), commit one proof to SQLite and be an HTTP request (the free
 * request's CPU). Each is measured in CPU time in the same run; their sum, as requests per
 * CPU-second, is set next to the paid requests per server CPU-second.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import {
  balanceMessageHash,
  bytesToHex,
  channelKey,
  encodeOpenData,
  encodePaymentHeaders,
  recoverSigner,
  setSignatureBackend,
  signBalanceProof,
  type BalanceProofMessage,
  type Hex,
  type SignatureBackend,
} from '../src/protocol/index.js';
import { openState } from '../src/reference/receiver/manager/state.js';
import { freePort } from '../test/helpers/processes.js';
import { startChain, type Account } from '../src/sim/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SENDERS = Number(process.env.BENCH_SENDERS ?? 8);
const PHASE_MS = Number(process.env.BENCH_PHASE_MS ?? 5000);
const WARMUP_MS = 1000;
const UNLOADED_MS = 2000;
/** Proofs per sender: enough for ~4,000 paid requests/s over all senders. */
const PROOFS = Number(process.env.BENCH_PROOFS ?? Math.ceil((4000 * (PHASE_MS + WARMUP_MS)) / 1000 / SENDERS));
/** Extra proofs for sender 0, which also runs the unloaded phase (~3,000 requests/s at most). */
const UNLOADED_PROOFS = Math.ceil((3000 * (UNLOADED_MS + WARMUP_MS)) / 1000);

const PRICE = 5n;
const BACKENDS = (process.env.BENCH_BACKENDS ?? 'native,noble').split(',');

interface Phase {
  /** CPU seconds the server process used during the measured window (user + system). */
  serverCpu: number;
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
/**
 * CPU seconds used so far by process `pid` (Linux /proc; NaN elsewhere). Requests per server
 * CPU-second is a capacity figure that holds on a loaded machine, where wall-clock rates only
 * say how much CPU the scheduler happened to give the server.
 */
async function cpuSeconds(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 (utime, stime) of proc(5), counted from 1 before the ")": here 11 and 12.
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}
/** USER_HZ: 100 on every Linux configuration Node supports. */
const CLOCK_TICKS = 100;

async function phase(
  pid: number,
  port: number,
  loops: number,
  next: (i: number) => { path: string; headers: Record<string, string>; expect: number } | undefined,
  durationMs = PHASE_MS,
): Promise<Phase> {
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
  const cpu0 = await cpuSeconds(pid);
  const t0 = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, durationMs));
  measuring = false;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const serverCpu = (await cpuSeconds(pid)) - cpu0;
  stop = true;
  await Promise.all(running);
  const sorted = Float64Array.from(latencies).sort();
  return { serverCpu, count: sorted.length, seconds, rps: sorted.length / seconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99), errors };
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Signs with libsecp256k1 when its addon loads (~10× faster than the kit's pure-JS signer, which
 * only matters here: tens of thousands of proofs before the clock starts). Same RFC 6979 nonces
 * and low-s, so the proofs are the ones signBalanceProof would make; checked on the first one.
 */
function fastSigner(): (key: string, m: BalanceProofMessage) => string {
  try {
    const native = createRequire(import.meta.url)('secp256k1/bindings.js') as typeof import('secp256k1');
    const keys = new Map<string, Uint8Array>();
    const sign = (key: string, m: BalanceProofMessage): string => {
      let k = keys.get(key);
      if (!k) {
        k = Buffer.from(key.slice(2), 'hex');
        keys.set(key, k);
      }
      const { signature, recid } = native.ecdsaSign(Buffer.from(balanceMessageHash(m).slice(2), 'hex'), k);
      const out = new Uint8Array(65);
      out.set(signature);
      out[64] = 27 + recid;
      return bytesToHex(out);
    };
    return sign;
  } catch {
    return (key, m) => signBalanceProof(key as `0x${string}`, m);
  }
}

/** CPU microseconds per call of `fn` (user + system of this process), over at least `ms` of CPU. */
function cpuMicros(fn: (i: number) => void, ms = 400): number {
  for (let i = 0; i < 200; i++) fn(i); // warm up
  const start = process.cpuUsage();
  let n = 0;
  for (;;) {
    for (let k = 0; k < 100; k++) fn(n++);
    const used = process.cpuUsage(start);
    if (used.user + used.system >= ms * 1000) return (used.user + used.system) / n;
  }
}

interface Floor {
  recoverUs: number;
  hashesUs: number;
  sqliteUs: number;
}

/** The primitives of one paid request, with the server's signature backend, in CPU µs each. */
async function measureFloor(backend: string, m: BalanceProofMessage, signature: string, sender: Hex): Promise<Floor> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'uraiden-floor-'));
  try {
    setSignatureBackend(backend as SignatureBackend);
    const hash = balanceMessageHash(m);
    const recoverUs = cpuMicros(() => recoverSigner(hash, signature));
    const hashesUs = cpuMicros((i) => {
      balanceMessageHash({ ...m, balance: BigInt(i) });
      channelKey(sender, m.receiver, m.openBlock);
    });
    // The receiver's own store and statement (WAL, synchronous=NORMAL: its default durability).
    const store = openState({
      path: path.join(dir, 'floor.sqlite'),
      identity: { chainId: 1, contract: m.contract as Hex, receiver: m.receiver as Hex },
      synchronous: 'NORMAL',
      startBlock: 0,
    });
    const sqliteUs = cpuMicros((i) => store.saveProof(sender, m.openBlock, { balance: BigInt(i), signature: signature as Hex }));
    store.close();
    return { recoverUs, hashesUs, sqliteUs };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(
    `bench/proxy: ${SENDERS} senders, ${PHASE_MS} ms per phase (+${WARMUP_MS} ms warm-up), ${os.cpus().length} cores, node ${process.version}, load average ${os.loadavg()[0]!.toFixed(1)}`,
  );
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
  const sign = fastSigner();
  const probe = { receiver, openBlock: channels[0]!.openBlock, balance: 5n, contract };
  if (sign(channels[0]!.sender.privateKey, probe) !== signBalanceProof(channels[0]!.sender.privateKey, probe))
    throw new Error('fast signer disagrees with signBalanceProof');
  const proofs = channels.map((c, i) =>
    Array.from({ length: PROOFS + (i === 0 ? UNLOADED_PROOFS : 0) }, (_, k) => {
      const balance = PRICE * BigInt(k + 1);
      const signature = sign(c.sender.privateKey, { receiver, openBlock: c.openBlock, balance, contract });
      return encodePaymentHeaders({ sender: c.sender.address, receiver, contract, openBlock: c.openBlock, balance, signature });
    }),
  );
  console.log(`signed ${proofs.reduce((n, p) => n + p.length, 0)} proofs in ${((Date.now() - t0) / 1000).toFixed(1)} s (not measured)`);

  const rows: { backend: string; paid: Phase; free: Phase; paid1: Phase; free1: Phase; floor: Floor }[] = [];
  for (const backend of BACKENDS) {
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'uraiden-bench-'));
    const port = await freePort();
    // Poll the chain once a second: the bench measures the proxy, not the sync loop.
    const env = { ...process.env, ...chain.targetEnv({ port, stateDir, confirmations: 1, pollIntervalMs: 1000 }), URAIDEN_SECP: backend };
    // BENCH_SERVER_NODE_ARGS: extra node flags for the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
    const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const child: ChildProcess = spawn(process.execPath, [...nodeArgs, path.join(ROOT, 'bin/uraiden.js'), 'proxy'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    try {
      await waitFor(async () => (await get(port, '/echofix/ready', {})) === 402, 'the proxy');
      // The first proof of each channel, retried until the proxy has synced the channels.
      for (const [i] of channels.entries()) await waitFor(async () => (await get(port, '/echofix/b', proofs[i]![0]!)) === 200, 'the channels');
      const used = channels.map(() => 1);
      const paid = await phase(child.pid!, port, SENDERS, (i) => {
        const headers = proofs[i]![used[i]!++];
        return headers && { path: '/echofix/b', headers, expect: 200 };
      });
      const free = await phase(child.pid!, port, SENDERS, () => ({ path: '/echodyn/', headers: {}, expect: 200 }));
      // Unloaded: one request at a time, what a single client sees (queueing excluded).
      const paid1 = await phase(
        child.pid!,
        port,
        1,
        () => {
          const headers = proofs[0]![used[0]!++];
          return headers && { path: '/echofix/b', headers, expect: 200 };
        },
        UNLOADED_MS,
      );
      const free1 = await phase(child.pid!, port, 1, () => ({ path: '/echodyn/', headers: {}, expect: 200 }), UNLOADED_MS);
      const line = stdout.split('\n').find((l) => l.includes('listening on')) ?? '';
      const actual = /signatures (\w+)/.exec(line)?.[1] ?? '?';
      const floor = await measureFloor(actual, probe, sign(channels[0]!.sender.privateKey, probe), channels[0]!.sender.address);
      rows.push({ backend: actual === backend ? backend : `${backend} (got ${actual})`, paid, free, paid1, free1, floor });
      if (used.some((u, i) => u >= proofs[i]!.length)) console.log(`note: ${backend}: a sender ran out of proofs; raise BENCH_PROOFS`);
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
  const perCpu = (p: Phase) => p.count / p.serverCpu;
  console.log(`\nload average at the end ${os.loadavg()[0]!.toFixed(1)} (above the core count, wall-clock rates understate the server)`);
  console.log(
    '\nbackend | paid req/s | paid p50 ms | paid p99 ms | free req/s | free p50 ms | free p99 ms | paid/free req/s | paid p99 / free p50 | paid req/CPU-s | free req/CPU-s | errors',
  );
  console.log(
    '--------|-----------:|------------:|------------:|-----------:|------------:|------------:|----------------:|--------------------:|---------------:|---------------:|------:',
  );
  for (const { backend, paid, free } of rows) {
    console.log(
      `${backend} | ${f(paid.rps, 0)} | ${f(paid.p50)} | ${f(paid.p99)} | ${f(free.rps, 0)} | ${f(free.p50)} | ${f(free.p99)} | ${f(paid.rps / free.rps)} | ${f(paid.p99 / free.p50, 1)} | ${f(perCpu(paid), 0)} | ${f(perCpu(free), 0)} | ${paid.errors + free.errors}`,
    );
  }
  console.log('\nunloaded (one request at a time)\nbackend | paid p50 ms | paid p99 ms | free p50 ms | free p99 ms | paid p99 / free p50');
  console.log('--------|------------:|------------:|------------:|------------:|--------------------:');
  for (const { backend, paid1, free1 } of rows) {
    console.log(`${backend} | ${f(paid1.p50, 3)} | ${f(paid1.p99, 3)} | ${f(free1.p50, 3)} | ${f(free1.p99, 3)} | ${f(paid1.p99 / free1.p50, 1)}`);
  }
  console.log('\nthe paid path against its floor (CPU per request: one recovery + the hashes + one SQLite commit + one free request)');
  console.log('backend | recover µs | hashes µs | SQLite commit µs | free request µs | floor req/CPU-s | paid req/CPU-s | paid / floor');
  console.log('--------|-----------:|----------:|-----------------:|----------------:|----------------:|---------------:|-------------:');
  for (const { backend, paid, free, floor } of rows) {
    const freeUs = 1e6 / perCpu(free);
    const floorRate = 1e6 / (floor.recoverUs + floor.hashesUs + floor.sqliteUs + freeUs);
    console.log(
      `${backend} | ${f(floor.recoverUs, 1)} | ${f(floor.hashesUs, 1)} | ${f(floor.sqliteUs, 1)} | ${f(freeUs, 1)} | ${f(floorRate, 0)} | ${f(perCpu(paid), 0)} | ${f(perCpu(paid) / floorRate)}`,
    );
  }
  console.log('\ngoals: ≥ 2,000 paid req/s; paid p99 ≤ 5 × free p50');
  for (const { backend, paid, free } of rows) {
    console.log(
      `${backend}: throughput ${paid.rps >= 2000 ? 'meets' : 'misses'} the goal (${f(paid.rps, 0)} req/s; ${f(perCpu(paid), 0)} per server CPU-second); latency ratio ${paid.p99 <= 5 * free.p50 ? 'meets' : 'misses'} the goal (${f(paid.p99 / free.p50, 1)})`,
    );
  }
}

await main();
