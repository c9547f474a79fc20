import { expect } from 'chai';
import { Wallet, getAddress } from 'ethers';
import { deriveAccounts, mnemonicFromSeed } from '../../src/sim/accounts.js';
import { DEFAULT_SEED } from '../../src/sim/defaults.js';
import { ChainOptionError } from '../../src/sim/errors.js';

describe('sim/accounts', () => {
  it('derives the named accounts in order: deployer, receiver, third party, senders', () => {
    const keys = deriveAccounts(DEFAULT_SEED, 2);
    expect(keys.all.map((a) => a.name)).to.deep.equal(['deployer', 'receiver', 'third-party', 'sender-0', 'sender-1']);
    expect(keys.all[0]).to.equal(keys.deployer);
    expect(keys.all[1]).to.equal(keys.receiver);
    expect(keys.all[2]).to.equal(keys.thirdParty);
    expect(keys.senders).to.deep.equal(keys.all.slice(3));
  });

  it('gives EIP-55 addresses that belong to the 0x-hex private keys, all distinct', () => {
    const keys = deriveAccounts(DEFAULT_SEED, 3);
    for (const account of keys.all) {
      expect(account.privateKey).to.match(/^0x[0-9a-f]{64}$/);
      expect(account.address).to.equal(getAddress(account.address.toLowerCase()));
      expect(account.address).to.not.equal(account.address.toLowerCase());
      expect(new Wallet(account.privateKey).address).to.equal(account.address);
    }
    expect(new Set(keys.all.map((a) => a.privateKey)).size).to.equal(keys.all.length);
  });

  it('is a function of the seed: same seed same keys, other seed other keys', () => {
    expect(deriveAccounts('a', 3)).to.deep.equal(deriveAccounts('a', 3));
    expect(deriveAccounts('a', 3).deployer.address).to.not.equal(deriveAccounts('b', 3).deployer.address);
    expect(mnemonicFromSeed('a').split(' ')).to.have.length(12);
  });

  it('keeps the first accounts when more senders are asked for', () => {
    expect(deriveAccounts('x', 5).all.slice(0, 4)).to.deep.equal(deriveAccounts('x', 1).all);
  });

  it('refuses a sender count that is not a positive integer, carrying the value', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(() => deriveAccounts('x', bad))
        .to.throw(ChainOptionError)
        .with.property('value')
        .that.satisfies((v: number) => Object.is(v, bad));
    }
  });
});
