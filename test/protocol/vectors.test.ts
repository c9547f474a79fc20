import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { ethers } from 'ethers';
import {
  InvalidSignatureError,
  availableSignatureBackends,
  balanceMessageHash,
  channelKey,
  closingMessageHash,
  encodeOpenData,
  encodeTopUpData,
  normalizeSignature,
  privateKeyToAddress,
  recoverBalanceProofSigner,
  recoverClosingSigner,
  setSignatureBackend,
} from '../../src/protocol/index.js';
import { VECTORS_PATH, renderVectors, type Vectors } from '../../scripts/make-vectors.js';

const committed = readFileSync(VECTORS_PATH, 'utf8');
const vectors = JSON.parse(committed) as Vectors;

describe('protocol: fixtures/vectors.json (§1)', () => {
  it('the committed file equals what `npm run vectors` generates', () => {
    expect(committed).to.equal(renderVectors());
  });

  it('has at least 20 signature vectors and covers the required cases', () => {
    const ids = [...vectors.balanceProofs, ...vectors.closingSignatures].map((v) => v.id);
    expect(ids.length).to.be.at.least(20);
    expect(new Set(ids).size).to.equal(ids.length);
    for (const id of [
      'bp-v0',
      'bp-v1',
      'bp-v27',
      'bp-v28',
      'bp-high-s',
      'bp-v29',
      'bp-v30',
      'bp-v35',
      'bp-v37',
      'bp-64-bytes',
      'bp-66-bytes',
      'bp-not-hex',
      'bp-max',
      'bp-balance-zero',
    ]) {
      expect(ids).to.include(id);
    }
    const max = vectors.balanceProofs.find((v) => v.id === 'bp-max')!;
    expect(max.message).to.include({ openBlock: 2 ** 32 - 1, balance: (2n ** 192n - 1n).toString() });
  });

  it('the keys are the addresses they claim (ethers)', () => {
    for (const k of vectors.keys) expect(new ethers.Wallet(k.privateKey).address).to.equal(k.address).and.to.equal(privateKeyToAddress(k.privateKey));
  });

  for (const backend of availableSignatureBackends()) {
    describe(`with the ${backend} backend`, () => {
      before(() => setSignatureBackend(backend));
      after(() => setSignatureBackend(availableSignatureBackends()[0]!));

      for (const v of vectors.balanceProofs) {
        it(`§1.2 §1.4 ${v.id}: ${v.valid ? `recovers ${v.signer}` : `refused, ${v.reason}`}`, () => {
          const m = { ...v.message, balance: BigInt(v.message.balance) };
          expect(balanceMessageHash(m)).to.equal(v.messageHash);
          check(v, () => recoverBalanceProofSigner(m, v.signature));
        });
      }
      for (const v of vectors.closingSignatures) {
        it(`§1.3 §1.4 ${v.id}: ${v.valid ? `recovers ${v.signer}` : `refused, ${v.reason}`}`, () => {
          const m = { ...v.message, balance: BigInt(v.message.balance) };
          expect(closingMessageHash(m)).to.equal(v.messageHash);
          check(v, () => recoverClosingSigner(m, v.signature));
        });
      }
    });
  }

  it('§1.2 §1.3 message hashes agree with ethers; valid signatures recover the same signer with ethers', () => {
    for (const v of [...vectors.balanceProofs, ...vectors.closingSignatures]) {
      const [party, id] =
        'receiver' in v.message
          ? [v.message.receiver, 'Sender balance proof signature']
          : [(v.message as { sender: string }).sender, 'Receiver closing signature'];
      const schema = 'receiver' in v.message ? vectors.schemaHashes.balanceProof : vectors.schemaHashes.closing;
      const data = ethers.solidityPackedKeccak256(
        ['string', 'address', 'uint32', 'uint192', 'address'],
        [id, party, v.message.openBlock, v.message.balance, v.message.contract],
      );
      expect(ethers.solidityPackedKeccak256(['bytes32', 'bytes32'], [schema, data]), v.id).to.equal(v.messageHash);
      // ethers refuses high s (its canonical form), so compare on the low-s vectors only.
      if (v.valid && !v.id.endsWith('high-s')) expect(ethers.recoverAddress(v.messageHash, v.normalizedSignature), v.id).to.equal(v.signer);
    }
  });

  it('§1.5 channel keys and ERC223 data', () => {
    for (const k of vectors.channelKeys) expect(channelKey(k.sender, k.receiver, k.openBlock), k.id).to.equal(k.key);
    for (const d of vectors.erc223Data) {
      const data = d.kind === 'open' ? encodeOpenData(d.sender, d.receiver) : encodeTopUpData(d.sender, d.receiver, d.openBlock!);
      expect(data, d.id).to.equal(d.data);
      expect((data.length - 2) / 2).to.equal(d.kind === 'open' ? 40 : 44);
    }
  });
});

function check(v: Vectors['balanceProofs'][number] | Vectors['closingSignatures'][number], recover: () => string): void {
  if (v.valid) {
    expect(recover()).to.equal(v.signer);
    expect(normalizeSignature(v.signature)).to.equal(v.normalizedSignature);
  } else {
    expect(recover).to.throw(InvalidSignatureError).with.property('reason', v.reason);
  }
}
