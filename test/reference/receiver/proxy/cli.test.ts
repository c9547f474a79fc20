/**
 * `uraiden proxy` as a process, launched exactly as a §6 target is (node bin/uraiden.js proxy with
 * the RDN_* variables): help, usage errors, env launch, flags over env, graceful stop, SIGKILL in
 * the middle of a stream of payments, and the withdraw / close-all commands. Children are spawned
 * asynchronously: ganache runs in this process and must never be blocked.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { HEADER } from '../../../../src/protocol/index.js';
import { startChain, type Chain } from '../../../../src/sim/index.js';
import { freePort } from '../../../helpers/processes.js';
import { type Channel, openChannelUnconfirmed, pay, tempDir, waitFor } from './helpers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const BIN = path.join(ROOT, 'bin/uraiden.js');

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface Child {
  proc: ChildProcess;
  out: { stdout: string; stderr: string };
  exited: Promise<Run>;
}

/** Only the variables a target needs plus PATH/HOME: no RDN_* leaking in from the test's own environment. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG']) if (process.env[k] !== undefined) env[k] = process.env[k]!;
  return env;
}

function start(args: string[], env: Record<string, string> = {}): Child {
  const proc = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...baseEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out.stdout += d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (out.stderr += d));
  // 'close', not 'exit': only then has all of the output been read (an exit can come first).
  const exited = new Promise<Run>((resolve) => proc.on('close', (code, signal) => resolve({ code, signal, ...out })));
  return { proc, out, exited };
}

async function run(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<Run> {
  const child = start(args, env);
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), timeoutMs);
  try {
    return await child.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** §6: ready when GET /echofix/ready answers. */
async function waitReady(url: string, child: Child, timeoutMs = 30_000): Promise<void> {
  await waitFor(
    async () => {
      if (child.proc.exitCode !== null) throw new Error(`proxy exited ${child.proc.exitCode}: ${child.out.stderr}`);
      try {
        await fetch(`${url}/echofix/ready`);
        return true;
      } catch {
        return false;
      }
    },
    `the proxy at ${url}`,
    timeoutMs,
  );
}

async function stopChild(child: Child): Promise<void> {
  if (child.proc.exitCode === null && child.proc.signalCode === null) {
    child.proc.kill('SIGKILL');
    await child.exited;
  }
}

describe('uraiden proxy (CLI)', function () {
  this.timeout(120_000);

  describe('usage', () => {
    it('--help lists every option with its RDN_* variable, and the subcommands; exit 0', async () => {
      const r = await run(['proxy', '--help']);
      expect(r.code).to.equal(0);
      for (const flag of [
        '--port',
        '--host',
        '--gateway-path',
        '--rpc-url',
        '--chain-id',
        '--contract',
        '--token',
        '--private-key',
        '--confirmations',
        '--state-dir',
        '--poll-interval-ms',
        '--eth-floor',
      ]) {
        expect(r.stdout).to.include(flag);
      }
      const flat = r.stdout.replace(/\s+/g, ' ');
      for (const env of [
        'RDN_PORT',
        'RDN_RPC_URL',
        'RDN_CHAIN_ID',
        'RDN_CONTRACT_ADDRESS',
        'RDN_TOKEN_ADDRESS',
        'RDN_RECEIVER_PRIVATE_KEY',
        'RDN_CONFIRMATIONS',
        'RDN_STATE_DIR',
        'RDN_POLL_INTERVAL_MS',
      ]) {
        expect(flat).to.include(`env: ${env}`);
      }
      expect(r.stdout)
        .to.match(/withdraw/)
        .and.match(/close-all/);
      const w = await run(['proxy', 'withdraw', '--help']);
      expect(w.code).to.equal(0);
      expect(w.stdout).to.include('--minimum').and.include('--rpc-url');
      const c = await run(['proxy', 'close-all', '--help']);
      expect(c.code).to.equal(0);
      expect(c.stdout).to.include('--state-dir');
    });

    const KEY = `0x${'ab'.repeat(32)}`;
    const good = {
      RDN_RPC_URL: 'http://127.0.0.1:9',
      RDN_CONTRACT_ADDRESS: `0x${'11'.repeat(20)}`,
      RDN_RECEIVER_PRIVATE_KEY: KEY,
      RDN_STATE_DIR: '/tmp/uraiden-proxy-never-created',
    };
    const bad: [string, string[], Record<string, string>, RegExp][] = [
      ['a non-integer port', ['--port', 'abc'], good, /--port/],
      ['a port out of range', ['--port', '70000'], good, /--port/],
      ['a bad RDN_PORT', [], { ...good, RDN_PORT: '80a' }, /--port/],
      ['negative confirmations', ['--confirmations', '-1'], good, /--confirmations/],
      ['a bad contract address', ['--contract', '0x1234'], good, /--contract/],
      ['a bad RDN_TOKEN_ADDRESS', [], { ...good, RDN_TOKEN_ADDRESS: 'token' }, /--token/],
      ['a non-http RPC URL', ['--rpc-url', 'ftp://x'], good, /--rpc-url/],
      ['a bad ETH floor', ['--eth-floor', '1e18'], good, /--eth-floor/],
      ['an unknown flag', ['--bogus'], good, /unknown option '--bogus'/],
      ['an extra argument', ['extra'], good, /unknown command|too many|extra/],
      ['an empty RDN_RPC_URL', [], { ...good, RDN_RPC_URL: '' }, /--rpc-url/],
      ['no state dir', [], { ...good, RDN_STATE_DIR: '' }, /--state-dir: required/],
      ['no private key', [], { ...good, RDN_RECEIVER_PRIVATE_KEY: '' }, /private key|RDN_RECEIVER_PRIVATE_KEY/],
      ['a malformed private key', [], { ...good, RDN_RECEIVER_PRIVATE_KEY: `${KEY}ff` }, /not a private key/],
    ];
    // Each case is a process start (~3 s, mostly loading the program): run them four at a time up front.
    const results = new Map<string, Promise<Run>>();
    before(async function () {
      this.timeout(180_000);
      const queue = [...bad];
      const worker = async () => {
        for (let c = queue.shift(); c; c = queue.shift()) {
          const [name, args, env] = c;
          const r = run(['proxy', ...args], env);
          results.set(name, r);
          await r;
        }
      };
      await Promise.all([worker(), worker(), worker(), worker()]);
    });
    for (const [name, , , reason] of bad) {
      it(`exits 2 with one line on stderr for ${name}`, async () => {
        const r = await results.get(name)!;
        expect(r.code, r.stderr).to.equal(2);
        expect(r.stderr.trimEnd().split('\n'), r.stderr).to.have.length(1);
        expect(r.stderr).to.match(reason);
        expect(r.stdout + r.stderr).to.not.include(KEY.slice(2));
      });
    }
  });

  describe('with a chain', () => {
    let chain: Chain;
    let stateDir: string;
    const children: Child[] = [];
    const CONF = 1;

    before(async function () {
      this.timeout(120_000);
      chain = await startChain({ senders: 4 });
      await chain.listen();
    });
    beforeEach(async () => {
      stateDir = await tempDir();
    });
    afterEach(async () => {
      await Promise.all(children.splice(0).map(stopChild));
      await rm(stateDir, { recursive: true, force: true });
    });
    after(async () => chain?.close());

    const envFor = (port: number) => chain.targetEnv({ port, stateDir, confirmations: CONF, pollIntervalMs: 50 });
    const launch = async (env: Record<string, string>, args: string[] = []): Promise<{ child: Child; url: string }> => {
      const port = Number(args.includes('--port') ? args[args.indexOf('--port') + 1] : env.RDN_PORT);
      const child = start(['proxy', ...args], env);
      children.push(child);
      const url = `http://127.0.0.1:${port}`;
      await waitReady(url, child);
      return { child, url };
    };
    const ids = () => ({ receiver: chain.accounts.receiver.address, contract: chain.addresses.channels });
    const openConfirmed = async (i: number, deposit: bigint): Promise<Channel> => {
      const c = await openChannelUnconfirmed(chain, chain.accounts.senders[i]!, deposit);
      await chain.mine(CONF);
      return c;
    };
    /** Pays until the proxy has seen the (new) channel: it may still be syncing. */
    const payWhenSeen = async (url: string, c: Channel, balance: bigint, text = 'x'): Promise<Response> => {
      let res: Response | undefined;
      await waitFor(
        async () => {
          res = await fetch(`${url}/echofix/${text}`, { headers: pay(ids(), c, balance) });
          return !(res.status === 402 && (res.headers.get(HEADER.nonexistingChannel) || res.headers.get(HEADER.insufficientConfirmations)));
        },
        'the channel to be seen by the proxy',
        30_000,
      );
      return res!;
    };

    it('launches from the §6 environment alone, serves /echofix and /echodyn, never prints the key', async () => {
      const env = envFor(await freePort());
      const { child, url } = await launch(env);
      const quote = await fetch(`${url}/echofix/ready`);
      expect(quote.status).to.equal(402);
      expect(quote.headers.get(HEADER.price)).to.equal('5');
      expect(quote.headers.get(HEADER.receiver)).to.equal(chain.accounts.receiver.address);
      expect(quote.headers.get(HEADER.contract)).to.equal(chain.addresses.channels);
      expect(quote.headers.get(HEADER.token)).to.equal(chain.addresses.token);
      expect((await fetch(`${url}/echodyn/four`)).headers.get(HEADER.price)).to.equal('4');

      const c = await openConfirmed(0, 1000n);
      const res = await payWhenSeen(url, c, 5n, 'hello');
      expect(res.status).to.equal(200);
      expect(await res.text()).to.equal('hello');
      const stats = (await (await fetch(`${url}/api/1/stats`)).json()) as Record<string, unknown>;
      expect(stats.receiver_address).to.equal(chain.accounts.receiver.address);

      expect(child.out.stdout).to.match(/listening on http:\/\/127\.0\.0\.1:/);
      const key = env.RDN_RECEIVER_PRIVATE_KEY!.slice(2);
      expect(child.out.stdout + child.out.stderr).to.not.include(key);
    });

    it('flags win over the RDN_* variables', async () => {
      const envPort = await freePort();
      const flagPort = await freePort();
      const { url } = await launch(envFor(envPort), ['--port', String(flagPort), '--confirmations', '3']);
      expect(url).to.include(String(flagPort));
      let refused = false;
      await fetch(`http://127.0.0.1:${envPort}/echofix/ready`).catch(() => (refused = true));
      expect(refused, 'nothing listens on RDN_PORT').to.equal(true);
      // --confirmations 3 beat RDN_CONFIRMATIONS=1: a channel with 1 confirmation is not enough.
      const c = await openChannelUnconfirmed(chain, chain.accounts.senders[1]!, 1000n);
      await chain.mine(1);
      let res: Response | undefined;
      await waitFor(
        async () => (res = await fetch(`${url}/echofix/a`, { headers: pay(ids(), c, 5n) })).headers.get(HEADER.insufficientConfirmations) === '1',
        'insufficient confirmations',
        30_000,
      );
      await chain.mine(2);
      await waitFor(async () => (await fetch(`${url}/echofix/a`, { headers: pay(ids(), c, 5n) })).status === 200, 'the channel confirmed', 30_000);
      expect(res!.status).to.equal(402);
    });

    it('refuses (exit 2, one line) a chain id or token that does not match the chain', async () => {
      const env = envFor(await freePort());
      const wrongChain = await run(['proxy'], { ...env, RDN_CHAIN_ID: String(chain.chainId + 1) });
      expect(wrongChain.code).to.equal(2);
      expect(wrongChain.stderr).to.match(/--chain-id: the RPC endpoint serves chain 1337, not 1338/);
      const wrongToken = await run(['proxy', '--token', chain.addresses.delegate], env);
      expect(wrongToken.code).to.equal(2);
      expect(wrongToken.stderr).to.match(/--token: the contract's token is/);
    });

    it('stops gracefully on SIGTERM (exit 0) and keeps every payment across the restart', async () => {
      const env = envFor(await freePort());
      const first = await launch(env);
      const c = await openConfirmed(2, 1000n);
      expect((await payWhenSeen(first.url, c, 5n)).status).to.equal(200);
      expect((await fetch(`${first.url}/echofix/y`, { headers: pay(ids(), c, 10n) })).status).to.equal(200);
      first.child.proc.kill('SIGTERM');
      const r = await first.child.exited;
      expect(r.code).to.equal(0);
      expect(r.stdout)
        .to.match(/SIGTERM, stopping/)
        .and.match(/stopped/);

      const second = await launch(env);
      const ch = (await (await fetch(`${second.url}/api/1/channels/${c.sender.address}/${c.openBlock}`)).json()) as Record<string, unknown>;
      expect(ch.balance).to.equal('10');
      expect((await fetch(`${second.url}/echofix/z`, { headers: pay(ids(), c, 10n) })).status, 'a replay after restart').to.equal(402);
      expect((await fetch(`${second.url}/echofix/z`, { headers: pay(ids(), c, 15n) })).status).to.equal(200);
      second.child.proc.kill('SIGINT');
      expect((await second.child.exited).code).to.equal(0);
    });

    it('after SIGKILL in the middle of a stream of payments from several senders, every acknowledged balance survives and payments continue', async () => {
      const env = envFor(await freePort());
      const first = await launch(env);
      const channels: Channel[] = [];
      for (let i = 0; i < 4; i++) channels.push(await openConfirmed(i, 1_000_000n));
      for (const c of channels) expect((await payWhenSeen(first.url, c, 5n)).status).to.equal(200);

      const acked = channels.map(() => 5n);
      const unexpected: string[] = [];
      let total = 0;
      let dead = false;
      const stream = async (i: number): Promise<void> => {
        const c = channels[i]!;
        while (!dead) {
          const balance = acked[i]! + 5n;
          let res: Response;
          try {
            res = await fetch(`${first.url}/echofix/s${i}`, { headers: pay(ids(), c, balance) });
            // Acknowledged = the client saw the whole 200 reply.
            const body = await res.text();
            if (res.status === 200 && body === `s${i}`) {
              acked[i] = balance;
              total++;
            } else unexpected.push(`${i}: ${res.status} ${body}`);
          } catch {
            return; // the proxy died under us
          }
        }
      };
      const streams = channels.map((_, i) => stream(i));
      await waitFor(() => total >= 80 || unexpected.length > 0, 'a stream of payments', 60_000);
      first.child.proc.kill('SIGKILL');
      dead = true;
      await Promise.all(streams);
      expect((await first.child.exited).signal).to.equal('SIGKILL');
      expect(unexpected).to.deep.equal([]);

      const second = await launch(env);
      for (const [i, c] of channels.entries()) {
        const ch = (await (await fetch(`${second.url}/api/1/channels/${c.sender.address}/${c.openBlock}`)).json()) as { balance: string };
        const registered = BigInt(ch.balance);
        // One request per sender may have been registered without its reply reaching the client.
        expect(registered === acked[i] || registered === acked[i]! + 5n, `sender ${i}: registered ${registered}, acknowledged ${acked[i]}`).to.equal(true);
        // A client that missed that reply resynchronises from the 402 (§3.2 step 8), then pays on.
        let res = await fetch(`${second.url}/echofix/again`, { headers: pay(ids(), c, acked[i]! + 5n) });
        if (registered !== acked[i]) {
          expect(res.status).to.equal(402);
          expect(res.headers.get(HEADER.senderBalance)).to.equal(registered.toString());
          res = await fetch(`${second.url}/echofix/again`, { headers: pay(ids(), c, registered + 5n) });
        }
        expect(res.status).to.equal(200);
      }
    });

    it('`proxy withdraw` and `proxy close-all` run the receiver commands on the state and print what was done', async () => {
      const env = envFor(await freePort());
      const { child, url } = await launch(env);
      const a = await openConfirmed(0, 1000n);
      const b = await openConfirmed(1, 1000n);
      expect((await payWhenSeen(url, a, 5n)).status).to.equal(200);
      expect((await fetch(`${url}/echofix/x`, { headers: pay(ids(), a, 10n) })).status).to.equal(200);
      expect((await payWhenSeen(url, b, 5n)).status).to.equal(200);
      child.proc.kill('SIGTERM');
      expect((await child.exited).code).to.equal(0);

      const before = await chain.token.balanceOf(chain.accounts.receiver.address);
      const w = await run(['proxy', 'withdraw', '--minimum', '6'], env);
      expect(w.code, w.stderr).to.equal(0);
      const withdrawn = JSON.parse(w.stdout.split('\n').find((l) => l.startsWith('{"command":"withdraw"'))!);
      expect(withdrawn.minimum).to.equal('6');
      expect(withdrawn.result).to.have.length(1);
      expect(withdrawn.result[0]).to.include({ sender: a.sender.address, openBlock: a.openBlock, balance: '10', amount: '10' });
      expect(withdrawn.result[0].txHash).to.match(/^0x[0-9a-f]{64}$/);
      expect((await chain.token.balanceOf(chain.accounts.receiver.address)) - before).to.equal(10n);

      const closeAll = await run(['proxy', 'close-all'], env);
      expect(closeAll.code, closeAll.stderr).to.equal(0);
      const closed = JSON.parse(closeAll.stdout.split('\n').find((l) => l.startsWith('{"command":"close-all"'))!);
      const closedKeys = closed.result.closed.map((c: { sender: string; openBlock: number }) => `${c.sender}/${c.openBlock}`);
      expect(closedKeys).to.include.members([`${a.sender.address}/${a.openBlock}`, `${b.sender.address}/${b.openBlock}`]);
      // Settled on chain: the channel is gone from the contract.
      await expectGone(a);
    });

    async function expectGone(c: Channel): Promise<void> {
      let reverted = false;
      await chain.channels.getChannelInfo(c.sender.address, chain.accounts.receiver.address, c.openBlock).catch(() => (reverted = true));
      expect(reverted, 'getChannelInfo reverts for a settled channel').to.equal(true);
    }
  });
});
