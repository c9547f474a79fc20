import { expect } from 'chai';
import { ethers } from 'ethers';
import {
  CHANNELS_ABI,
  CHANNEL_EVENT_TOPICS,
  decodeChannelLog,
  BALANCE_PROOF_MESSAGE_ID,
  BALANCE_PROOF_SCHEMA_HASH,
  CLOSING_MESSAGE_ID,
  CLOSING_SCHEMA_HASH,
  InvalidAddressError,
  InvalidIntegerError,
  MAX_UINT192,
  MAX_UINT32,
  OutOfRangeError,
  balanceMessageHash,
  channelKey,
  closingMessageHash,
  encodeOpenData,
  encodeTopUpData,
  isAddress,
  sameAddress,
  toChecksumAddress,
} from '../../src/protocol/index.js';
import { addressOf, uintOf } from './helpers.js';

const SCHEMA_TYPES = ['string', 'string', 'string', 'string', 'string'];

/** The §1.2/§1.3 hash computed with ethers, independently of our packing. */
function ethersTypedHash(schema: string[], id: string, party: string, openBlock: number, balance: bigint, contract: string): string {
  const data = ethers.solidityPackedKeccak256(['string', 'address', 'uint32', 'uint192', 'address'], [id, party, openBlock, balance, contract]);
  return ethers.solidityPackedKeccak256(['bytes32', 'bytes32'], [ethers.solidityPackedKeccak256(SCHEMA_TYPES, schema), data]);
}
const BALANCE_SCHEMA = ['string message_id', 'address receiver', 'uint32 block_created', 'uint192 balance', 'address contract'];
const CLOSING_SCHEMA = ['string message_id', 'address sender', 'uint32 block_created', 'uint192 balance', 'address contract'];

describe('protocol: addresses (§3.1, EIP-55)', () => {
  // The EIP-55 test vectors.
  const vectors = [
    '0x52908400098527886E0F7030069857D2E4169EE7',
    '0x8617E340B3D01FA5F11F306F4090FD50E238070D',
    '0xde709f2102306220921060314715629080e2fb77',
    '0x27b1fdb04752bbc536007a920d24acb045561c26',
    '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
    '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359',
    '0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB',
    '0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb',
  ];

  it('EIP-55: checksums the EIP test vectors from lower and upper case', () => {
    for (const v of vectors) {
      expect(toChecksumAddress(v.toLowerCase())).to.equal(v);
      expect(toChecksumAddress(`0x${v.slice(2).toUpperCase()}`)).to.equal(v);
    }
  });

  it('EIP-55: agrees with ethers.getAddress on 50 derived addresses', () => {
    for (let i = 0; i < 50; i++) {
      const a = addressOf(`eip55 ${i}`);
      expect(toChecksumAddress(a)).to.equal(ethers.getAddress(a));
    }
  });

  it('§3.1 accepts a wrongly-checksummed mixed-case address and re-cases it (compare case-insensitively)', () => {
    const wrong = '0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed';
    expect(() => ethers.getAddress(wrong)).to.throw(); // ethers refuses it; §3.1 does not
    expect(toChecksumAddress(wrong)).to.equal('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed');
  });

  for (const bad of [
    '',
    '0x',
    '5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
    '0X5aaeb6053f3e94c9b9a09f33669435e7ef1beaed',
    '0x5aaeb6053f3e94c9b9a09f33669435e7ef1bea',
    '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed00',
    '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaeg',
    ' 0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed',
    'example.eth',
  ]) {
    it(`refuses ${JSON.stringify(bad)} with InvalidAddressError carrying the value`, () => {
      expect(() => toChecksumAddress(bad))
        .to.throw(InvalidAddressError)
        .with.property('value', bad);
      expect(isAddress(bad)).to.equal(false);
    });
  }

  it('sameAddress compares case-insensitively and refuses non-addresses', () => {
    const a = vectors[4]!;
    expect(sameAddress(a, a.toLowerCase())).to.equal(true);
    expect(sameAddress(a, vectors[5]!)).to.equal(false);
    expect(() => sameAddress(a, '0x1234'))
      .to.throw(InvalidAddressError)
      .with.property('value', '0x1234');
    expect(() => sameAddress('nope', a)).to.throw(InvalidAddressError);
  });
});

describe('protocol: message hashes (§1.1–§1.3)', () => {
  it('§1.2 the balance proof schema hash in SPEC is keccak of the schema strings', () => {
    expect(ethers.solidityPackedKeccak256(SCHEMA_TYPES, BALANCE_SCHEMA)).to.equal(BALANCE_PROOF_SCHEMA_HASH);
    expect(BALANCE_PROOF_SCHEMA_HASH).to.equal('0x58609bfe78970060668532972d17b7dead82d88aa62966110094cd806a421d9c');
  });

  it('§1.3 the closing schema hash in SPEC is keccak of the schema strings', () => {
    expect(ethers.solidityPackedKeccak256(SCHEMA_TYPES, CLOSING_SCHEMA)).to.equal(CLOSING_SCHEMA_HASH);
    expect(CLOSING_SCHEMA_HASH).to.equal('0x9d3122a6193f337abb0b13a1e6d57b164a6acb15d825b38a5bd2e66af512f09f');
  });

  const cases = [
    { openBlock: 0, balance: 0n },
    { openBlock: 1, balance: 1n },
    { openBlock: Number(MAX_UINT32), balance: MAX_UINT192 },
    ...Array.from({ length: 30 }, (_, i) => ({ openBlock: Number(uintOf(`block ${i}`, 32)), balance: uintOf(`balance ${i}`, 1 + ((i * 37) % 192)) })),
  ];

  it('§1.2 balanceMessageHash equals ethers solidityPackedKeccak256 on edge and derived inputs', () => {
    cases.forEach(({ openBlock, balance }, i) => {
      const receiver = addressOf(`receiver ${i}`);
      const contract = addressOf(`contract ${i}`);
      expect(balanceMessageHash({ receiver, openBlock, balance, contract })).to.equal(
        ethersTypedHash(BALANCE_SCHEMA, BALANCE_PROOF_MESSAGE_ID, receiver, openBlock, balance, contract),
      );
    });
  });

  it('§1.3 closingMessageHash equals ethers solidityPackedKeccak256 on edge and derived inputs', () => {
    cases.forEach(({ openBlock, balance }, i) => {
      const sender = addressOf(`sender ${i}`);
      const contract = addressOf(`contract ${i}`);
      expect(closingMessageHash({ sender, openBlock, balance, contract })).to.equal(
        ethersTypedHash(CLOSING_SCHEMA, CLOSING_MESSAGE_ID, sender, openBlock, balance, contract),
      );
    });
  });

  it('§1.2/§1.3 the hashes ignore address case', () => {
    const receiver = addressOf('case');
    const m = { receiver, openBlock: 7, balance: 5n, contract: addressOf('case contract') };
    expect(balanceMessageHash({ ...m, receiver: receiver.toUpperCase().replace('0X', '0x') })).to.equal(balanceMessageHash(m));
  });

  it('§1.2 balance and closing hashes of the same values differ (domain separation by schema and id)', () => {
    const a = addressOf('x');
    const c = addressOf('c');
    expect(balanceMessageHash({ receiver: a, openBlock: 1, balance: 1n, contract: c })).not.to.equal(
      closingMessageHash({ sender: a, openBlock: 1, balance: 1n, contract: c }),
    );
  });

  const m = { receiver: addressOf('r'), openBlock: 1, balance: 1n, contract: addressOf('c') };
  it('§1.1 refuses an open block beyond uint32 or negative with OutOfRangeError (field, value, bounds)', () => {
    const err = (() => {
      try {
        balanceMessageHash({ ...m, openBlock: 2 ** 32 });
      } catch (e) {
        return e;
      }
    })();
    expect(err).to.be.instanceOf(OutOfRangeError);
    expect(err).to.include({ field: 'openBlock', value: 2n ** 32n, min: 0n, max: MAX_UINT32, code: 'OUT_OF_RANGE' });
    expect(() => closingMessageHash({ sender: m.receiver, openBlock: -1, balance: 1n, contract: m.contract })).to.throw(OutOfRangeError);
  });

  it('§1.1 refuses a non-integer open block with InvalidIntegerError', () => {
    for (const openBlock of [1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      expect(() => balanceMessageHash({ ...m, openBlock }))
        .to.throw(InvalidIntegerError)
        .with.property('field', 'openBlock');
    }
  });

  it('§1.1 refuses a balance beyond uint192 or negative, and a non-bigint balance', () => {
    expect(() => balanceMessageHash({ ...m, balance: MAX_UINT192 + 1n }))
      .to.throw(OutOfRangeError)
      .with.property('value', MAX_UINT192 + 1n);
    expect(() => balanceMessageHash({ ...m, balance: -1n }))
      .to.throw(OutOfRangeError)
      .with.property('field', 'balance');
    expect(() => balanceMessageHash({ ...m, balance: 5 as unknown as bigint })).to.throw(InvalidIntegerError);
  });

  it('§1.1 refuses invalid addresses in messages', () => {
    expect(() => balanceMessageHash({ ...m, receiver: '0x12' }))
      .to.throw(InvalidAddressError)
      .with.property('value', '0x12');
    expect(() => closingMessageHash({ sender: m.receiver, openBlock: 1, balance: 1n, contract: 'x' })).to.throw(InvalidAddressError);
  });
});

describe('protocol: channel key and ERC223 data (§1.5)', () => {
  const sender = addressOf('key sender');
  const receiver = addressOf('key receiver');

  it('§1.5 channelKey = keccak(sender ‖ receiver ‖ uint32 open block), as ethers computes it', () => {
    for (const openBlock of [0, 1, 255, 256, 1_000_000, Number(MAX_UINT32)]) {
      expect(channelKey(sender, receiver, openBlock)).to.equal(ethers.solidityPackedKeccak256(['address', 'address', 'uint32'], [sender, receiver, openBlock]));
    }
  });

  it('§1.5 open data is 40 bytes sender ‖ receiver, top-up data 44 bytes with uint32 open block', () => {
    expect(encodeOpenData(sender, receiver)).to.equal(ethers.solidityPacked(['address', 'address'], [sender, receiver]));
    expect((encodeOpenData(sender, receiver).length - 2) / 2).to.equal(40);
    const topUp = encodeTopUpData(sender, receiver, 0x01020304);
    expect(topUp).to.equal(ethers.solidityPacked(['address', 'address', 'uint32'], [sender, receiver, 0x01020304]));
    expect(topUp.endsWith('01020304')).to.equal(true);
    expect((topUp.length - 2) / 2).to.equal(44);
  });

  it('§1.5 outputs are lower-case hex whatever the input case', () => {
    const upper = `0x${sender.slice(2).toUpperCase()}`;
    expect(encodeOpenData(upper, receiver)).to.equal(encodeOpenData(sender, receiver));
    expect(encodeOpenData(upper, receiver)).to.match(/^0x[0-9a-f]+$/);
  });

  it('§1.5 range and address checks', () => {
    expect(() => channelKey(sender, receiver, 2 ** 32)).to.throw(OutOfRangeError);
    expect(() => encodeTopUpData(sender, receiver, -1)).to.throw(OutOfRangeError);
    expect(() => encodeOpenData(sender, 'bob'))
      .to.throw(InvalidAddressError)
      .with.property('value', 'bob');
  });
});

describe('protocol: channel events (§2)', () => {
  const iface = new ethers.Interface(CHANNELS_ABI);

  it('CHANNEL_EVENT_TOPICS are the topic0 of the five §2 events', () => {
    for (const [kind, name] of [
      ['created', 'ChannelCreated'],
      ['toppedUp', 'ChannelToppedUp'],
      ['closeRequested', 'ChannelCloseRequested'],
      ['settled', 'ChannelSettled'],
      ['withdraw', 'ChannelWithdraw'],
    ] as const) {
      expect(CHANNEL_EVENT_TOPICS[kind], name).to.equal(iface.getEvent(name)!.topicHash);
    }
  });

  it('decodeChannelLog reads sender, receiver, open block and amounts as ethers encodes them; ChannelCreated opens at its log block', () => {
    const sender = '0x00000000000000000000000000000000000000aa';
    const receiver = '0x00000000000000000000000000000000000000bb';
    const created = iface.encodeEventLog('ChannelCreated', [sender, receiver, 100n]);
    expect(decodeChannelLog({ ...created, blockNumber: 42, logIndex: 3 })).to.deep.equal({
      kind: 'created',
      sender: ethers.getAddress(sender),
      receiver: ethers.getAddress(receiver),
      openBlock: 42,
      block: 42,
      logIndex: 3,
      deposit: 100n,
    });
    const settled = iface.encodeEventLog('ChannelSettled', [sender, receiver, 7, 30n, 25n]);
    expect(decodeChannelLog({ ...settled, blockNumber: 99, logIndex: 0 })).to.deep.include({
      kind: 'settled',
      openBlock: 7,
      block: 99,
      balance: 30n,
      receiverTokens: 25n,
    });
    const other = iface.encodeFunctionData('token');
    expect(decodeChannelLog({ topics: [ethers.id('Transfer(address,address,uint256)')], data: other, blockNumber: 1, logIndex: 0 })).to.equal(undefined);
  });
});
