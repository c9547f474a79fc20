/**
 * The kit's named accounts. Keys come from a BIP-39 mnemonic derived from a seed string, so a
 * seed names a whole set of accounts: the same seed gives the same keys in every process and on
 * every machine, and the mnemonic can be handed to ganache (which funds the accounts) or imported
 * into a wallet.
 */
import { HDNodeWallet, Mnemonic, getAddress, id } from 'ethers';
import type { Address, Hex } from '../protocol/types.js';
import { ChainOptionError } from './errors.js';
import { DEFAULT_SEED, DEFAULT_SENDERS } from './defaults.js';

/** BIP-44 Ethereum path, the one ganache derives its accounts with (`wallet.hdPath` default). */
const HD_PATH = "m/44'/60'/0'/0";

export interface AccountKey {
  name: string;
  address: Address;
  privateKey: Hex;
}

export interface AccountKeys {
  mnemonic: string;
  deployer: AccountKey;
  receiver: AccountKey;
  thirdParty: AccountKey;
  senders: AccountKey[];
  /** All of them in derivation order: deployer, receiver, third party, sender 0..n−1. */
  all: AccountKey[];
}

/** 128 bits of entropy from keccak256(seed): a 12-word mnemonic, deterministic in the seed. */
export function mnemonicFromSeed(seed: string): string {
  return Mnemonic.fromEntropy(id(seed).slice(0, 34)).phrase;
}

export function deriveAccounts(seed: string = DEFAULT_SEED, senders = DEFAULT_SENDERS): AccountKeys {
  if (!Number.isSafeInteger(senders) || senders < 1) {
    throw new ChainOptionError('senders', senders, 'a positive integer');
  }
  const mnemonic = mnemonicFromSeed(seed);
  const root = HDNodeWallet.fromPhrase(mnemonic, undefined, HD_PATH);
  const names = ['deployer', 'receiver', 'third-party', ...Array.from({ length: senders }, (_, i) => `sender-${i}`)];
  const all = names.map((name, i): AccountKey => {
    const node = root.deriveChild(i);
    return { name, address: getAddress(node.address) as Address, privateKey: node.privateKey as Hex };
  });
  const [deployer, receiver, thirdParty, ...senderKeys] = all as [AccountKey, AccountKey, AccountKey, ...AccountKey[]];
  return { mnemonic, deployer, receiver, thirdParty, senders: senderKeys, all };
}
