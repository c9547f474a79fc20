/**
 * A private key for a CLI command, from (in this order) a flag, an encrypted keystore file
 * (password in env RDN_KEYSTORE_PASSWORD), or an environment variable. Never printed: every
 * message names where the key came from, not the key. Errors are usage errors (exit code 2).
 */
import { readFile } from 'node:fs/promises';
import { CommanderError } from 'commander';
import type { Hex } from '../protocol/types.js';
import { USAGE_EXIT_CODE } from './options.js';

export interface KeySources {
  /** --key <hex> */
  key?: string | undefined;
  /** --keystore <file> */
  keystore?: string | undefined;
}

/** `who` names the key in messages ("sender", "deployer"); `envName` is its environment variable. */
export async function loadPrivateKey(sources: KeySources, who: string, envName: string, code: string): Promise<Hex> {
  const usage = (message: string) => new CommanderError(USAGE_EXIT_CODE, code, message);
  let key = sources.key;
  if (key === undefined && sources.keystore !== undefined) {
    const password = process.env.RDN_KEYSTORE_PASSWORD;
    if (password === undefined) throw usage('--keystore needs the password in env RDN_KEYSTORE_PASSWORD');
    let json: string;
    try {
      json = await readFile(sources.keystore, 'utf8');
    } catch (err) {
      throw usage(`cannot read --keystore ${sources.keystore}: ${(err as Error).message}`);
    }
    try {
      const { Wallet } = await import('ethers');
      key = (await Wallet.fromEncryptedJson(json, password)).privateKey;
    } catch {
      // ethers' message may quote the file; say only what failed.
      throw usage(`cannot decrypt --keystore ${sources.keystore} (wrong password or not a keystore file)`);
    }
  }
  key ??= process.env[envName];
  if (key === undefined || key === '') throw usage(`no ${who} key: give ${'key' in sources ? '--key, ' : ''}--keystore or env ${envName}`);
  const hex = key.startsWith('0x') ? key : `0x${key}`;
  // Checked here so no library error message can ever echo the value.
  if (!/^0x[0-9a-fA-F]{64}$/.test(hex)) throw usage(`the ${who} key is not 32 bytes of hex`);
  return hex.toLowerCase() as Hex;
}
