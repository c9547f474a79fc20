/**
 * `uraiden client` as a child process (spawned asynchronously: the chain runs in this process and
 * must keep serving while the child talks to it). Checks output, --json, and the exit codes:
 * 0 done, 1 failure, 2 usage, 3 refusal.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encryptKeystoreJson } from 'ethers';
import { startChain, type Chain, type RpcServer } from '../../../src/sim/index.js';
import { createSenderClient } from '../../../src/reference/sender/index.js';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { freePort } from '../../helpers/processes.js';
import { mineWhileWaiting, sleep, startRig, tokenBalance, type Rig } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'uraiden.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function uraiden(args: string[], env: Record<string, string | undefined>): Promise<Run> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['RDN_SENDER_PRIVATE_KEY', 'RDN_RPC_URL', 'RDN_CONTRACT_ADDRESS', 'RDN_SENDER_STORE', 'RDN_KEYSTORE_PASSWORD']) delete childEnv[name];
  for (const [name, value] of Object.entries(env)) if (value !== undefined) childEnv[name] = value;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('uraiden client (CLI, child process)', function () {
  // Each child starts tsx and loads the whole program (a few seconds on a busy 2-core machine).
  this.timeout(300_000);
  let rig: Rig;
  let env: Record<string, string>;
  let key: string;
  let store: string;
  let miner: NodeJS.Timeout | undefined;

  /** Mines a block every 100 ms while a child waits for the receiver's confirmations. */
  const mining = async <T>(fn: () => Promise<T>): Promise<T> => {
    miner = setInterval(() => void rig.chain.mine(1).catch(() => undefined), 100);
    try {
      return await fn();
    } finally {
      clearInterval(miner);
    }
  };

  before(async function () {
    this.timeout(120_000);
    rig = await startRig({ senders: 3 });
    key = rig.chain.accounts.senders[0]!.privateKey;
    store = path.join(rig.dir, 'cli-store.json');
    env = { RDN_RPC_URL: rig.rpc.url, RDN_CONTRACT_ADDRESS: rig.contract, RDN_SENDER_PRIVATE_KEY: key };
  });
  after(async () => {
    clearInterval(miner);
    await rig?.close();
  });

  function expectNoKey(run: Run): void {
    expect(run.stdout + run.stderr).to.not.include(key.slice(2));
    expect((run.stdout + run.stderr).toLowerCase()).to.not.include(key.slice(2).toLowerCase());
  }

  it('get pays a 402 and prints the content (exit 0); the key is never printed', async () => {
    const run = await mining(() => uraiden(['client', 'get', `${rig.url}/echofix/hello`, '--store', store, '--deposit', '40'], env));
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.equal('hello');
    expect(run.stderr).to.match(/paid 5 on channel 0x[0-9a-fA-F]{40}@\d+ \(balance 5 of 40\)/);
    expectNoKey(run);
    const server = rig.manager.channels({ sender: rig.chain.accounts.senders[0]!.address });
    expect(server).to.have.length(1);
    expect(server[0]!.balance).to.equal(5n);
  });

  it('get --json reports status, price paid and the channel; the next run continues on the same channel', async () => {
    const run = await mining(() => uraiden(['client', 'get', `${rig.url}/echodyn/abc`, '--store', store, '--json'], env));
    expect(run.code, run.stderr).to.equal(0);
    const out = JSON.parse(run.stdout) as {
      ok: boolean;
      status: number;
      paid: string;
      body: string;
      channel: { balance: string; deposit: string; open_block: number };
    };
    expect(out).to.include({ ok: true, status: 200, paid: '3', body: 'abc' });
    expect(out.channel).to.include({ balance: '8', deposit: '40' });
    expect(run.stderr).to.equal('');
    expectNoKey(run);
  });

  it('a refusal exits 3 (price above --max-price), in human and --json form', async () => {
    const human = await uraiden(['client', 'get', `${rig.url}/echofix/x`, '--store', store, '--max-price', '4'], env);
    expect(human.code).to.equal(3);
    expect(human.stdout).to.equal('');
    expect(human.stderr).to.match(/refused: .*costs 5, above the cap of 4/);
    const json = await uraiden(['client', 'get', `${rig.url}/echofix/x`, '--store', store, '--max-price', '4', '--json'], env);
    expect(json.code).to.equal(3);
    expect(JSON.parse(json.stdout)).to.include({ ok: false, kind: 'refusal', code: 'PRICE_ABOVE_CAP' });
  });

  it('bad usage exits 2: no URL, a malformed amount, no key', async () => {
    const noUrl = await uraiden(['client', 'get', '--store', store], env);
    expect(noUrl.code).to.equal(2);
    expect(noUrl.stderr).to.include("missing required argument 'url'");
    const badAmount = await uraiden(['client', 'get', `${rig.url}/echofix/x`, '--max-price', '1.5'], env);
    expect(badAmount.code).to.equal(2);
    const noKey = await uraiden(['client', 'channels', '--store', store], { ...env, RDN_SENDER_PRIVATE_KEY: undefined });
    expect(noKey.code).to.equal(2);
    expect(noKey.stderr).to.include('no sender key');
    const badKey = await uraiden(['client', 'channels', '--store', store, '--key', '0x1234'], env);
    expect(badKey.code).to.equal(2);
    expect(badKey.stderr).to.include('not 32 bytes of hex').and.not.include('1234');
  });

  it('a failure exits 1: the chain is unreachable', async () => {
    const run = await uraiden(['client', 'channels', '--store', store, '--rpc-url', 'http://127.0.0.1:9/'], env);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.match(/failed: chain at http:\/\/127\.0\.0\.1:9\//);
    expectNoKey(run);
  });

  it('channels, topup and a cooperative close (key from --keystore)', async () => {
    const sender = rig.chain.accounts.senders[0]!;
    const keystore = path.join(rig.dir, 'key.json');
    const json = await encryptKeystoreJson({ address: sender.address, privateKey: sender.privateKey }, 'pw', { scrypt: { N: 1024 } });
    (await import('node:fs')).writeFileSync(keystore, json, { mode: 0o600 });
    const ksEnv = { RDN_RPC_URL: rig.rpc.url, RDN_CONTRACT_ADDRESS: rig.contract, RDN_KEYSTORE_PASSWORD: 'pw' };

    const list = await uraiden(['client', 'channels', '--store', store, '--keystore', keystore, '--json'], ksEnv);
    expect(list.code, list.stderr).to.equal(0);
    const channels = (JSON.parse(list.stdout) as { channels: { receiver: string; open_block: number; balance: string; status: string }[] }).channels;
    expect(channels).to.have.length(1);
    const ch = channels[0]!;
    expect(ch).to.include({ receiver: rig.receiver, balance: '8', status: 'open' });

    const human = await uraiden(['client', 'channels', '--store', store, '--keystore', keystore], ksEnv);
    expect(human.stdout).to.match(new RegExp(`${rig.receiver}\\s+${ch.open_block}\\s+40\\s+8\\s+open`));

    const topup = await uraiden(['client', 'topup', rig.receiver, String(ch.open_block), '10', '--store', store, '--keystore', keystore], ksEnv);
    expect(topup.code, topup.stderr).to.equal(0);
    expect(topup.stdout).to.include('deposit now 50');

    const before = await tokenBalance(rig.chain, sender.address);
    const close = await uraiden(['client', 'close', rig.receiver, String(ch.open_block), '--store', store, '--keystore', keystore, '--json'], ksEnv);
    expect(close.code, close.stderr).to.equal(0);
    expect(JSON.parse(close.stdout)).to.include({ ok: true, mode: 'cooperative', balance: '8' });
    expect(await tokenBalance(rig.chain, sender.address)).to.equal(before + 42n);

    const again = await uraiden(['client', 'close', rig.receiver, String(ch.open_block), '--store', store, '--keystore', keystore], ksEnv);
    expect(again.code, 'closing a settled channel is a refusal').to.equal(3);
  });

  it('close --uncooperative, settle refused (3) during the challenge period, then settled (0)', async () => {
    const e = { ...env, RDN_SENDER_PRIVATE_KEY: rig.chain.accounts.senders[1]!.privateKey };
    const s2 = path.join(rig.dir, 'cli-store-2.json');
    const get = await mining(() => uraiden(['client', 'get', `${rig.url}/echofix/u`, '--store', s2, '--deposit', '20'], e));
    expect(get.code, get.stderr).to.equal(0);
    const openBlock = String(rig.manager.channels({ sender: rig.chain.accounts.senders[1]!.address })[0]!.openBlock);

    const close = await uraiden(['client', 'close', rig.receiver, openBlock, '--uncooperative', '--store', s2, '--json'], e);
    expect(close.code, close.stderr).to.equal(0);
    const closed = JSON.parse(close.stdout) as { balance: string; settle_block: number };
    expect(closed.balance).to.equal('5');

    const early = await uraiden(['client', 'settle', rig.receiver, openBlock, '--store', s2], e);
    expect(early.code).to.equal(3);
    expect(early.stderr).to.include(`challenge period ends after block ${closed.settle_block}`);

    await rig.chain.mine(rig.chain.challengePeriod);
    const settle = await uraiden(['client', 'settle', rig.receiver, openBlock, '--store', s2], e);
    expect(settle.code, settle.stderr).to.equal(0);
    expect(settle.stdout).to.include('at balance 5 (receiver got 5)');
  });
});

describe('uraiden client against `uraiden proxy` (both child processes, §6 environment)', function () {
  this.timeout(300_000);
  let chain: Chain;
  let rpc: RpcServer;
  let dir: string;
  let proxy: ReturnType<typeof spawn> | undefined;
  let proxyUrl: string;

  before(async function () {
    this.timeout(300_000);
    chain = await startChain({ senders: 2 });
    rpc = await chain.listen();
    dir = mkdtempSync(path.join(os.tmpdir(), 'uraiden-sender-cli-'));
    const port = await freePort();
    const env = { ...process.env, ...chain.targetEnv({ port, stateDir: path.join(dir, 'state'), confirmations: 2, pollIntervalMs: 50 }) };
    proxy = spawn(process.execPath, [BIN, 'proxy'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
    proxyUrl = `http://127.0.0.1:${port}`;
    // Ready when GET /echofix/ready answers (§6), whatever the status.
    const deadline = Date.now() + 120_000;
    for (;;) {
      const res = await fetch(`${proxyUrl}/echofix/ready`).catch(() => undefined);
      if (res) {
        await res.arrayBuffer();
        break;
      }
      if (Date.now() > deadline || proxy.exitCode !== null) throw new Error('uraiden proxy did not become ready');
      await sleep(200);
    }
  });
  after(async () => {
    if (proxy && proxy.exitCode === null) {
      const exited = new Promise((r) => proxy!.once('exit', r));
      proxy.kill('SIGTERM');
      await exited;
    }
    await chain?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the CLI client and an in-process client pay the out-of-process proxy; the balances add up', async () => {
    const sender = chain.accounts.senders[0]!;
    const store = path.join(dir, 'store.json');
    const env = { RDN_RPC_URL: rpc.url, RDN_CONTRACT_ADDRESS: chain.addresses.channels, RDN_SENDER_PRIVATE_KEY: sender.privateKey };
    const miner = setInterval(() => void chain.mine(1).catch(() => undefined), 100);
    let run: Run;
    try {
      run = await uraiden(['client', 'get', `${proxyUrl}/echodyn/interop`, '--store', store, '--deposit', '30', '--json'], env);
    } finally {
      clearInterval(miner);
    }
    expect(run.code, run.stderr).to.equal(0);
    const out = JSON.parse(run.stdout) as { status: number; body: string; paid: string; channel: { open_block: number; balance: string } };
    expect(out).to.include({ status: 200, body: 'interop', paid: '7' });

    // The same sender, same store, in this process: continues on the channel the CLI opened.
    const client = await createSenderClient({
      privateKey: sender.privateKey,
      rpcUrl: rpc.url,
      contract: chain.addresses.channels,
      storePath: store,
      retry: mineWhileWaiting(chain),
    });
    try {
      const res = await client.fetch(`${proxyUrl}/echofix/more`);
      expect(res.status).to.equal(200);
      expect(await res.text()).to.equal('more');
      expect(client.channels({ status: 'open' })).to.have.length(1);
      expect(client.channel(chain.accounts.receiver.address, out.channel.open_block)).to.include({ balance: 12n, deposit: 30n });
      // The proxy's REST API agrees.
      const rest = (await (await fetch(`${proxyUrl}/api/1/channels/${sender.address}/${out.channel.open_block}`)).json()) as { balance: string | number };
      expect(String(rest.balance)).to.equal('12');
    } finally {
      client.close();
    }
  });
});
