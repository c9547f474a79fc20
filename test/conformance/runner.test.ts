/** Runner internals that decide outcomes: the signatures it forges and the matchers it judges with. */
import { expect } from 'chai';
import { Wallet } from 'ethers';
import { balanceHash, closingHash, mangle, normalized, signHash } from '../../conformance/runner/sign.js';
import { checkHttp, matchJson } from '../../conformance/runner/expect.js';
import { balanceMessageHash, closingMessageHash, recoverBalanceProofSigner } from '../../src/protocol/index.js';

const key = '0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318';
const signer = new Wallet(key).address;
const m = { receiver: `0x${'22'.repeat(20)}`, openBlock: 1234, balance: 55n, contract: `0x${'33'.repeat(20)}` };
const sig = signHash(key, balanceHash(m.receiver, m.openBlock, m.balance, m.contract));
const id = (s: string) => s;

describe('conformance runner: forged signatures', () => {
  it('hashes §1.2/§1.3 messages as the kit does (independent implementation)', () => {
    expect(balanceHash(m.receiver, m.openBlock, m.balance, m.contract)).to.equal(balanceMessageHash(m));
    expect(closingHash(signer, 7, 9n, m.contract)).to.equal(closingMessageHash({ sender: signer, openBlock: 7, balance: 9n, contract: m.contract }));
  });

  it('keeps the signer for v 0/1 and high s (what a verifier must accept)', () => {
    for (const damage of [{ v_base: 0 }, { high_s: true }, { high_s: true, v_base: 0 }] as const) {
      const s = mangle(sig, damage);
      expect(s).not.to.equal(sig);
      expect(recoverBalanceProofSigner(m, s)).to.equal(signer);
    }
    expect(normalized(mangle(sig, { v_base: 0 }))).to.equal(sig);
  });

  it('makes the refused forms: v 29/35/37, wrong lengths, raw text', () => {
    const v = (s: string) => parseInt(s.slice(130, 132), 16);
    const rec = v(sig) - 27;
    expect(v(mangle(sig, { v_base: 35 }))).to.equal(35 + rec);
    expect(v(mangle(sig, { v_base: 37 }))).to.equal(37 + rec);
    expect(v(mangle(sig, { v_base: 29 }))).to.equal(29 + rec);
    expect(mangle(sig, { length: 64 })).to.have.length(2 + 128);
    expect(mangle(sig, { length: 66 })).to.have.length(2 + 132);
    expect(mangle(sig, { raw: 'xyz' })).to.equal('xyz');
    for (const damage of [{ v_base: 35 }, { v_base: 29 }, { length: 64 }] as const) {
      expect(() => recoverBalanceProofSigner(m, mangle(sig, damage))).to.throw();
    }
  });
});

describe('conformance runner: matchers', () => {
  const res = (status: number, headers: Record<string, string> = {}, body = '') => ({ status, headers, setCookies: [], body });

  it('partial JSON: strings vs numbers, addresses in any case, regexes, array elements', () => {
    expect(
      matchJson({ a: 5, b: '0xABCDEFabcdef0123456789012345678901234567' }, { a: '5', b: '0xabcdefabcdef0123456789012345678901234567', c: 1 }, 'body', id),
    ).to.deep.equal([]);
    expect(matchJson({ sig: '/^0x[0-9a-f]+$/' }, { sig: '0x12' }, 'body', id)).to.deep.equal([]);
    expect(matchJson([{ x: 1 }], [{ x: 2 }, { x: 1, y: 3 }], 'body', id)).to.deep.equal([]);
    expect(matchJson({ a: 5 }, { a: 6 }, 'body', id)[0]).to.match(/body\.a/);
    expect(matchJson({ a: 5 }, {}, 'body', id)[0]).to.equal('body.a: missing');
  });

  it('flags: exactly the expected one, "none", alternatives, never two at once', () => {
    const flagged = res(402, { 'rdn-invalid-amount': '1' });
    expect(checkHttp({ status: 402, flag: 'RDN-Invalid-Amount' }, flagged, id)).to.deep.equal([]);
    expect(checkHttp({ flag: ['RDN-Invalid-Balance-Proof', 'none'] }, flagged, id)).to.have.length(1);
    expect(checkHttp({ flag: 'none' }, res(402), id)).to.deep.equal([]);
    expect(checkHttp({ status: [402, 409] }, res(409), id)).to.deep.equal([]);
    expect(checkHttp({}, res(402, { 'rdn-invalid-amount': '1', 'rdn-nonexisting-channel': '1' }), id)[0]).to.match(/at most one/);
  });

  it('headers and bodies', () => {
    const r = res(200, { 'rdn-sender-balance': '10', 'rdn-receiver-address': '0xaa' }, 'hello');
    expect(
      checkHttp({ headers: { 'RDN-Sender-Balance': 10, 'RDN-Receiver-Address': { iequals: '0xAA' }, 'RDN-Cost': { absent: true } }, body: 'hello' }, r, id),
    ).to.deep.equal([]);
    expect(checkHttp({ headers: { 'RDN-Cost': { present: true } } }, r, id)[0]).to.match(/RDN-Cost absent/);
    expect(checkHttp({ body: { not_equals: 'hello' } }, r, id)[0]).to.match(/content was served/);
  });
});
