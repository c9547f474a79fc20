/**
 * The state file (§4): durable proofs across restarts (also after SIGKILL), one process per state,
 * refusal of a state of another chain, contract or receiver, and file mode 0600.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { deployContracts } from '../../../src/contracts/deploy.js';
import { StateLockedError, StateMismatchError, type Receiver } from '../../../src/reference/receiver/index.js';
import { openState } from '../../../src/reference/receiver/manager/state.js';
import type { RpcServer } from '../../../src/sim/rpc-server.js';
import type { Address } from '../../../src/protocol/index.js';
import { openChannel, payment, receiverOn, senderClosingSig, tempDir, topUp, useChain } from './helpers.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'child.ts');

interface Child {
  proc: ChildProcess;
  next(): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

/** Spawns child.ts asynchronously (never execFileSync: ganache runs in this process). */
function startChild(config: object): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr += String(d)));
  readline.createInterface({ input: proc.stdout! }).on('line', (line) => {
    const w = waiters.shift();
    if (w) w(line);
    else lines.push(line);
  });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return {
    proc,
    exited,
    next: () =>
      new Promise((resolve, reject) => {
        const line = lines.shift();
        if (line !== undefined) return resolve(JSON.parse(line));
        const timer = setTimeout(() => reject(new Error(`child said nothing; stderr: ${stderr}`)), 30_000);
        void exited.then(() => setTimeout(() => reject(new Error(`child exited; stderr: ${stderr}`)), 200));
        waiters.push((l) => {
          clearTimeout(timer);
          resolve(JSON.parse(l));
        });
      }),
  };
}

describe('receiver state file — §4 persistence, exclusivity, identity', function () {
  this.timeout(90_000);
  const chain = useChain();
  let server: RpcServer;
  let r: (Receiver & { logs: string[] }) | undefined;
  before(async () => {
    server = await chain().listen();
  });
  after(async () => {
    await server.close();
  });
  afterEach(async () => {
    await r?.stop();
    r = undefined;
  });

  const childConfig = (stateFile: string, extra: object = {}) => ({
    rpcUrl: server.url,
    receiverPrivateKey: chain().accounts.receiver.privateKey,
    contract: chain().addresses.channels,
    stateFile,
    confirmations: 2,
    ...extra,
  });

  it('§4: the state file (and its WAL) is created with mode 0600', async () => {
    const stateFile = path.join(tempDir(), 'state.sqlite');
    r = await receiverOn(chain(), { stateFile });
    const files = fs.readdirSync(path.dirname(stateFile));
    expect(files).to.include.members(['state.sqlite', 'state.sqlite-wal']);
    for (const f of files) expect(fs.statSync(path.join(path.dirname(stateFile), f)).mode & 0o777, f).to.equal(0o600);
  });

  it('§4: after stop and restart nothing registered is lost, events are not applied twice, syncing resumes', async () => {
    const c = chain();
    const stateFile = path.join(tempDir(), 'state.sqlite');
    const [a, b] = [c.accounts.senders[0]!, c.accounts.senders[1]!];
    const startBlock = (await c.blockNumber()) + 1;
    r = await receiverOn(c, { stateFile, startBlock });
    const openA = await openChannel(c, a, 100n);
    const openB = await openChannel(c, b, 100n);
    await c.mine(2);
    await r.syncOnce();
    expect(r.pay(payment(c, a, openA, 10n), 10n)).to.include({ accepted: true });
    const last = payment(c, a, openA, 20n);
    expect(r.pay(last, 10n)).to.include({ accepted: true });
    expect(r.pay(payment(c, b, openB, 5n), 5n)).to.include({ accepted: true });
    expect(r.cooperativeClose(b.address, openB, 5n, senderClosingSig(c, b, openB, 5n))).to.include({ ok: true });
    const confirmedBlock = r.stats().confirmedBlock;
    await r.stop();

    // While it is down: a top-up and more blocks.
    await topUp(c, a, openA, 30n);
    await c.mine(3);

    r = await receiverOn(c, { stateFile });
    expect(r.channel(a.address, openA)).to.deep.include({ deposit: 130n, balance: 20n, lastSignature: last.signature, state: 'open' });
    expect(r.channel(b.address, openB)).to.deep.include({ deposit: 100n, balance: 5n, state: 'closing' });
    expect(r.stats().confirmedBlock).to.be.greaterThan(confirmedBlock);
    expect(r.stats().syncBlock, '§5 sync_block: the start block, kept in the state').to.equal(startBlock);
    expect(r.pay(last, 10n), 'replay after restart').to.include({ flag: 'RDN-Invalid-Amount' });
    expect(r.pay(payment(c, a, openA, 30n), 10n)).to.include({ accepted: true });
    expect(r.pay(payment(c, b, openB, 10n), 5n)).to.include({ flag: 'RDN-Nonexisting-Channel' });

    // A stopped manager serves nothing and says so.
    await r.stop();
    expect(r.health()).to.deep.include({ ok: false, reason: 'chain-unreachable' });
    expect(r.pay(payment(c, a, openA, 40n), 10n)).to.include({ accepted: false });
  });

  it('§4: a payment acknowledged by a process killed with SIGKILL is there after restart (the lock goes with the process)', async () => {
    const c = chain();
    const stateFile = path.join(tempDir(), 'state.sqlite');
    const sender = c.accounts.senders[2]!;
    const openBlock = await openChannel(c, sender, 100n);
    await c.mine(2);
    const p = payment(c, sender, openBlock, 42n);
    const child = startChild(childConfig(stateFile, { payment: { sender: p.sender, openBlock, balance: '42', signature: p.signature, price: '42' } }));
    try {
      expect(await child.next()).to.include({ opened: true });
      expect(await child.next()).to.deep.equal({ accepted: true });
    } finally {
      child.proc.kill('SIGKILL');
    }
    expect(await child.exited).to.equal(null);
    r = await receiverOn(c, { stateFile });
    expect(r.channel(sender.address, openBlock)).to.deep.include({ balance: 42n, lastSignature: p.signature });
    expect(r.pay(p, 42n)).to.include({ flag: 'RDN-Invalid-Amount' });
  });

  it('§4: a second process on the same state refuses to start with StateLockedError; after stop it can', async () => {
    const stateFile = path.join(tempDir(), 'state.sqlite');
    r = await receiverOn(chain(), { stateFile, provider: undefined, rpcUrl: server.url });
    const second = startChild(childConfig(stateFile));
    const said = await second.next();
    expect(said).to.include({ error: 'STATE_LOCKED' });
    expect(String(said['message'])).to.contain(stateFile);
    expect(await second.exited).to.equal(3);
    // The holder is unaffected.
    expect(r.health()).to.deep.equal({ ok: true });
    await r.stop();
    r = undefined;
    const third = startChild(childConfig(stateFile));
    try {
      expect(await third.next()).to.include({ opened: true });
    } finally {
      third.proc.kill('SIGTERM');
      await third.exited;
    }
  });

  it('§4: in one process too, a second manager on an open state is refused', async () => {
    const stateFile = path.join(tempDir(), 'state.sqlite');
    r = await receiverOn(chain(), { stateFile });
    let error: unknown;
    try {
      await receiverOn(chain(), { stateFile });
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(StateLockedError);
  });

  it('§4: a state of another receiver or contract is refused with StateMismatchError naming both values', async () => {
    const c = chain();
    const stateFile = path.join(tempDir(), 'state.sqlite');
    r = await receiverOn(c, { stateFile });
    await r.stop();
    r = undefined;

    const refused = async (overrides: Parameters<typeof receiverOn>[1]): Promise<StateMismatchError> => {
      try {
        r = await receiverOn(c, { stateFile, ...overrides });
      } catch (err) {
        expect(err).to.be.instanceOf(StateMismatchError);
        return err as StateMismatchError;
      }
      throw new Error('not refused');
    };
    const byReceiver = await refused({ receiverPrivateKey: c.accounts.thirdParty.privateKey });
    expect(byReceiver).to.include({ field: 'receiver', stateValue: c.accounts.receiver.address, actualValue: c.accounts.thirdParty.address });
    expect(byReceiver.message).to.contain(c.accounts.receiver.address).and.contain(c.accounts.thirdParty.address);

    const other = await deployContracts(c.accounts.deployer.wallet, { challengePeriod: 500 });
    const otherAddress = (await other.channels.getAddress()) as Address;
    const byContract = await refused({ contract: otherAddress });
    expect(byContract).to.include({ field: 'contract', stateValue: c.addresses.channels, actualValue: otherAddress });
    expect(byContract.message).to.contain(c.addresses.channels).and.contain(otherAddress);

    // The original identity still opens it.
    r = await receiverOn(c, { stateFile });
  });

  it('§4: a state of another chain is refused with StateMismatchError naming both chain ids', () => {
    const c = chain();
    const stateFile = path.join(tempDir(), 'state.sqlite');
    const identity = { chainId: c.chainId, contract: c.addresses.channels, receiver: c.accounts.receiver.address };
    openState({ path: stateFile, identity, synchronous: 'FULL', startBlock: 0 }).close();
    let error: unknown;
    try {
      openState({ path: stateFile, identity: { ...identity, chainId: 4242 }, synchronous: 'NORMAL', startBlock: 0 });
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(StateMismatchError);
    expect(error).to.include({ field: 'chainId', stateValue: String(c.chainId), actualValue: '4242' });
    expect((error as Error).message)
      .to.contain(String(c.chainId))
      .and.contain('4242');
  });
});
