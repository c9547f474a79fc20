/**
 * The kit's receiver and sender on a second node implementation: anvil with a block a second, as
 * a user runs them — `uraiden deploy`, `uraiden proxy` and `uraiden client` as child processes.
 * Open, pay, top up, close cooperatively; then pay on a new channel and close it uncooperatively
 * with a stale balance, which the receiver disputes. Exact final token balances on chain.
 */
import { expect } from 'chai';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Contract, JsonRpcProvider, Wallet } from 'ethers';
import { CHANNELS_ABI, TOKEN_ABI } from '../../src/protocol/index.js';
import { ANVIL_KEYS, type Anvil, BIN, freePort, startAnvil, uraiden } from '../helpers/processes.js';

const SENDER_KEY = ANVIL_KEYS[1]!;
const RECEIVER_KEY = ANVIL_KEYS[2]!;
const FUNDS = 1_000_000n;

describe('journeys on anvil (--block-time 1): deploy, proxy, client', function () {
  this.timeout(300_000);
  let anvil: Anvil;
  let dir: string;
  let proxy: ChildProcess | undefined;
  let provider: JsonRpcProvider;
  let env: NodeJS.ProcessEnv;
  let url: string;
  const sender = new Wallet(SENDER_KEY).address;
  const receiver = new Wallet(RECEIVER_KEY).address;

  before(async function () {
    this.timeout(120_000);
    anvil = await startAnvil({ blockTime: 1 });
    provider = new JsonRpcProvider(anvil.url, undefined, { cacheTimeout: -1 });
    dir = await mkdtemp(path.join(os.tmpdir(), 'uraiden-anvil-'));
    const deployed = await uraiden(['deploy', '--rpc-url', anvil.url, '--fund', `${sender}=${FUNDS}`, '--print-env'], {
      RDN_DEPLOYER_PRIVATE_KEY: ANVIL_KEYS[0],
    });
    expect(deployed.code, deployed.stderr).to.equal(0);
    const vars = Object.fromEntries([...deployed.stdout.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    env = {
      ...vars,
      RDN_RECEIVER_PRIVATE_KEY: RECEIVER_KEY,
      RDN_STATE_DIR: path.join(dir, 'receiver'),
      RDN_PORT: String(port),
      RDN_CONFIRMATIONS: '2',
      RDN_POLL_INTERVAL_MS: '200',
      RDN_SENDER_PRIVATE_KEY: SENDER_KEY,
      RDN_SENDER_STORE: path.join(dir, 'sender.json'),
    };
    proxy = spawn(process.execPath, [BIN, 'proxy'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      let out = '';
      proxy!.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('listening on')) resolve();
      });
      proxy!.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      proxy!.once('exit', (code) => reject(new Error(`the proxy exited (${code}): ${out}`)));
    });
  });

  after(async () => {
    if (proxy && proxy.exitCode === null) {
      proxy.kill('SIGTERM');
      await new Promise((r) => proxy!.once('exit', r));
    }
    provider?.destroy();
    await anvil?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const client = async (args: string[]) => {
    const r = await uraiden(['client', ...args, '--json'], env);
    expect(r.code, `client ${args.join(' ')}: ${r.stdout} ${r.stderr}`).to.equal(0);
    return JSON.parse(r.stdout) as { body?: string; paid?: string; channel?: { open_block: number; deposit: string; balance: string; status: string } };
  };
  const tokens = (address: string) => new Contract(env.RDN_TOKEN_ADDRESS!, TOKEN_ABI, provider).getFunction('balanceOf')(address) as Promise<bigint>;

  it('opens (10), pays three times at price 5 with a top-up (10) in between, closes cooperatively', async () => {
    const first = await client(['get', `${url}/echofix/one`, '--max-price', '5', '--deposit', '10', '--topup', '10']);
    expect(first).to.deep.include({ body: 'one', paid: '5' });
    expect(first.channel).to.include({ deposit: '10', balance: '5', status: 'open' });
    const second = await client(['get', `${url}/echofix/two`, '--max-price', '5', '--deposit', '10', '--topup', '10']);
    expect(second.channel).to.include({ deposit: '10', balance: '10' });
    const third = await client(['get', `${url}/echofix/three`, '--max-price', '5', '--deposit', '10', '--topup', '10']);
    expect(third.channel).to.include({ open_block: first.channel!.open_block, deposit: '20', balance: '15' });
    const closed = (await client(['close', receiver, String(first.channel!.open_block)])) as unknown as { mode: string; balance: string };
    expect(closed).to.include({ mode: 'cooperative', balance: '15' });
    expect(await tokens(receiver)).to.equal(15n);
    expect(await tokens(sender)).to.equal(FUNDS - 15n);
  });

  it('a stale uncooperative close is disputed by the receiver, who gets the whole registered balance', async () => {
    const a = await client(['get', `${url}/echofix/four`, '--max-price', '5', '--deposit', '10']);
    const b = await client(['get', `${url}/echofix/five`, '--max-price', '5', '--deposit', '10']);
    const openBlock = a.channel!.open_block;
    expect(b.channel).to.include({ open_block: openBlock, balance: '10', deposit: '10' });
    const request = (await client(['close', receiver, String(openBlock), '--uncooperative', '--balance', '5'])) as unknown as { mode: string; balance: string };
    expect(request).to.include({ mode: 'uncooperative', balance: '5' });
    // The receiver sees the close request once it has 2 confirmations and answers it with
    // cooperativeClose at the registered 10, long before the 500-block challenge period ends.
    const channels = new Contract(env.RDN_CONTRACT_ADDRESS!, CHANNELS_ABI, provider);
    const deadline = Date.now() + 60_000;
    while ((await tokens(receiver)) !== 25n) {
      if (Date.now() > deadline) throw new Error(`no dispute: the receiver holds ${await tokens(receiver)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    await channels
      .getFunction('getChannelInfo')(sender, receiver, openBlock)
      .then(
        () => expect.fail('the channel still exists after the dispute'),
        () => undefined,
      );
    expect(await tokens(receiver)).to.equal(25n);
    expect(await tokens(sender)).to.equal(FUNDS - 25n);
    expect(await tokens(env.RDN_CONTRACT_ADDRESS!)).to.equal(0n);
  });
});
