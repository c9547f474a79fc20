import { expect } from 'chai';
import {
  ERROR_FLAGS,
  HEADER,
  HeaderError,
  InvalidAddressError,
  InvalidSignatureError,
  OutOfRangeError,
  ReplyHeaderError,
  encodePaymentHeaders,
  encodeReplyHeaders,
  fetchHeaders,
  nodeHeaders,
  parsePaymentHeaders,
  parseReplyHeaders,
  privateKeyToAddress,
  signBalanceProof,
  toChecksumAddress,
  type HeaderGetter,
} from '../../src/protocol/index.js';
import { addressOf, keyOf, sigParts, toHighS, withV } from './helpers.js';

const senderKey = keyOf('header sender');
const sender = privateKeyToAddress(senderKey);
const receiver = toChecksumAddress(addressOf('header receiver'));
const contract = toChecksumAddress(addressOf('header contract'));
const token = toChecksumAddress(addressOf('header token'));
const signature = signBalanceProof(senderKey, { receiver, openBlock: 77, balance: 150n, contract });

/** A getter over a plain object, case-insensitive like real HTTP headers. */
function getter(headers: Record<string, string | undefined>): HeaderGetter {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return (name) => lower[name.toLowerCase()];
}

const valid = {
  [HEADER.contract]: contract,
  [HEADER.receiver]: receiver,
  [HEADER.sender]: sender,
  [HEADER.openBlock]: '77',
  [HEADER.balance]: '150',
  [HEADER.senderBalance]: '150',
  [HEADER.balanceSignature]: signature,
};

function refusal(headers: Record<string, string | undefined>): HeaderError {
  try {
    parsePaymentHeaders(getter(headers));
  } catch (err) {
    expect(err).to.be.instanceOf(HeaderError);
    return err as HeaderError;
  }
  throw new Error('expected a HeaderError');
}

describe('protocol: header names (§3.1)', () => {
  it('§3.1 names every header as the SPEC spells it', () => {
    expect(HEADER).to.deep.equal({
      gatewayPath: 'RDN-Gateway-Path',
      receiver: 'RDN-Receiver-Address',
      contract: 'RDN-Contract-Address',
      token: 'RDN-Token-Address',
      price: 'RDN-Price',
      sender: 'RDN-Sender-Address',
      senderBalance: 'RDN-Sender-Balance',
      balance: 'RDN-Balance',
      balanceSignature: 'RDN-Balance-Signature',
      openBlock: 'RDN-Open-Block',
      payment: 'RDN-Payment',
      cost: 'RDN-Cost',
      insufficientConfirmations: 'RDN-Insufficient-Confirmations',
      nonexistingChannel: 'RDN-Nonexisting-Channel',
      invalidBalanceProof: 'RDN-Invalid-Balance-Proof',
      invalidAmount: 'RDN-Invalid-Amount',
    });
    expect(ERROR_FLAGS).to.deep.equal(['RDN-Insufficient-Confirmations', 'RDN-Nonexisting-Channel', 'RDN-Invalid-Balance-Proof', 'RDN-Invalid-Amount']);
  });
});

describe('protocol: parsePaymentHeaders (§3.1, §3.2 step 3)', () => {
  it('§3.2 step 4: no headers at all → none', () => {
    expect(parsePaymentHeaders(getter({}))).to.deep.equal({ kind: 'none' });
  });

  it('§3.2 step 4: well-formed headers without a signature → none', () => {
    expect(parsePaymentHeaders(getter({ ...valid, [HEADER.balanceSignature]: undefined }))).to.deep.equal({ kind: 'none' });
  });

  it('§3.1 an empty or blank signature counts as absent', () => {
    expect(parsePaymentHeaders(getter({ ...valid, [HEADER.balanceSignature]: '' }))).to.deep.equal({ kind: 'none' });
    expect(parsePaymentHeaders(getter({ ...valid, [HEADER.balanceSignature]: '  ' }))).to.deep.equal({ kind: 'none' });
  });

  it('§3.1 parses a full payment: EIP-55 addresses, numbers, normalised signature', () => {
    expect(parsePaymentHeaders(getter({ ...valid, [HEADER.payment]: '5' }))).to.deep.equal({
      kind: 'payment',
      sender,
      receiver,
      contract,
      openBlock: 77,
      balance: 150n,
      signature,
      payment: 5n,
    });
  });

  it('§3.1 receiver, contract and RDN-Payment are optional', () => {
    const parsed = parsePaymentHeaders(getter({ ...valid, [HEADER.receiver]: undefined, [HEADER.contract]: undefined }));
    expect(parsed).to.deep.equal({ kind: 'payment', sender, openBlock: 77, balance: 150n, signature });
  });

  it('§3.1 accepts either balance header alone', () => {
    for (const only of [HEADER.balance, HEADER.senderBalance]) {
      const other = only === HEADER.balance ? HEADER.senderBalance : HEADER.balance;
      const parsed = parsePaymentHeaders(getter({ ...valid, [other]: undefined }));
      expect(parsed).to.include({ kind: 'payment', balance: 150n });
    }
  });

  it('§3.1 compares addresses case-insensitively: lower case and wrong checksums are accepted and re-cased', () => {
    const wrongCase = `0x${sender.slice(2, 10).toUpperCase()}${sender.slice(10).toLowerCase()}`;
    const parsed = parsePaymentHeaders(getter({ ...valid, [HEADER.sender]: wrongCase, [HEADER.receiver]: receiver.toLowerCase() }));
    expect(parsed).to.include({ sender, receiver });
  });

  it('§1.4 normalises v 0/1 to 27/28 and keeps a high s', () => {
    const { v } = sigParts(signature);
    expect(parsePaymentHeaders(getter({ ...valid, [HEADER.balanceSignature]: withV(signature, v - 27) }))).to.include({ signature });
    const high = toHighS(signature);
    expect(parsePaymentHeaders(getter({ ...valid, [HEADER.balanceSignature]: high }))).to.include({ signature: high });
  });

  it('§3.1 trims optional whitespace around values; accepts leading zeros (still decimal)', () => {
    expect(parsePaymentHeaders(getter({ ...valid, [HEADER.openBlock]: ' 077 ', [HEADER.balance]: '0150' }))).to.include({ openBlock: 77, balance: 150n });
  });

  // HTTP allows only space and horizontal tab around a field value (RFC 9110 §5.5); anything else
  // at either end is part of the value, which then is not decimal ASCII, an address or hex (§3.1).
  const PAYMENT_HEADERS = ['sender', 'receiver', 'contract', 'openBlock', 'balance', 'senderBalance', 'payment', 'balanceSignature'] as const;
  const withPayment = { ...valid, [HEADER.payment]: '150' };
  const OTHER_WHITESPACE_AND_CONTROL = [
    ...Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i)).filter((c) => c !== '\t'),
    '\x7f',
    '\x85',
    '\xa0',
    '\u1680',
    '\u180e',
    ...Array.from({ length: 11 }, (_, i) => String.fromCharCode(0x2000 + i)),
    '\u2028',
    '\u2029',
    '\u202f',
    '\u205f',
    '\u3000',
    '\ufeff',
  ];

  it('§3.1 trims exactly space and tab (HTTP OWS) around every payment header', () => {
    for (const key of PAYMENT_HEADERS) {
      for (const ows of [' ', '\t', ' \t ']) {
        const parsed = parsePaymentHeaders(getter({ ...withPayment, [HEADER[key]]: `${ows}${withPayment[HEADER[key]]}${ows}` }));
        expect(parsed, `${HEADER[key]} with ${JSON.stringify(ows)}`).to.deep.include({
          kind: 'payment',
          openBlock: 77,
          balance: 150n,
          payment: 150n,
          signature,
        });
      }
    }
  });

  it('§3.1 refuses every payment header with any other Unicode whitespace or control character at either end', () => {
    let checked = 0;
    for (const key of PAYMENT_HEADERS) {
      for (const char of OTHER_WHITESPACE_AND_CONTROL) {
        for (const value of [`${char}${withPayment[HEADER[key]]}`, `${withPayment[HEADER[key]]}${char}`]) {
          const headers = { ...withPayment, [HEADER[key]]: value };
          // One balance header alone, so the value under test is the one parsed (not a conflict).
          if (key === 'balance') delete (headers as Record<string, string>)[HEADER.senderBalance];
          if (key === 'senderBalance') delete (headers as Record<string, string>)[HEADER.balance];
          const err = refusal(headers);
          const what = `${HEADER[key]}: ${JSON.stringify(value)}`;
          expect(err.header, what).to.equal(HEADER[key]);
          expect(err.value, what).to.equal(value);
          // §3.2 step 3: a malformed signature is a 402 (Invalid-Balance-Proof), everything else a 409.
          expect(err.status, what).to.equal(key === 'balanceSignature' ? 402 : 409);
          checked++;
        }
      }
    }
    expect(checked).to.equal(PAYMENT_HEADERS.length * OTHER_WHITESPACE_AND_CONTROL.length * 2);
  });

  it('§1.1 accepts the extremes: open block 2^32 − 1, balance 2^192 − 1 and 0', () => {
    const max192 = (2n ** 192n - 1n).toString();
    expect(parsePaymentHeaders(getter({ ...valid, [HEADER.openBlock]: '4294967295', [HEADER.balance]: max192, [HEADER.senderBalance]: max192 }))).to.include({
      openBlock: 4294967295,
      balance: 2n ** 192n - 1n,
    });
    expect(parsePaymentHeaders(getter({ ...valid, [HEADER.balance]: '0', [HEADER.senderBalance]: '0', [HEADER.openBlock]: '0' }))).to.include({
      balance: 0n,
      openBlock: 0,
    });
  });

  const malformedIntegers: [string, string][] = [
    ['negative', '-1'],
    ['leading +', '+1'],
    ['hex', '0x10'],
    ['exponent', '1e3'],
    ['fraction', '1.0'],
    ['letters', 'ten'],
    ['inner space', '1 0'],
    ['underscore', '1_000'],
    ['unicode digit', '١'],
  ];
  for (const header of [HEADER.openBlock, HEADER.balance, HEADER.senderBalance, HEADER.payment]) {
    for (const [label, value] of malformedIntegers) {
      it(`§3.2 step 3: ${header} ${label} (${JSON.stringify(value)}) → 409 not-decimal`, () => {
        const err = refusal({ ...valid, [header]: value });
        expect(err).to.include({ status: 409, header, value, reason: 'not-decimal', flag: undefined, code: 'INVALID_HEADER' });
      });
    }
  }

  it('§3.2 step 3: open block beyond uint32 → 409 out-of-range', () => {
    expect(refusal({ ...valid, [HEADER.openBlock]: '4294967296' })).to.include({ status: 409, header: HEADER.openBlock, reason: 'out-of-range' });
  });

  for (const header of [HEADER.balance, HEADER.senderBalance, HEADER.payment]) {
    it(`§3.2 step 3: ${header} beyond uint192 → 409 out-of-range`, () => {
      const value = (2n ** 192n).toString();
      expect(refusal({ ...valid, [header]: value })).to.include({ status: 409, header, value, reason: 'out-of-range' });
    });
  }

  for (const header of [HEADER.contract, HEADER.receiver, HEADER.sender]) {
    for (const value of ['0x1234', sender.slice(2), `${sender}ab`, `0x${'g'.repeat(40)}`]) {
      it(`§3.2 step 3: ${header} ${JSON.stringify(value)} → 409 invalid-address`, () => {
        expect(refusal({ ...valid, [header]: value })).to.include({ status: 409, header, value, reason: 'invalid-address' });
      });
    }
  }

  it('§3.1 RDN-Balance and RDN-Sender-Balance both present and different → 409 conflicting-balance', () => {
    expect(refusal({ ...valid, [HEADER.senderBalance]: '151' })).to.include({
      status: 409,
      header: HEADER.senderBalance,
      value: '151',
      reason: 'conflicting-balance',
    });
  });

  it('§3.1 the same balance written differently (leading zero) does not conflict', () => {
    expect(parsePaymentHeaders(getter({ ...valid, [HEADER.senderBalance]: '00150' }))).to.include({ balance: 150n });
  });

  for (const header of [HEADER.sender, HEADER.openBlock] as const) {
    it(`§3.2 step 3: signature present, ${header} missing → 409 missing`, () => {
      expect(refusal({ ...valid, [header]: undefined })).to.include({ status: 409, header, value: undefined, reason: 'missing' });
    });
  }

  it('§3.2 step 3: signature present, both balance headers missing → 409 missing (RDN-Balance)', () => {
    expect(refusal({ ...valid, [HEADER.balance]: undefined, [HEADER.senderBalance]: undefined })).to.include({
      status: 409,
      header: HEADER.balance,
      reason: 'missing',
    });
  });

  const badSignatures: [string, string, string][] = [
    ['64 bytes', signature.slice(0, 130), 'wrong-length'],
    ['not hex', `${signature.slice(0, 131)}x`, 'not-hex'],
    ['v = 29', withV(signature, 29), 'invalid-v'],
    ['v = 37 (EIP-155)', withV(signature, 37), 'invalid-v'],
    ['no 0x', signature.slice(2), 'missing-0x-prefix'],
  ];
  for (const [label, value, reason] of badSignatures) {
    it(`§3.2 step 3: malformed signature (${label}) → 402 + RDN-Invalid-Balance-Proof, cause ${reason}`, () => {
      const err = refusal({ ...valid, [HEADER.balanceSignature]: value });
      expect(err).to.include({ status: 402, flag: 'RDN-Invalid-Balance-Proof', header: HEADER.balanceSignature, value, reason: 'invalid-signature' });
      expect(err.cause).to.be.instanceOf(InvalidSignatureError).with.property('reason', reason);
    });
  }

  it('§3.2 step 3: a malformed value is refused even without a signature (never "none" for garbage)', () => {
    expect(refusal({ [HEADER.balance]: '-5' })).to.include({ status: 409, reason: 'not-decimal' });
    expect(refusal({ [HEADER.sender]: 'alice' })).to.include({ status: 409, reason: 'invalid-address' });
  });

  describe('validation order (documented on parsePaymentHeaders)', () => {
    const everythingWrong = {
      [HEADER.contract]: 'c',
      [HEADER.receiver]: 'r',
      [HEADER.sender]: 's',
      [HEADER.openBlock]: 'x',
      [HEADER.balance]: 'y',
      [HEADER.senderBalance]: 'z',
      [HEADER.payment]: 'p',
      [HEADER.balanceSignature]: 'sig',
    };
    const order = [
      HEADER.contract,
      HEADER.receiver,
      HEADER.sender,
      HEADER.openBlock,
      HEADER.balance,
      HEADER.senderBalance,
      HEADER.payment,
      HEADER.balanceSignature,
    ];
    it('reports contract, receiver, sender, open block, balance, sender balance, payment, then signature', () => {
      const seen: string[] = [];
      const headers: Record<string, string | undefined> = { ...everythingWrong };
      for (let i = 0; i < order.length; i++) {
        const err = refusal(headers);
        seen.push(err.header);
        headers[err.header] = (valid as Record<string, string>)[err.header] ?? '1';
      }
      expect(seen).to.deep.equal(order);
      expect(parsePaymentHeaders(getter(headers))).to.include({ kind: 'payment' });
    });

    it('every 409 comes before the 402: a missing sender beats a malformed signature', () => {
      expect(refusal({ ...valid, [HEADER.sender]: undefined, [HEADER.balanceSignature]: '0x00' })).to.include({ status: 409, reason: 'missing' });
    });

    it('conflicting balances beat a malformed RDN-Payment', () => {
      expect(refusal({ ...valid, [HEADER.senderBalance]: '1', [HEADER.payment]: '-1' })).to.include({ reason: 'conflicting-balance' });
    });
  });
});

describe('protocol: header adapters (§3.1)', () => {
  it('nodeHeaders reads IncomingHttpHeaders (lower-case keys) and joins repeated values', () => {
    const get = nodeHeaders({ 'rdn-balance': '150', 'rdn-sender-address': [sender, sender] });
    expect(get(HEADER.balance)).to.equal('150');
    expect(get(HEADER.sender)).to.equal(`${sender}, ${sender}`);
    expect(get(HEADER.payment)).to.equal(undefined);
  });

  it('a repeated header is malformed, not silently the first value', () => {
    const get = nodeHeaders({ 'rdn-balance': ['150', '151'] });
    expect(() => parsePaymentHeaders(get))
      .to.throw(HeaderError)
      .with.property('reason', 'not-decimal');
  });

  it('fetchHeaders reads fetch Headers (null → undefined) and parses a payment end to end', () => {
    const encoded = encodePaymentHeaders({ sender, receiver, contract, openBlock: 77, balance: 150n, signature });
    expect(parsePaymentHeaders(fetchHeaders(new Headers(encoded)))).to.deep.equal({
      kind: 'payment',
      sender,
      receiver,
      contract,
      openBlock: 77,
      balance: 150n,
      signature,
    });
    expect(fetchHeaders(new Headers())(HEADER.balance)).to.equal(undefined);
  });
});

describe('protocol: encodePaymentHeaders (§3.1)', () => {
  const { v } = sigParts(signature);
  it('§3.1 sends both balance headers with the same value, EIP-55 addresses, v 27/28 and optional RDN-Payment', () => {
    expect(
      encodePaymentHeaders({
        sender: sender.toLowerCase(),
        receiver: receiver.toLowerCase(),
        contract: contract.toLowerCase(),
        openBlock: 77,
        balance: 150n,
        signature: withV(signature, v - 27),
        payment: 5n,
      }),
    ).to.deep.equal({ ...valid, [HEADER.payment]: '5' });
  });

  it('§3.1 omits RDN-Payment when not given', () => {
    expect(encodePaymentHeaders({ sender, receiver, contract, openBlock: 77, balance: 150n, signature })).to.deep.equal(valid);
  });

  it('refuses to encode what a server must refuse', () => {
    const p = { sender, receiver, contract, openBlock: 77, balance: 150n, signature };
    expect(() => encodePaymentHeaders({ ...p, sender: 'me' })).to.throw(InvalidAddressError);
    expect(() => encodePaymentHeaders({ ...p, openBlock: 2 ** 32 })).to.throw(OutOfRangeError);
    expect(() => encodePaymentHeaders({ ...p, balance: -1n })).to.throw(OutOfRangeError);
    expect(() => encodePaymentHeaders({ ...p, payment: 2n ** 192n })).to.throw(OutOfRangeError);
    expect(() => encodePaymentHeaders({ ...p, signature: withV(signature, 37) })).to.throw(InvalidSignatureError);
  });
});

describe('protocol: reply headers (§3.1)', () => {
  const base = { receiver: receiver.toLowerCase(), contract, token, price: 5n };

  it('§3.1 encodes the base reply headers of a payment request, gateway path /api/1 by default', () => {
    expect(encodeReplyHeaders(base)).to.deep.equal({
      [HEADER.gatewayPath]: '/api/1',
      [HEADER.receiver]: receiver,
      [HEADER.contract]: contract,
      [HEADER.token]: token,
      [HEADER.price]: '5',
    });
  });

  it('§3.1 encodes channel state, cost and one error flag valued 1', () => {
    const h = encodeReplyHeaders({
      ...base,
      gatewayPath: '/x',
      sender,
      senderBalance: 145n,
      balanceSignature: withV(signature, 0),
      cost: 5n,
      error: HEADER.invalidAmount,
    });
    expect(h).to.include({
      [HEADER.gatewayPath]: '/x',
      [HEADER.sender]: sender,
      [HEADER.senderBalance]: '145',
      [HEADER.cost]: '5',
      [HEADER.invalidAmount]: '1',
    });
    expect(h[HEADER.balanceSignature]).to.match(/1[bc]$/);
    expect(Object.keys(h).filter((k) => ERROR_FLAGS.some((f) => f === k))).to.have.length(1);
  });

  it('§3.1 round-trips every field through parseReplyHeaders, for each error flag', () => {
    for (const error of ERROR_FLAGS) {
      const r = { ...base, receiver, sender, senderBalance: 2n ** 192n - 1n, balanceSignature: signature, cost: 0n, error };
      expect(parseReplyHeaders(getter(encodeReplyHeaders(r)))).to.deep.equal({ ...r, gatewayPath: '/api/1' });
    }
  });

  it('§3.1 a client accepts missing amounts and addresses (e.g. a 502 or a plain server)', () => {
    expect(parseReplyHeaders(getter({}))).to.deep.equal({});
    expect(parseReplyHeaders(getter({ [HEADER.receiver]: receiver.toLowerCase() }))).to.deep.equal({ receiver });
  });

  const bad: [string, string, string][] = [
    [HEADER.price, '-5', 'not-decimal'],
    [HEADER.senderBalance, '1.5', 'not-decimal'],
    [HEADER.cost, (2n ** 192n).toString(), 'out-of-range'],
    [HEADER.receiver, '0xabc', 'invalid-address'],
    [HEADER.contract, 'contract', 'invalid-address'],
    [HEADER.token, `0x${'0'.repeat(39)}`, 'invalid-address'],
    [HEADER.sender, 'x', 'invalid-address'],
    [HEADER.balanceSignature, withV(signature, 30), 'invalid-signature'],
    [HEADER.invalidAmount, 'true', 'invalid-flag'],
  ];
  for (const [header, value, reason] of bad) {
    it(`§3.1 refuses reply ${header} ${JSON.stringify(value)}: ReplyHeaderError ${reason}`, () => {
      expect(() => parseReplyHeaders(getter({ [header]: value })))
        .to.throw(ReplyHeaderError)
        .that.includes({ header, value, reason, code: 'INVALID_REPLY_HEADER' });
    });
  }

  it('§3.1 refuses two error flags in one reply (at most one)', () => {
    expect(() => parseReplyHeaders(getter({ [HEADER.nonexistingChannel]: '1', [HEADER.invalidAmount]: '1' })))
      .to.throw(ReplyHeaderError)
      .with.property('reason', 'multiple-error-flags');
  });

  it('encodeReplyHeaders validates its input', () => {
    expect(() => encodeReplyHeaders({ ...base, token: 'tok' })).to.throw(InvalidAddressError);
    expect(() => encodeReplyHeaders({ ...base, price: -1n })).to.throw(OutOfRangeError);
    expect(() => encodeReplyHeaders({ ...base, balanceSignature: '0x' })).to.throw(InvalidSignatureError);
  });
});
