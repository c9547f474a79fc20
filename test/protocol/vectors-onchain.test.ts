/**
 * Every vector in fixtures/vectors.json against the kit's deployed contract: the chain is the
 * oracle for what §1.4 verifiers must accept. The contract hashes with `address(this)`, so its
 * runtime code is copied (evm_setAccountCode) to the vectors' fixed contract address; the
 * extract functions read no storage, so the copy behaves as a deployment there would.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { isBytesLike } from 'ethers';
import { startChain, type Chain } from '../../src/sim/chain.js';
import type { RaidenMicroTransferChannels } from '../../src/contracts/generated/bindings/index.js';
import { VECTORS_PATH, type Vectors } from '../../scripts/make-vectors.js';

const vectors = JSON.parse(readFileSync(VECTORS_PATH, 'utf8')) as Vectors;

/** What the contract does with a vector: the recovered address, or a revert. */
async function onChain(call: () => Promise<string>): Promise<{ signer: string } | { reverted: unknown }> {
  try {
    return { signer: await call() };
  } catch (err) {
    // Only a revert counts as a refusal; anything else (encoding, connection) is a test failure.
    if ((err as { code?: string }).code !== 'CALL_EXCEPTION') throw err;
    return { reverted: err };
  }
}

describe('protocol: fixtures/vectors.json against the deployed contract (§1, §2)', function () {
  this.timeout(120_000);
  let chain: Chain;
  let channels: RaidenMicroTransferChannels;

  before(async () => {
    chain = await startChain();
    const code = await chain.provider.getCode(chain.addresses.channels);
    await chain.ganache.request({ method: 'evm_setAccountCode', params: [vectors.contract, code] });
    channels = chain.channels.attach(vectors.contract) as RaidenMicroTransferChannels;
  });
  after(async () => {
    await chain?.close();
  });

  it('the copied code answers at the vectors contract address', async () => {
    expect(await chain.provider.getCode(vectors.contract)).to.have.length.greaterThan(2);
  });

  for (const v of vectors.balanceProofs) {
    it(`§1.2 §1.4 extractBalanceProofSignature, ${v.id}: ${v.valid ? 'returns the signer' : 'reverts'}`, async function () {
      if (!isBytesLike(v.signature)) this.skip(); // not a byte string: cannot be passed as `bytes`
      const { receiver, openBlock, balance } = v.message;
      const result = await onChain(() => channels.extractBalanceProofSignature(receiver, openBlock, BigInt(balance), v.signature));
      if (v.valid) expect(result).to.deep.equal({ signer: v.signer });
      else expect(result).to.have.property('reverted');
    });
  }

  for (const v of vectors.closingSignatures) {
    it(`§1.3 §1.4 extractClosingSignature, ${v.id}: ${v.valid ? 'returns the signer' : 'reverts'}`, async function () {
      if (!isBytesLike(v.signature)) this.skip();
      const { sender, openBlock, balance } = v.message;
      const result = await onChain(() => channels.extractClosingSignature(sender, openBlock, BigInt(balance), v.signature));
      if (v.valid) expect(result).to.deep.equal({ signer: v.signer });
      else expect(result).to.have.property('reverted');
    });
  }

  for (const k of vectors.channelKeys) {
    it(`§1.5 getKey, ${k.id}`, async () => {
      expect(await channels.getKey(k.sender, k.receiver, k.openBlock)).to.equal(k.key);
    });
  }
});
