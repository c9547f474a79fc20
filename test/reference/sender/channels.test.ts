/** Pure channel bookkeeping: events → state, the channel choice, and which server balances are adopted. */
import { expect } from 'chai';
import { signBalanceProof, type Address } from '../../../src/protocol/index.js';
import { deriveAccounts } from '../../../src/sim/index.js';
import { BalanceAboveDepositError, type StoredChannel } from '../../../src/reference/sender/index.js';
import { applyEvents, chooseChannel, isOwnProof, signBalance } from '../../../src/reference/sender/channels.js';
import type { AccountState } from '../../../src/reference/sender/store.js';
import type { ChannelEvent } from '../../../src/protocol/index.js';

const keys = deriveAccounts('sender-unit', 2);
const SENDER = keys.senders[0]!;
const OTHER = keys.senders[1]!;
const RECEIVER = keys.receiver.address;
const CONTRACT = '0x3216C6e7b75ed61De0D99B858e8cc348e82163eD' as Address;
const OTHER_CONTRACT = '0x60Ff4AB4a60031c732Ad615bBEefc7EFd80a7dC9' as Address;

function channel(over: Partial<StoredChannel> = {}): StoredChannel {
  return { receiver: RECEIVER, openBlock: 10, deposit: 100n, balance: 20n, withdrawn: 0n, status: 'open', ...over };
}

describe('sender channel bookkeeping', () => {
  it('applies ChannelCreated / ToppedUp / Withdraw / CloseRequested / Settled in order, keeping balances', () => {
    const state: AccountState = { syncedBlock: 0, channels: [] };
    const base = { sender: SENDER.address, receiver: RECEIVER, logIndex: 0 };
    const events: ChannelEvent[] = [
      { kind: 'created', ...base, openBlock: 10, deposit: 50n, block: 10 },
      { kind: 'toppedUp', ...base, openBlock: 10, added: 25n, block: 12 },
      { kind: 'toppedUp', ...base, openBlock: 99, added: 1n, block: 13 }, // unknown channel: ignored
      { kind: 'withdraw', ...base, openBlock: 10, withdrawn: 7n, block: 14 },
      { kind: 'withdraw', ...base, openBlock: 10, withdrawn: 3n, block: 15 },
    ];
    applyEvents(state, events, 500);
    state.channels[0]!.balance = 12n; // a proof the store holds
    expect(state.channels).to.deep.equal([{ receiver: RECEIVER, openBlock: 10, deposit: 75n, balance: 12n, withdrawn: 10n, status: 'open' }]);
    applyEvents(state, [{ kind: 'closeRequested', ...base, openBlock: 10, balance: 9n, block: 20 }], 500);
    expect(state.channels[0]).to.include({ status: 'closing', closingBalance: 9n, settleBlock: 520, balance: 12n });
    applyEvents(state, [{ kind: 'settled', ...base, openBlock: 10, balance: 12n, receiverTokens: 12n, block: 21 }], 500);
    expect(state.channels[0]).to.include({ status: 'settled', closingBalance: 12n });
  });

  it('chooses the latest open channel that covers the price, else tops it up by at least what is missing, else opens', () => {
    const policy = { initialDeposit: (p: bigint) => 10n * p, topUpAmount: () => 3n, depositLimit: 1000n };
    const older = channel({ openBlock: 5, deposit: 100n, balance: 0n });
    const newer = channel({ openBlock: 9, deposit: 30n, balance: 25n });
    const closing = channel({ openBlock: 11, deposit: 500n, balance: 0n, status: 'closing' });
    const state: AccountState = { syncedBlock: 0, channels: [older, newer, closing] };
    expect(chooseChannel(state, RECEIVER, 5n, policy)).to.deep.equal({ action: 'pay', channel: newer });
    expect(chooseChannel(state, RECEIVER, 6n, policy)).to.deep.equal({ action: 'pay', channel: older });
    const none = { syncedBlock: 0, channels: [newer] };
    expect(chooseChannel(none, RECEIVER, 6n, policy)).to.deep.equal({ action: 'topUp', channel: newer, amount: 3n });
    expect(chooseChannel(none, RECEIVER, 9n, policy)).to.deep.equal({ action: 'topUp', channel: newer, amount: 4n });
    expect(chooseChannel(none, RECEIVER, 9n, { ...policy, depositLimit: 33n })).to.deep.equal({ action: 'open', deposit: 90n });
    expect(chooseChannel(none, OTHER.address, 2n, policy)).to.deep.equal({ action: 'open', deposit: 20n });
    expect(chooseChannel(none, OTHER.address, 2n, { ...policy, initialDeposit: () => 1n })).to.deep.equal({ action: 'open', deposit: 2n });
  });

  it('never signs above the deposit', () => {
    expect(signBalance(SENDER.privateKey, CONTRACT, channel(), 100n)).to.match(/^0x[0-9a-f]{130}$/);
    expect(() => signBalance(SENDER.privateKey, CONTRACT, channel(), 101n))
      .to.throw(BalanceAboveDepositError)
      .with.property('deposit', 100n);
  });

  it('adopts a reported balance only with this sender’s own proof for that balance, channel, receiver and contract', () => {
    const ch = channel();
    const proof = (over: { key?: `0x${string}`; receiver?: string; openBlock?: number; balance?: bigint; contract?: string } = {}) =>
      signBalanceProof(over.key ?? SENDER.privateKey, {
        receiver: over.receiver ?? RECEIVER,
        openBlock: over.openBlock ?? 10,
        balance: over.balance ?? 40n,
        contract: over.contract ?? CONTRACT,
      });
    expect(isOwnProof(SENDER.address, CONTRACT, ch, 40n, proof())).to.equal(true);
    expect(isOwnProof(SENDER.address, CONTRACT, ch, 40n, proof({ key: OTHER.privateKey })), 'another signer').to.equal(false);
    expect(isOwnProof(SENDER.address, CONTRACT, ch, 41n, proof()), 'another balance').to.equal(false);
    expect(isOwnProof(SENDER.address, CONTRACT, ch, 40n, proof({ openBlock: 11 })), 'another channel').to.equal(false);
    expect(isOwnProof(SENDER.address, CONTRACT, ch, 40n, proof({ receiver: OTHER.address })), 'another receiver').to.equal(false);
    expect(isOwnProof(SENDER.address, CONTRACT, ch, 40n, proof({ contract: OTHER_CONTRACT })), 'another contract').to.equal(false);
    expect(isOwnProof(SENDER.address, CONTRACT, ch, 40n, undefined), 'no proof').to.equal(false);
    expect(isOwnProof(SENDER.address, CONTRACT, ch, 40n, '0x1234'), 'garbage').to.equal(false);
    expect(isOwnProof(SENDER.address, CONTRACT, ch, 200n, proof({ balance: 200n })), 'above the deposit').to.equal(false);
  });
});
