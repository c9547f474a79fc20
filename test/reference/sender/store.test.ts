/** The sender's store file: round trip, keying, mode 0600, atomic replacement, crash safety. */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { chmodSync, closeSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { StoreError } from '../../../src/reference/sender/index.js';
import { loadAccount, saveAccount, storeKey, type AccountState } from '../../../src/reference/sender/store.js';

const SENDER = '0x1BD02530B2028caE48E72948AC2C05ab589cDDb7';
const CONTRACT = '0x3216C6e7b75ed61De0D99B858e8cc348e82163eD';
const RECEIVER = '0xd4e82333911dCbde0c30D5e44a1250FA913c6A6D';

function state(balance: bigint): AccountState {
  return {
    syncedBlock: 42,
    channels: [
      {
        receiver: RECEIVER,
        openBlock: 13,
        deposit: 2n ** 150n, // beyond 2^53: stored as a decimal string
        balance,
        signature: `0x${'11'.repeat(65)}`,
        withdrawn: 3n,
        status: 'closing',
        settleBlock: 600,
        closingBalance: 7n,
        gateway: 'http://127.0.0.1:8080/api/1',
      },
    ],
  };
}

describe('sender store', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'uraiden-store-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips every field, amounts beyond 2^53 exactly', () => {
    const file = path.join(dir, 'store.json');
    const key = storeKey(1337, CONTRACT, SENDER);
    saveAccount(file, key, state(2n ** 100n));
    expect(loadAccount(file, key)).to.deep.equal(state(2n ** 100n));
    expect(readFileSync(file, 'utf8')).to.include(`"${2n ** 150n}"`);
  });

  it('is keyed by chain id, contract and sender: entries never clobber each other', () => {
    const file = path.join(dir, 'store.json');
    const k1 = storeKey(1337, CONTRACT, SENDER);
    const k2 = storeKey(1, CONTRACT, SENDER);
    const k3 = storeKey(1337, RECEIVER, SENDER);
    expect(storeKey(1337, CONTRACT.toLowerCase(), SENDER.toLowerCase()), 'addresses in any case name one entry').to.equal(k1);
    saveAccount(file, k1, state(1n));
    saveAccount(file, k2, state(2n));
    expect(loadAccount(file, k1).channels[0]!.balance).to.equal(1n);
    expect(loadAccount(file, k2).channels[0]!.balance).to.equal(2n);
    expect(loadAccount(file, k3)).to.deep.equal({ syncedBlock: -1, channels: [] });
  });

  it('creates the file with mode 0600 (and its directory 0700), whatever the umask and the old file’s mode', () => {
    const file = path.join(dir, 'nested', 'deeper', 'store.json');
    const key = storeKey(1337, CONTRACT, SENDER);
    const old = process.umask(0);
    try {
      saveAccount(file, key, state(1n));
      expect(statSync(file).mode & 0o777).to.equal(0o600);
      expect(statSync(path.dirname(file)).mode & 0o777).to.equal(0o700);
      chmodSync(file, 0o644);
      saveAccount(file, key, state(2n));
      expect(statSync(file).mode & 0o777).to.equal(0o600);
    } finally {
      process.umask(old);
    }
  });

  it('replaces the file atomically: a reader of the old file sees it whole, no temporary file is left', () => {
    const file = path.join(dir, 'store.json');
    const key = storeKey(1337, CONTRACT, SENDER);
    saveAccount(file, key, state(1n));
    const oldText = readFileSync(file, 'utf8');
    const oldInode = statSync(file).ino;
    const fd = openSync(file, 'r');
    try {
      saveAccount(file, key, state(2n));
      // rename(2), not an in-place rewrite: the open descriptor still holds the complete old file.
      const buf = Buffer.alloc(oldText.length + 100);
      const n = readSync(fd, buf, 0, buf.length, 0);
      expect(buf.subarray(0, n).toString('utf8')).to.equal(oldText);
    } finally {
      closeSync(fd);
    }
    expect(statSync(file).ino).to.not.equal(oldInode);
    expect(loadAccount(file, key).channels[0]!.balance).to.equal(2n);
    expect(readdirSync(dir)).to.deep.equal(['store.json']);
  });

  it('refuses a file it cannot parse with StoreError and never overwrites it', () => {
    const file = path.join(dir, 'store.json');
    const key = storeKey(1337, CONTRACT, SENDER);
    writeFileSync(file, '{"format": "uraiden-sender-store/1", "accounts": {', { mode: 0o600 });
    expect(() => loadAccount(file, key))
      .to.throw(StoreError)
      .with.property('path', file);
    expect(() => saveAccount(file, key, state(1n))).to.throw(StoreError);
    expect(readFileSync(file, 'utf8')).to.equal('{"format": "uraiden-sender-store/1", "accounts": {');
    writeFileSync(file, '{"something": "else"}');
    expect(() => loadAccount(file, key)).to.throw(StoreError, /not a uraiden-sender-store\/1 file/);
  });

  it('survives a writer killed mid-write (SIGKILL): the file always parses, to the old or the new state', async function () {
    this.timeout(60_000);
    const file = path.join(dir, 'store.json');
    const key = storeKey(1337, CONTRACT, SENDER);
    const writer = fileURLToPath(new URL('./fixtures/store-writer.ts', import.meta.url));
    let last = 0;
    for (let round = 0; round < 5; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', writer, file, key, String(last + 1)], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        child.stdout.once('data', () => resolve());
        child.once('exit', (code) => reject(new Error(`writer exited early (${code})`)));
      });
      await new Promise((r) => setTimeout(r, 20 + 37 * round));
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
      const loaded = loadAccount(file, key); // throws StoreError on a torn file
      expect(loaded.channels).to.have.length(2000);
      // This round's writer started at last + 1 and said "ready" after its first save.
      expect(loaded.syncedBlock).to.be.greaterThan(last);
      last = loaded.syncedBlock;
      expect(statSync(file).mode & 0o777).to.equal(0o600);
    }
    expect(last, 'the writers made progress').to.be.at.least(5);
  });
});
