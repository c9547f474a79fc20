/**
 * The sender's local store: one JSON file holding, per (chain id, contract, sender), the channels
 * and the last balance proof signed on each. It is what lets a restarted client keep paying on the
 * same channel at the right balance, so every write is atomic (a crash leaves the old file or the
 * new one, never half of one) and the file is private (mode 0600: it holds signed proofs).
 *
 * The file I/O is synchronous on purpose: a read-modify-write of the whole file then never
 * interleaves with another one in this process (several clients may share one file, one key
 * each), and the calls are short local writes — not the kind of blocking (waiting on a child
 * process or the network) that would starve an in-process chain.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { toChecksumAddress } from '../../protocol/address.js';
import type { Address, Hex } from '../../protocol/types.js';
import { StoreError } from './errors.js';

export const STORE_FORMAT = 'uraiden-sender-store/1';

export type ChannelStatus = 'open' | 'closing' | 'settled';

/** One channel as the sender knows it. Chain facts come from events; proofs only from here. */
export interface StoredChannel {
  receiver: Address;
  openBlock: number;
  /** total deposit on chain (opening deposit + top-ups), as of the last sync */
  deposit: bigint;
  /** the last balance this sender signed on the channel (cumulative, §1.2) */
  balance: bigint;
  /** the proof of `balance`; absent while balance is 0 */
  signature?: Hex;
  /** what the receiver has already withdrawn (ChannelWithdraw) */
  withdrawn: bigint;
  status: ChannelStatus;
  /** set once a close was requested: the block after which `settle` is allowed */
  settleBlock?: number;
  /** the balance the close request claimed */
  closingBalance?: bigint;
  /** the receiver's REST API root (origin + RDN-Gateway-Path), learnt from its 402s */
  gateway?: string;
}

/** Everything stored for one (chain, contract, sender). */
export interface AccountState {
  /** events up to this block have been applied */
  syncedBlock: number;
  channels: StoredChannel[];
}

/** The identity a store entry belongs to: a proof for one contract or chain means nothing on another. */
export function storeKey(chainId: number, contract: string, sender: string): string {
  return `${chainId}:${toChecksumAddress(contract)}:${toChecksumAddress(sender)}`;
}

/** `$RDN_SENDER_STORE`, else `$XDG_DATA_HOME/uraiden/sender-store.json`, else under ~/.local/share. */
export function defaultStorePath(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env['RDN_SENDER_STORE'];
  if (explicit) return explicit;
  const base = env['XDG_DATA_HOME'] || join(homedir(), '.local', 'share');
  return join(base, 'uraiden', 'sender-store.json');
}

export function emptyAccount(): AccountState {
  return { syncedBlock: -1, channels: [] };
}

/** The entry for `key`, or an empty one when the file or the entry does not exist yet. */
export function loadAccount(path: string, key: string): AccountState {
  const file = readStoreFile(path);
  const raw = file.accounts[key];
  if (raw === undefined) return emptyAccount();
  try {
    return decodeAccount(raw);
  } catch (err) {
    throw new StoreError(path, `entry ${key} is malformed: ${(err as Error).message}`, { cause: err });
  }
}

/** Replaces the entry for `key`, keeping every other entry of the file; atomic, mode 0600. */
export function saveAccount(path: string, key: string, state: AccountState, options: WriteOptions = {}): void {
  const file = readStoreFile(path);
  file.accounts[key] = encodeAccount(state);
  writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`, options);
}

export interface WriteOptions {
  /**
   * fsync the file and its directory (default true): the write then survives a power cut, not
   * only a killed process. Two fsyncs cost milliseconds per payment; a simulation that throws its
   * stores away turns them off.
   */
  sync?: boolean;
}

interface StoreFile {
  format: string;
  accounts: Record<string, unknown>;
}

function readStoreFile(path: string): StoreFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { format: STORE_FORMAT, accounts: {} };
    throw new StoreError(path, `cannot read: ${(err as Error).message}`, { cause: err });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    // Never overwrite a file we cannot parse: it may hold the only copy of a proof.
    throw new StoreError(path, `not JSON: ${(err as Error).message}`, { cause: err });
  }
  if (typeof parsed !== 'object' || parsed === null || (parsed as StoreFile).format !== STORE_FORMAT) {
    throw new StoreError(path, `not a ${STORE_FORMAT} file`);
  }
  const accounts = (parsed as StoreFile).accounts;
  if (typeof accounts !== 'object' || accounts === null || Array.isArray(accounts)) throw new StoreError(path, '"accounts" is not an object');
  return { format: STORE_FORMAT, accounts };
}

/**
 * Writes `text` to a fresh temporary file next to `path` (same file system, so the rename is
 * atomic), created with mode 0600, flushed to disk, then renamed over `path`.
 */
export function writeFileAtomic(path: string, text: string, { sync = true }: WriteOptions = {}): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // 'wx': never follow or reuse an existing file; 0o600 from creation, not chmod'ed later.
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, text);
      if (sync) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // the temporary file was never created, or is already renamed
    }
    throw new StoreError(path, `cannot write: ${(err as Error).message}`, { cause: err });
  }
  if (!sync) return;
  try {
    // Persist the rename itself; not every file system lets a directory be fsynced.
    const dfd = openSync(dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    // best effort
  }
}

// ---------------------------------------------------------------- (de)serialisation
// Amounts are decimal strings in the file: they exceed 2^53.

function encodeAccount(state: AccountState): unknown {
  return {
    syncedBlock: state.syncedBlock,
    channels: state.channels.map((c) => ({
      receiver: c.receiver,
      openBlock: c.openBlock,
      deposit: c.deposit.toString(),
      balance: c.balance.toString(),
      ...(c.signature !== undefined && { signature: c.signature }),
      withdrawn: c.withdrawn.toString(),
      status: c.status,
      ...(c.settleBlock !== undefined && { settleBlock: c.settleBlock }),
      ...(c.closingBalance !== undefined && { closingBalance: c.closingBalance.toString() }),
      ...(c.gateway !== undefined && { gateway: c.gateway }),
    })),
  };
}

function decodeAccount(raw: unknown): AccountState {
  const o = raw as { syncedBlock?: unknown; channels?: unknown };
  if (!Number.isSafeInteger(o.syncedBlock)) throw new Error('syncedBlock is not an integer');
  if (!Array.isArray(o.channels)) throw new Error('channels is not an array');
  return { syncedBlock: o.syncedBlock as number, channels: o.channels.map(decodeChannel) };
}

function decodeChannel(raw: unknown): StoredChannel {
  const c = raw as Record<string, unknown>;
  const amount = (field: string): bigint => {
    const v = c[field];
    if (typeof v !== 'string' || !/^\d+$/.test(v)) throw new Error(`${field} is not a decimal string: ${JSON.stringify(v)}`);
    return BigInt(v);
  };
  const status = c['status'];
  if (status !== 'open' && status !== 'closing' && status !== 'settled') throw new Error(`bad status ${JSON.stringify(status)}`);
  if (!Number.isSafeInteger(c['openBlock'])) throw new Error('openBlock is not an integer');
  const out: StoredChannel = {
    receiver: toChecksumAddress(String(c['receiver'])),
    openBlock: c['openBlock'] as number,
    deposit: amount('deposit'),
    balance: amount('balance'),
    withdrawn: amount('withdrawn'),
    status,
  };
  if (typeof c['signature'] === 'string') out.signature = c['signature'] as Hex;
  if (Number.isSafeInteger(c['settleBlock'])) out.settleBlock = c['settleBlock'] as number;
  if (c['closingBalance'] !== undefined) out.closingBalance = amount('closingBalance');
  if (typeof c['gateway'] === 'string') out.gateway = c['gateway'];
  return out;
}
