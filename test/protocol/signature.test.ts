import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { ethers } from 'ethers';
import {
  InvalidHexError,
  InvalidPrivateKeyError,
  InvalidSignatureError,
  SignatureBackendError,
  availableSignatureBackends,
  balanceMessageHash,
  closingMessageHash,
  normalizeSignature,
  privateKeyToAddress,
  recoverBalanceProofSigner,
  recoverClosingSigner,
  recoverSigner,
  setSignatureBackend,
  signBalanceProof,
  signClosing,
  signatureBackend,
  type BalanceProofMessage,
  type ClosingMessage,
  type Hex,
  type SignatureRefusal,
} from '../../src/protocol/index.js';
import { N, R_NOT_ON_CURVE, addressOf, keyOf, sigFrom, sigParts, sigRecoveringToInfinity, toHighS, uintOf, withV } from './helpers.js';

const senderKey = keyOf('sender');
const receiverKey = keyOf('receiver');
const sender = privateKeyToAddress(senderKey);
const receiver = privateKeyToAddress(receiverKey);
const contract = addressOf('contract');
const proof: BalanceProofMessage = { receiver, openBlock: 4242, balance: 10n ** 18n + 7n, contract };
const closing: ClosingMessage = { sender, openBlock: 4242, balance: 10n ** 18n + 7n, contract };

describe('protocol: signing (§1.4)', () => {
  it('§1.4 privateKeyToAddress agrees with ethers', () => {
    expect(sender).to.equal(new ethers.Wallet(senderKey).address);
    expect(receiver).to.equal(new ethers.Wallet(receiverKey).address);
  });

  it('§1.2 §1.4 signBalanceProof equals ethers SigningKey.sign of the message hash (RFC 6979, low s, v 27/28)', () => {
    for (let i = 0; i < 25; i++) {
      const m = { ...proof, openBlock: i * 1000, balance: uintOf(`sign ${i}`, 192) };
      const sig = signBalanceProof(senderKey, m);
      expect(sig).to.equal(new ethers.SigningKey(senderKey).sign(balanceMessageHash(m)).serialized);
      const { s, v } = sigParts(sig);
      expect(v === 27 || v === 28).to.equal(true);
      expect(s <= N / 2n).to.equal(true);
      expect(sig).to.match(/^0x[0-9a-f]{130}$/);
    }
  });

  it('§1.3 §1.4 signClosing equals ethers SigningKey.sign of the closing hash', () => {
    const sig = signClosing(receiverKey, closing);
    expect(sig).to.equal(new ethers.SigningKey(receiverKey).sign(closingMessageHash(closing)).serialized);
  });

  it('§1.4 signing is deterministic', () => {
    expect(signBalanceProof(senderKey, proof)).to.equal(signBalanceProof(senderKey, proof));
  });

  for (const [label, key] of [
    ['no 0x', senderKey.slice(2)],
    ['31 bytes', senderKey.slice(0, 64)],
    ['zero', `0x${'00'.repeat(32)}`],
    ['n', `0x${N.toString(16)}`],
    ['non-hex', `0x${'zz'.repeat(32)}`],
  ] as const) {
    it(`refuses a private key that is ${label} with InvalidPrivateKeyError, without echoing it`, () => {
      let err: unknown;
      try {
        signBalanceProof(key as Hex, proof);
      } catch (e) {
        err = e;
      }
      expect(err).to.be.instanceOf(InvalidPrivateKeyError);
      expect((err as Error).message).not.to.include(key.slice(4, 20));
    });
  }

  it('§1.1 refuses to sign out-of-range values (the contract could never redeem them)', () => {
    expect(() => signBalanceProof(senderKey, { ...proof, balance: 2n ** 192n })).to.throw(/balance/);
  });
});

describe('protocol: signature backends (§1.4)', () => {
  after(() => setSignatureBackend(availableSignatureBackends()[0]!));

  it('prefers native libsecp256k1 when its prebuilt addon loads (linux-x64 here)', function () {
    if (!(process.platform === 'linux' && process.arch === 'x64')) this.skip();
    expect(availableSignatureBackends()).to.deep.equal(['native', 'noble']);
  });

  it('setSignatureBackend switches and refuses unknown names with SignatureBackendError', () => {
    setSignatureBackend('noble');
    expect(signatureBackend()).to.equal('noble');
    expect(() => setSignatureBackend('elliptic' as 'noble'))
      .to.throw(SignatureBackendError)
      .with.property('backend', 'elliptic');
    expect(signatureBackend()).to.equal('noble');
  });

  it('both backends sign the same bytes (RFC 6979 nonces, low s), so vectors do not depend on the backend', () => {
    const signatures = (backend: 'native' | 'noble') => {
      setSignatureBackend(backend);
      return Array.from({ length: 20 }, (_, i) => [
        signBalanceProof(senderKey, { ...proof, balance: BigInt(i) * 1_000_003n }),
        signClosing(receiverKey, { ...closing, openBlock: i + 1 }),
      ]);
    };
    for (const backend of availableSignatureBackends()) expect(signatures(backend), backend).to.deep.equal(signatures('noble'));
  });

  const backendAtLoad = (value: string) =>
    promisify(execFile)(
      process.execPath,
      [
        '--import=tsx',
        '--input-type=module',
        '-e',
        `import { signatureBackend } from '${new URL('../../src/protocol/index.ts', import.meta.url).href}'; console.log(signatureBackend())`,
      ],
      { env: { ...process.env, URAIDEN_SECP: value } },
    );

  it('URAIDEN_SECP=noble selects noble at load', async () => {
    expect((await backendAtLoad('noble')).stdout.trim()).to.equal('noble');
  });

  it('URAIDEN_SECP with an unknown name fails the import loudly rather than silently using a default', async () => {
    let err: unknown;
    try {
      await backendAtLoad('elliptic');
    } catch (e) {
      err = e;
    }
    expect(err).to.have.property('stderr').that.includes('SignatureBackendError');
  });
});

for (const backend of availableSignatureBackends()) {
  describe(`protocol: recovery with the ${backend} backend (§1.4)`, () => {
    before(() => setSignatureBackend(backend));
    after(() => setSignatureBackend(availableSignatureBackends()[0]!));

    const sig = signBalanceProof(senderKey, proof);
    const { v } = sigParts(sig);

    it('§1.2 recovers the sender of a balance proof, as ethers.recoverAddress does', () => {
      for (let i = 0; i < 10; i++) {
        const key = keyOf(`recover ${i}`);
        const m = { ...proof, balance: BigInt(i) };
        const s = signBalanceProof(key, m);
        expect(recoverBalanceProofSigner(m, s)).to.equal(ethers.recoverAddress(balanceMessageHash(m), s));
        expect(recoverBalanceProofSigner(m, s)).to.equal(privateKeyToAddress(key));
      }
    });

    it('§1.3 recovers the receiver of a closing signature', () => {
      expect(recoverClosingSigner(closing, signClosing(receiverKey, closing))).to.equal(receiver);
    });

    it('§1.4 recoverSigner works on a bare hash and refuses a hash that is not 32 bytes of hex', () => {
      expect(recoverSigner(balanceMessageHash(proof), sig)).to.equal(sender);
      expect(() => recoverSigner('0x1234', sig))
        .to.throw(InvalidHexError)
        .with.property('value', '0x1234');
    });

    it('§1.4 accepts v as the raw recovery id 0/1 and as 27/28', () => {
      expect(recoverBalanceProofSigner(proof, withV(sig, v - 27))).to.equal(sender);
      expect(recoverBalanceProofSigner(proof, sig)).to.equal(sender);
    });

    it('§1.4 accepts upper-case hex', () => {
      expect(recoverBalanceProofSigner(proof, `0x${sig.slice(2).toUpperCase()}`)).to.equal(sender);
    });

    it('§1.4 accepts a high-s signature (the contract does) and recovers the same signer', () => {
      const high = toHighS(sig);
      expect(sigParts(high).s > N / 2n).to.equal(true);
      expect(recoverBalanceProofSigner(proof, high)).to.equal(sender);
      expect(recoverBalanceProofSigner(proof, withV(high, sigParts(high).v - 27))).to.equal(sender);
    });

    it('§1.4 a proof of other values recovers another address (step 7 catches it, not step 3)', () => {
      expect(recoverBalanceProofSigner({ ...proof, balance: proof.balance + 1n }, sig)).not.to.equal(sender);
      expect(recoverClosingSigner({ ...closing }, sig)).not.to.equal(sender);
    });

    const { r, s } = sigParts(sig);
    const refusals: [string, string, SignatureRefusal][] = [
      ['no 0x prefix', sig.slice(2), 'missing-0x-prefix'],
      ['an 0X prefix', `0X${sig.slice(2)}`, 'missing-0x-prefix'],
      ['the empty string', '', 'missing-0x-prefix'],
      ['0x alone', '0x', 'wrong-length'],
      ['64 bytes (no v)', sig.slice(0, 130), 'wrong-length'],
      ['66 bytes', `${sig}00`, 'wrong-length'],
      ['an odd digit count', `${sig}0`, 'wrong-length'],
      ['a non-hex digit in r', `${sig.slice(0, 10)}g${sig.slice(11)}`, 'not-hex'],
      ['a non-hex v', `${sig.slice(0, 130)}1z`, 'not-hex'],
      ['whitespace inside', `${sig.slice(0, 131)} `, 'not-hex'],
      ...[2, 26, 29, 30, 35, 36, 37, 38, 255].map((bad): [string, string, SignatureRefusal] => [`v = ${bad}`, withV(sig, bad), 'invalid-v']),
      ['r = 0', sigFrom(0n, s, v), 'r-out-of-range'],
      ['r = n', sigFrom(N, s, v), 'r-out-of-range'],
      ['r = 2^256 − 1', sigFrom(2n ** 256n - 1n, s, v), 'r-out-of-range'],
      ['s = 0', sigFrom(r, 0n, v), 's-out-of-range'],
      ['s = n', sigFrom(r, N, v), 's-out-of-range'],
      ['s = n + 1', sigFrom(r, N + 1n, v), 's-out-of-range'],
      ['an r that is no curve x coordinate', sigFrom(R_NOT_ON_CURVE, s, 27), 'recovery-failed'],
      ['an r that is no curve x coordinate, v 28', sigFrom(R_NOT_ON_CURVE, s, 28), 'recovery-failed'],
      ['a signature recovering to the point at infinity', sigRecoveringToInfinity(balanceMessageHash(proof)), 'recovery-failed'],
    ];
    for (const [label, bad, reason] of refusals) {
      it(`§1.4 refuses ${label}: InvalidSignatureError ${reason}`, () => {
        let err: unknown;
        try {
          recoverBalanceProofSigner(proof, bad);
        } catch (e) {
          err = e;
        }
        expect(err, 'should throw').to.be.instanceOf(InvalidSignatureError);
        expect(err).to.include({ reason, value: bad, code: 'INVALID_SIGNATURE' });
        if (reason !== 'recovery-failed')
          expect(() => normalizeSignature(bad))
            .to.throw(InvalidSignatureError)
            .with.property('reason', reason);
      });
    }

    it('§1.4 the point-at-infinity signature recovers for the other parity (so the test is about infinity, not a typo)', () => {
      const inf = sigRecoveringToInfinity(balanceMessageHash(proof));
      expect(() => recoverBalanceProofSigner(proof, withV(inf, sigParts(inf).v === 27 ? 28 : 27))).not.to.throw();
    });
  });
}

describe('protocol: normalizeSignature (§1.4)', () => {
  const sig = signBalanceProof(senderKey, proof);
  const { v } = sigParts(sig);

  it('§1.4 maps v 0/1 to 27/28 and leaves 27/28 alone', () => {
    expect(normalizeSignature(withV(sig, v - 27))).to.equal(sig);
    expect(normalizeSignature(sig)).to.equal(sig);
  });

  it('§1.4 lower-cases the hex and keeps a high s (the receiver stores what the contract accepts)', () => {
    expect(normalizeSignature(sig.toUpperCase().replace('0X', '0x'))).to.equal(sig);
    const high = toHighS(sig);
    expect(normalizeSignature(high)).to.equal(high);
  });

  it('§1.4 does not mutate or reuse buffers between calls', () => {
    const a = normalizeSignature(withV(sig, 0));
    const b = normalizeSignature(withV(sig, 1));
    expect(a.slice(-2)).to.equal('1b');
    expect(b.slice(-2)).to.equal('1c');
  });
});
