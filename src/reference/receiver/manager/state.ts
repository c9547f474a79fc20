/**
 * The durable half of the manager: one SQLite file (better-sqlite3, WAL) holding metadata, the
 * sync head with recent block hashes, the chain-derived channel rows, the registered proofs and the
 * receiver's own closing actions. Amounts are decimal TEXT: they exceed SQLite's 64-bit integers.
 *
 * Durability: a proof is written in its own autocommit transaction before pay() returns. With
 * `synchronous = NORMAL` (the default) a WAL commit survives a killed process (the OS has the
 * pages) but not a power cut; `FULL` fsyncs every commit and survives that too, at a large cost in
 * payments per second on a real disk.
 *
 * Exclusivity: `locking_mode = EXCLUSIVE` plus an immediate write transaction at open means the
 * process holds the file lock for its lifetime. A second manager on the same file gets SQLITE_BUSY
 * and refuses to start; a killed process's lock is released by the OS, so restart after SIGKILL works.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';
import { channelKey, toChecksumAddress, type Address, type Hex } from '../../../protocol/index.js';
import { StateLockedError, StateMismatchError, StateSchemaError } from './errors.js';
import type { ChainChannel, ChannelKey, CloseRecord, Dispute, Proof } from './model.js';

export const SCHEMA_VERSION = '1';
/** How many recent confirmed block hashes are kept (to measure how deep a reorg went). */
const RECENT_HASHES = 256;

export interface StateIdentity {
  chainId: number;
  contract: Address;
  receiver: Address;
}

export interface StateOptions {
  path: string;
  identity: StateIdentity;
  synchronous: 'NORMAL' | 'FULL';
  /** the first block to sync from, recorded on creation (a re-sync starts there again) */
  startBlock: number;
  /** how long to wait for another process's lock before refusing; short, a lock is never brief */
  busyTimeoutMs?: number;
}

export interface SyncHead {
  /** every event up to and including this block has been applied */
  block: number;
  hash: string | null;
}

export interface StateStore {
  readonly path: string;
  readonly startBlock: number;
  head(): SyncHead;
  recentHashes(): { number: number; hash: string }[];
  loadChannels(): Map<ChannelKey, ChainChannel>;
  loadProofs(): Map<ChannelKey, Proof>;
  loadCloses(): Map<ChannelKey, CloseRecord>;
  /** The hot path: one statement, one autocommit transaction, durable when it returns. */
  saveProof(sender: Address, openBlock: number, proof: Proof): void;
  /** Confirmed events applied up to `head`: the touched channels and the new head, atomically. */
  commitConfirmed(touched: ChainChannel[], head: { number: number; hash: string }): void;
  /** After a deep reorg: all chain-derived rows replaced; proofs and close records kept. */
  replaceChain(all: Iterable<ChainChannel>, head: { number: number; hash: string } | null): void;
  saveClose(sender: Address, openBlock: number, record: CloseRecord): void;
  close(): void;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sync_head (id INTEGER PRIMARY KEY CHECK (id = 1), block INTEGER NOT NULL, hash TEXT);
CREATE TABLE IF NOT EXISTS recent_blocks (number INTEGER PRIMARY KEY, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS channels (
  sender TEXT NOT NULL, open_block INTEGER NOT NULL,
  deposit TEXT NOT NULL, withdrawn TEXT NOT NULL,
  close_balance TEXT, close_block INTEGER, settle_block INTEGER,
  settled_balance TEXT, settled_receiver_tokens TEXT, settled_block INTEGER,
  PRIMARY KEY (sender, open_block));
CREATE TABLE IF NOT EXISTS proofs (
  sender TEXT NOT NULL, open_block INTEGER NOT NULL,
  balance TEXT NOT NULL, signature TEXT NOT NULL, updated_ms INTEGER NOT NULL,
  PRIMARY KEY (sender, open_block));
CREATE TABLE IF NOT EXISTS closes (
  sender TEXT NOT NULL, open_block INTEGER NOT NULL,
  closing_signature TEXT, closing_balance TEXT,
  dispute_balance TEXT, dispute_tx TEXT, dispute_raw TEXT, dispute_nonce INTEGER,
  dispute_status TEXT, dispute_attempts INTEGER, dispute_error TEXT,
  PRIMARY KEY (sender, open_block));
`;

interface ChannelRow {
  sender: string;
  open_block: number;
  deposit: string;
  withdrawn: string;
  close_balance: string | null;
  close_block: number | null;
  settle_block: number | null;
  settled_balance: string | null;
  settled_receiver_tokens: string | null;
  settled_block: number | null;
}
interface ProofRow {
  sender: string;
  open_block: number;
  balance: string;
  signature: string;
}
interface CloseRow {
  sender: string;
  open_block: number;
  closing_signature: string | null;
  closing_balance: string | null;
  dispute_balance: string | null;
  dispute_tx: string | null;
  dispute_raw: string | null;
  dispute_nonce: number | null;
  dispute_status: string | null;
  dispute_attempts: number | null;
  dispute_error: string | null;
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || code === 'SQLITE_BUSY_RECOVERY';
}

/** Creates the file with mode 0600 first: it holds signatures worth money. */
function createPrivateFile(path: string): void {
  try {
    const fd = fs.openSync(path, 'wx', 0o600);
    fs.closeSync(fd);
    fs.chmodSync(path, 0o600); // the umask may have removed bits, never added; be explicit anyway
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

// Loaded when a state is opened, not when the package is imported: only a running receiver needs
// the native SQLite.
const sqlite = (): typeof Database => createRequire(import.meta.url)('better-sqlite3') as typeof Database;

export function openState(options: StateOptions): StateStore {
  const { path, identity } = options;
  createPrivateFile(path);
  const Sqlite = sqlite();
  const db = new Sqlite(path, { timeout: options.busyTimeoutMs ?? 200 });
  try {
    // EXCLUSIVE before WAL: the WAL index then lives in heap memory and the lock, once taken by
    // the write below, is held until close().
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    db.exec('BEGIN IMMEDIATE; COMMIT;');
  } catch (err) {
    db.close();
    if (isBusy(err)) throw new StateLockedError(path, { cause: err });
    throw err;
  }
  try {
    db.pragma(`synchronous = ${options.synchronous}`);
    db.exec(SCHEMA);
    checkIdentity(db, path, identity, options.startBlock);
  } catch (err) {
    db.close();
    throw err;
  }
  return storeOn(db, path, identity);
}

function checkIdentity(db: Database.Database, path: string, id: StateIdentity, startBlock: number): void {
  const get = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
  const version = get.get('schema_version')?.value;
  if (version === undefined) {
    const put = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
    db.transaction(() => {
      put.run('schema_version', SCHEMA_VERSION);
      put.run('chain_id', String(id.chainId));
      put.run('contract', id.contract);
      put.run('receiver', id.receiver);
      put.run('start_block', String(startBlock));
      db.prepare('INSERT INTO sync_head (id, block, hash) VALUES (1, ?, NULL)').run(startBlock - 1);
    })();
    return;
  }
  if (version !== SCHEMA_VERSION) throw new StateSchemaError(path, version);
  const chainId = get.get('chain_id')?.value ?? '';
  if (chainId !== String(id.chainId)) throw new StateMismatchError(path, 'chainId', chainId, String(id.chainId));
  const contract = get.get('contract')?.value ?? '';
  if (contract.toLowerCase() !== id.contract.toLowerCase()) throw new StateMismatchError(path, 'contract', contract, id.contract);
  const receiver = get.get('receiver')?.value ?? '';
  if (receiver.toLowerCase() !== id.receiver.toLowerCase()) throw new StateMismatchError(path, 'receiver', receiver, id.receiver);
}

function storeOn(db: Database.Database, path: string, identity: StateIdentity): StateStore {
  const startBlock = Number(db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'start_block'").get()!.value);
  const upsertProof = db.prepare(
    `INSERT INTO proofs (sender, open_block, balance, signature, updated_ms) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (sender, open_block) DO UPDATE SET
       balance = excluded.balance, signature = excluded.signature, updated_ms = excluded.updated_ms`,
  );
  const upsertChannel = db.prepare(
    `INSERT OR REPLACE INTO channels (sender, open_block, deposit, withdrawn, close_balance, close_block, settle_block,
       settled_balance, settled_receiver_tokens, settled_block) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const setHead = db.prepare('UPDATE sync_head SET block = ?, hash = ? WHERE id = 1');
  const addHash = db.prepare('INSERT OR REPLACE INTO recent_blocks (number, hash) VALUES (?, ?)');
  const pruneHashes = db.prepare('DELETE FROM recent_blocks WHERE number <= ?');
  const upsertClose = db.prepare(
    `INSERT OR REPLACE INTO closes (sender, open_block, closing_signature, closing_balance, dispute_balance, dispute_tx,
       dispute_raw, dispute_nonce, dispute_status, dispute_attempts, dispute_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );

  const writeChannel = (c: ChainChannel): void => {
    upsertChannel.run(
      c.sender,
      c.openBlock,
      c.deposit.toString(),
      c.withdrawn.toString(),
      c.closeRequest?.balance.toString() ?? null,
      c.closeRequest?.block ?? null,
      c.closeRequest?.settleBlock ?? null,
      c.settled?.balance.toString() ?? null,
      c.settled?.receiverTokens.toString() ?? null,
      c.settled?.block ?? null,
    );
  };
  const writeHead = (head: { number: number; hash: string } | null): void => {
    if (!head) {
      setHead.run(startBlock - 1, null);
      return;
    }
    setHead.run(head.number, head.hash);
    addHash.run(head.number, head.hash);
    pruneHashes.run(head.number - RECENT_HASHES);
  };
  const commitConfirmed = db.transaction((touched: ChainChannel[], head: { number: number; hash: string }) => {
    for (const c of touched) writeChannel(c);
    writeHead(head);
  });
  const replaceChain = db.transaction((all: Iterable<ChainChannel>, head: { number: number; hash: string } | null) => {
    db.exec('DELETE FROM channels; DELETE FROM recent_blocks;');
    for (const c of all) writeChannel(c);
    writeHead(head);
  });

  return {
    path,
    startBlock,
    head() {
      const row = db.prepare<[], { block: number; hash: string | null }>('SELECT block, hash FROM sync_head WHERE id = 1').get()!;
      return { block: row.block, hash: row.hash };
    },
    recentHashes() {
      return db.prepare<[], { number: number; hash: string }>('SELECT number, hash FROM recent_blocks ORDER BY number DESC').all();
    },
    loadChannels() {
      const out = new Map<ChannelKey, ChainChannel>();
      for (const r of db.prepare<[], ChannelRow>('SELECT * FROM channels').all()) {
        const c: ChainChannel = {
          sender: toChecksumAddress(r.sender),
          openBlock: r.open_block,
          deposit: BigInt(r.deposit),
          withdrawn: BigInt(r.withdrawn),
        };
        if (r.close_balance !== null) {
          c.closeRequest = { balance: BigInt(r.close_balance), block: r.close_block!, settleBlock: r.settle_block! };
        }
        if (r.settled_balance !== null) {
          c.settled = { balance: BigInt(r.settled_balance), receiverTokens: BigInt(r.settled_receiver_tokens ?? '0'), block: r.settled_block! };
        }
        out.set(channelKey(c.sender, identity.receiver, c.openBlock), c);
      }
      return out;
    },
    loadProofs() {
      const out = new Map<ChannelKey, Proof>();
      for (const r of db.prepare<[], ProofRow>('SELECT sender, open_block, balance, signature FROM proofs').all()) {
        out.set(channelKey(r.sender, identity.receiver, r.open_block), { balance: BigInt(r.balance), signature: r.signature as Hex });
      }
      return out;
    },
    loadCloses() {
      const out = new Map<ChannelKey, CloseRecord>();
      for (const r of db.prepare<[], CloseRow>('SELECT * FROM closes').all()) {
        const rec: CloseRecord = {};
        if (r.closing_signature !== null) {
          rec.closingSignature = r.closing_signature as Hex;
          rec.closingBalance = BigInt(r.closing_balance ?? '0');
        }
        if (r.dispute_tx !== null) {
          const d: Dispute = {
            balance: BigInt(r.dispute_balance ?? '0'),
            txHash: r.dispute_tx as Hex,
            rawTx: (r.dispute_raw ?? '0x') as Hex,
            nonce: r.dispute_nonce ?? 0,
            status: (r.dispute_status ?? 'sent') as Dispute['status'],
            attempts: r.dispute_attempts ?? 1,
          };
          if (r.dispute_error !== null) d.error = r.dispute_error;
          rec.dispute = d;
        }
        out.set(channelKey(r.sender, identity.receiver, r.open_block), rec);
      }
      return out;
    },
    saveProof(sender, openBlock, proof) {
      upsertProof.run(sender, openBlock, proof.balance.toString(), proof.signature, Date.now());
    },
    commitConfirmed(touched, head) {
      commitConfirmed(touched, head);
    },
    replaceChain(all, head) {
      replaceChain(all, head);
    },
    saveClose(sender, openBlock, rec) {
      const d = rec.dispute;
      upsertClose.run(
        sender,
        openBlock,
        rec.closingSignature ?? null,
        rec.closingBalance?.toString() ?? null,
        d?.balance.toString() ?? null,
        d?.txHash ?? null,
        d?.rawTx ?? null,
        d?.nonce ?? null,
        d?.status ?? null,
        d?.attempts ?? null,
        d?.error ?? null,
      );
    },
    close() {
      if (db.open) db.close();
    },
  };
}
