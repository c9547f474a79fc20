/**
 * SPEC §2, row by row: each call succeeding, and each of its rules refused with its reason.
 */
import { expect } from 'chai';
import { ContractFactory, ZeroAddress, solidityPackedKeccak256 } from 'ethers';
import { RaidenMicroTransferChannels__factory } from '../../src/contracts/generated/bindings/index.js';
import { CHALLENGE_PERIOD, LIMIT, TOKEN, closing, eventsOf, expectRevert, mined, openChannel, openData, proof, topUpData, useChain } from './fixture.js';
import { highS, signHash, withV, balanceHash } from './sign.js';

/** Init code of a contract that answers every call with 32 zero bytes: a "token" with totalSupply() == 0. */
const ZERO_ANSWERING_INITCODE = '0x69600060005260206000f3600052600a6016f3';

describe('§2 RaidenMicroTransferChannels rules', () => {
  const chain = useChain();
  const c = () => chain();

  describe('§2 constructor', () => {
    async function deploy(token: string, period: number, trusted: string[] = []) {
      const factory = new RaidenMicroTransferChannels__factory(c().accounts.deployer.wallet);
      const contract = await factory.deploy(token, period, trusted);
      await contract.waitForDeployment();
      return contract;
    }

    it('§2 sets owner, token, challenge period, limit, version 0.2.1; trusts only entries with code', async () => {
      const token = await c().token.getAddress();
      const delegate = await c().delegate.getAddress();
      const eoa = c().accounts.thirdParty.address;
      const contract = await deploy(token, 600, [eoa, delegate]);
      expect(await contract.owner_address()).to.equal(c().accounts.deployer.address);
      expect(await contract.token()).to.equal(token);
      expect(await contract.challenge_period()).to.equal(600n);
      expect(await contract.channel_deposit_bugbounty_limit()).to.equal(LIMIT);
      expect(await contract.version()).to.equal('0.2.1');
      expect(await contract.trusted_contracts(delegate)).to.equal(true);
      expect(await contract.trusted_contracts(eoa)).to.equal(false);
      const receipt = await c().provider.getTransactionReceipt(contract.deploymentTransaction()!.hash);
      const events = eventsOf(receipt!, contract.interface, await contract.getAddress());
      expect(events.map((e) => [e.name, e.args._trusted_contract_address, e.args._trusted_status])).to.deep.equal([['TrustedContract', delegate, true]]);
    });

    it('§2 refuses a zero token address', async () => {
      await expectRevert(deploy(ZeroAddress, 500), 'token is zero');
    });

    it('§2 refuses a token address without code', async () => {
      await expectRevert(deploy(c().accounts.thirdParty.address, 500), 'token has no code');
    });

    it('§2 refuses a challenge period below 500 (499) and accepts exactly 500', async () => {
      const token = await c().token.getAddress();
      await expectRevert(deploy(token, 499), 'challenge period < 500');
      expect(await (await deploy(token, 500)).challenge_period()).to.equal(500n);
    });

    it('§2 refuses a token whose totalSupply() is 0', async () => {
      const factory = new ContractFactory([], ZERO_ANSWERING_INITCODE, c().accounts.deployer.wallet);
      const zero = await factory.deploy();
      await zero.waitForDeployment();
      await expectRevert(deploy(await zero.getAddress(), 500), 'token has no supply');
    });
  });

  describe('§2 tokenFallback (ERC223)', () => {
    it('§2 opens with 40 bytes of data (sender ‖ receiver) and emits ChannelCreated', async () => {
      const { token, channels, accounts } = c();
      const [sender] = accounts.senders;
      const receipt = await mined(
        token
          .connect(sender!.wallet)
          ['transfer(address,uint256,bytes)'](await channels.getAddress(), 10n * TOKEN, openData(sender!.address, accounts.receiver.address)),
      );
      const [event] = eventsOf(receipt, channels.interface, await channels.getAddress());
      expect(event?.name).to.equal('ChannelCreated');
      expect(event?.args).to.deep.equal({ _sender_address: sender!.address, _receiver_address: accounts.receiver.address, _deposit: 10n * TOKEN });
      const info = await channels.getChannelInfo(sender!.address, accounts.receiver.address, receipt.blockNumber);
      expect(info[1]).to.equal(10n * TOKEN);
    });

    it('§2 tops up with 44 bytes of data (‖ open block)', async () => {
      const { token, channels, accounts } = c();
      const [sender] = accounts.senders;
      const openBlock = await openChannel(c(), sender!, accounts.receiver.address, 5n);
      const receipt = await mined(
        token
          .connect(sender!.wallet)
          ['transfer(address,uint256,bytes)'](await channels.getAddress(), 7n, topUpData(sender!.address, accounts.receiver.address, openBlock)),
      );
      const [event] = eventsOf(receipt, channels.interface, await channels.getAddress());
      expect(event?.name).to.equal('ChannelToppedUp');
      expect(event?.args._added_deposit).to.equal(7n);
      expect((await channels.getChannelInfo(sender!.address, accounts.receiver.address, openBlock))[1]).to.equal(12n);
    });

    it('§2 refuses a caller that is not the token', async () => {
      const { channels, accounts } = c();
      const [sender] = accounts.senders;
      await expectRevert(
        channels.connect(sender!.wallet).tokenFallback(sender!.address, 1n, openData(sender!.address, accounts.receiver.address)),
        'not the token',
      );
    });

    it('§2 refuses a deposit that does not fit uint192', async () => {
      const { token, channels, accounts } = c();
      const [sender] = accounts.senders;
      const huge = 2n ** 192n;
      await mined(token['mint(address,uint256)'](sender!.address, huge));
      await expectRevert(
        token
          .connect(sender!.wallet)
          ['transfer(address,uint256,bytes)'](await channels.getAddress(), huge, openData(sender!.address, accounts.receiver.address)),
        'deposit > uint192',
      );
    });

    for (const length of [0, 20, 39, 41, 43, 45]) {
      it(`§1.5 §2 refuses data of ${length} bytes`, async () => {
        const { token, channels, accounts } = c();
        const [sender] = accounts.senders;
        const data = `0x${`${sender!.address.slice(2)}${accounts.receiver.address.slice(2)}${'00'.repeat(10)}`.slice(0, length * 2)}`;
        await expectRevert(token.connect(sender!.wallet)['transfer(address,uint256,bytes)'](await channels.getAddress(), 1n, data), 'bad data length');
      });
    }

    it('§2 refuses data naming another sender when the payer is not trusted', async () => {
      const { token, channels, accounts } = c();
      const [sender, other] = accounts.senders;
      await expectRevert(
        token.connect(sender!.wallet)['transfer(address,uint256,bytes)'](await channels.getAddress(), 1n, openData(other!.address, accounts.receiver.address)),
        'sender mismatch',
      );
    });

    it('§2 lets a trusted contract pay for a channel of another sender', async () => {
      const { token, channels, delegate, accounts } = c();
      const [sender] = accounts.senders;
      await mined(token['mint(address,uint256)'](await delegate.getAddress(), 3n));
      const receipt = await mined(delegate.transferWithData(3n, openData(sender!.address, accounts.receiver.address)));
      const info = await channels.getChannelInfo(sender!.address, accounts.receiver.address, receipt.blockNumber);
      expect(info[1]).to.equal(3n);
    });
  });

  describe('§2 createChannel / *open*', () => {
    it('§2 opens at block.number with the deposit pulled after approve', async () => {
      const { token, channels, accounts } = c();
      const [sender] = accounts.senders;
      const before = await token.balanceOf(sender!.address);
      const openBlock = await openChannel(c(), sender!, accounts.receiver.address, LIMIT);
      expect(await token.balanceOf(sender!.address)).to.equal(before - LIMIT);
      expect(await token.balanceOf(await channels.getAddress())).to.equal(LIMIT);
      const key = await channels.getKey(sender!.address, accounts.receiver.address, openBlock);
      expect(await channels.channels(key)).to.deep.equal([LIMIT, BigInt(openBlock)]);
    });

    it('§2 allows a zero deposit', async () => {
      const { channels, accounts } = c();
      const [sender] = accounts.senders;
      const openBlock = await openChannel(c(), sender!, accounts.receiver.address, 0n);
      expect((await channels.getChannelInfo(sender!.address, accounts.receiver.address, openBlock))[1]).to.equal(0n);
    });

    it('§2 refuses a deposit above the bug-bounty limit', async () => {
      const { token, channels, accounts } = c();
      const [sender] = accounts.senders;
      await mined(token.connect(sender!.wallet).approve(await channels.getAddress(), LIMIT + 1n));
      await expectRevert(channels.connect(sender!.wallet).createChannel(accounts.receiver.address, LIMIT + 1n), 'deposit > limit');
    });

    it('§2 refuses without approval', async () => {
      const { channels, accounts } = c();
      await expectRevert(channels.connect(accounts.senders[0]!.wallet).createChannel(accounts.receiver.address, 1n), 'allowance too low');
    });

    it('§2 refuses a second channel for the same pair in the same block', async () => {
      const { token, channels, provider, accounts } = c();
      const sender = accounts.senders[0]!;
      await mined(token.connect(sender.wallet).approve(await channels.getAddress(), 10n));
      await provider.send('miner_stop', []);
      const nonce = await provider.getTransactionCount(sender.address);
      const first = await channels.connect(sender.wallet).createChannel(accounts.receiver.address, 1n, { nonce, gasLimit: 200_000n });
      const second = await channels.connect(sender.wallet).createChannel(accounts.receiver.address, 1n, { nonce: nonce + 1, gasLimit: 200_000n });
      await provider.send('evm_mine', []);
      await provider.send('miner_start', []);
      const r1 = await provider.getTransactionReceipt(first.hash);
      const r2 = await provider.getTransactionReceipt(second.hash);
      expect(r1?.blockNumber).to.equal(r2?.blockNumber);
      expect([r1?.status, r2?.status]).to.deep.equal([1, 0]);
    });
  });

  describe('§2 createChannelDelegate', () => {
    it('§2 a trusted contract opens for a sender, tokens pulled from the contract', async () => {
      const { token, channels, delegate, accounts } = c();
      const [sender] = accounts.senders;
      const delegateAddress = await delegate.getAddress();
      await mined(token['mint(address,uint256)'](delegateAddress, 9n));
      const receipt = await mined(delegate.createChannel(sender!.address, accounts.receiver.address, 9n));
      expect(await token.balanceOf(delegateAddress)).to.equal(0n);
      expect((await channels.getChannelInfo(sender!.address, accounts.receiver.address, receipt.blockNumber))[1]).to.equal(9n);
    });

    it('§2 refuses a caller that is not trusted', async () => {
      const { channels, accounts } = c();
      const [sender] = accounts.senders;
      await expectRevert(channels.connect(sender!.wallet).createChannelDelegate(sender!.address, accounts.receiver.address, 0n), 'not trusted');
    });

    it('§2 refuses a removed trusted contract', async () => {
      const { channels, delegate, accounts } = c();
      await mined(channels.removeTrustedContracts([await delegate.getAddress()]));
      await expectRevert(delegate.createChannel(accounts.senders[0]!.address, accounts.receiver.address, 0n), 'not trusted');
    });

    it('§2 refuses a deposit above the limit', async () => {
      const { token, delegate, accounts } = c();
      await mined(token['mint(address,uint256)'](await delegate.getAddress(), LIMIT + 1n));
      await expectRevert(delegate.createChannel(accounts.senders[0]!.address, accounts.receiver.address, LIMIT + 1n), 'deposit > limit');
    });
  });

  describe('§2 topUp / topUpDelegate / *top-up*', () => {
    async function approveAndTopUp(openBlock: number, added: bigint, receiver?: string) {
      const { token, channels, accounts } = c();
      const sender = accounts.senders[0]!;
      await mined(token.connect(sender.wallet).approve(await channels.getAddress(), added));
      return mined(channels.connect(sender.wallet).topUp(receiver ?? accounts.receiver.address, openBlock, added));
    }

    it('§2 adds to the deposit and emits ChannelToppedUp', async () => {
      const { channels, accounts } = c();
      const sender = accounts.senders[0]!;
      const openBlock = await openChannel(c(), sender, accounts.receiver.address, 10n);
      const receipt = await approveAndTopUp(openBlock, 90n * TOKEN);
      const [event] = eventsOf(receipt, channels.interface, await channels.getAddress());
      expect(event?.name).to.equal('ChannelToppedUp');
      expect(event?.args).to.deep.equal({
        _sender_address: sender.address,
        _receiver_address: accounts.receiver.address,
        _open_block_number: BigInt(openBlock),
        _added_deposit: 90n * TOKEN,
      });
      expect((await channels.getChannelInfo(sender.address, accounts.receiver.address, openBlock))[1]).to.equal(90n * TOKEN + 10n);
    });

    it('§2 refuses adding 0', async () => {
      const openBlock = await openChannel(c(), c().accounts.senders[0]!, c().accounts.receiver.address, 10n);
      await expectRevert(approveAndTopUp(openBlock, 0n), 'zero top-up');
    });

    it('§2 refuses open block 0', async () => {
      await expectRevert(approveAndTopUp(0, 1n), 'zero open block');
    });

    it('§2 refuses a channel that does not exist (wrong open block, wrong receiver)', async () => {
      const openBlock = await openChannel(c(), c().accounts.senders[0]!, c().accounts.receiver.address, 10n);
      await expectRevert(approveAndTopUp(openBlock + 1, 1n), 'no channel');
      await expectRevert(approveAndTopUp(openBlock, 1n, c().accounts.thirdParty.address), 'no channel');
    });

    it('§2 refuses after a close request', async () => {
      const { channels, accounts } = c();
      const openBlock = await openChannel(c(), accounts.senders[0]!, accounts.receiver.address, 10n);
      await mined(channels.connect(accounts.senders[0]!.wallet).uncooperativeClose(accounts.receiver.address, openBlock, 1n));
      await expectRevert(approveAndTopUp(openBlock, 1n), 'close requested');
    });

    it('§2 refuses a total deposit above the limit, accepts exactly the limit', async () => {
      const openBlock = await openChannel(c(), c().accounts.senders[0]!, c().accounts.receiver.address, LIMIT - 5n);
      await expectRevert(approveAndTopUp(openBlock, 6n), 'deposit > limit');
      await approveAndTopUp(openBlock, 5n);
    });

    it('§2 topUpDelegate: a trusted contract tops up, others are refused', async () => {
      const { token, channels, delegate, accounts } = c();
      const sender = accounts.senders[0]!;
      const openBlock = await openChannel(c(), sender, accounts.receiver.address, 10n);
      await mined(token['mint(address,uint256)'](await delegate.getAddress(), 4n));
      await mined(delegate.topUp(sender.address, accounts.receiver.address, openBlock, 4n));
      expect((await channels.getChannelInfo(sender.address, accounts.receiver.address, openBlock))[1]).to.equal(14n);
      await expectRevert(channels.connect(sender.wallet).topUpDelegate(sender.address, accounts.receiver.address, openBlock, 1n), 'not trusted');
    });
  });

  describe('§2 withdraw', () => {
    async function setup(deposit = 100n) {
      const { accounts } = c();
      const sender = accounts.senders[0]!;
      const openBlock = await openChannel(c(), sender, accounts.receiver.address, deposit);
      return { sender, openBlock };
    }
    const withdraw = async (openBlock: number, balance: bigint, sig: string) =>
      mined(c().channels.connect(c().accounts.receiver.wallet).withdraw(openBlock, balance, sig));

    it('§2 pays balance − withdrawn to the receiver and emits ChannelWithdraw with the delta', async () => {
      const { token, channels, accounts } = c();
      const { sender, openBlock } = await setup();
      await withdraw(openBlock, 30n, await proof(c(), sender, accounts.receiver.address, openBlock, 30n));
      const receipt = await withdraw(openBlock, 45n, await proof(c(), sender, accounts.receiver.address, openBlock, 45n));
      expect(await token.balanceOf(accounts.receiver.address)).to.equal(45n);
      const [event] = eventsOf(receipt, channels.interface, await channels.getAddress());
      expect(event?.name).to.equal('ChannelWithdraw');
      expect(event?.args).to.deep.equal({
        _sender_address: sender.address,
        _receiver_address: accounts.receiver.address,
        _open_block_number: BigInt(openBlock),
        _withdrawn_balance: 15n,
      });
      const key = await channels.getKey(sender.address, accounts.receiver.address, openBlock);
      expect(await channels.withdrawn_balances(key)).to.equal(45n);
      expect((await channels.getChannelInfo(sender.address, accounts.receiver.address, openBlock))[4]).to.equal(45n);
    });

    it('§2 refuses balance 0', async () => {
      const { sender, openBlock } = await setup();
      await expectRevert(withdraw(openBlock, 0n, await proof(c(), sender, c().accounts.receiver.address, openBlock, 0n)), 'zero balance');
    });

    it('§2 refuses a proof made for another receiver (recovers a sender without channel)', async () => {
      const { sender, openBlock } = await setup();
      await expectRevert(withdraw(openBlock, 10n, await proof(c(), sender, c().accounts.thirdParty.address, openBlock, 10n)), 'no channel');
    });

    it('§2 refuses a proof for a balance other than the one claimed', async () => {
      const { sender, openBlock } = await setup();
      await expectRevert(withdraw(openBlock, 11n, await proof(c(), sender, c().accounts.receiver.address, openBlock, 10n)), 'no channel');
    });

    it('§2 refuses during a close request', async () => {
      const { sender, openBlock } = await setup();
      await mined(c().channels.connect(sender.wallet).uncooperativeClose(c().accounts.receiver.address, openBlock, 50n));
      await expectRevert(withdraw(openBlock, 10n, await proof(c(), sender, c().accounts.receiver.address, openBlock, 10n)), 'close requested');
    });

    it('§2 refuses a balance above the deposit', async () => {
      const { sender, openBlock } = await setup();
      await expectRevert(withdraw(openBlock, 101n, await proof(c(), sender, c().accounts.receiver.address, openBlock, 101n)), 'balance > deposit');
    });

    it('§2 refuses a balance not above what was withdrawn (replay or lower)', async () => {
      const { sender, openBlock } = await setup();
      const sig = await proof(c(), sender, c().accounts.receiver.address, openBlock, 30n);
      await withdraw(openBlock, 30n, sig);
      await expectRevert(withdraw(openBlock, 30n, sig), 'already withdrawn');
      await expectRevert(withdraw(openBlock, 20n, await proof(c(), sender, c().accounts.receiver.address, openBlock, 20n)), 'already withdrawn');
    });
  });

  describe('§2 cooperativeClose', () => {
    it('§2 anyone may submit both signatures; settles at the balance', async () => {
      const { token, channels, accounts } = c();
      const sender = accounts.senders[0]!;
      const openBlock = await openChannel(c(), sender, accounts.receiver.address, 100n);
      const before = await token.balanceOf(sender.address);
      const receipt = await mined(
        channels
          .connect(accounts.thirdParty.wallet)
          .cooperativeClose(
            accounts.receiver.address,
            openBlock,
            40n,
            await proof(c(), sender, accounts.receiver.address, openBlock, 40n),
            await closing(c(), accounts.receiver, sender.address, openBlock, 40n),
          ),
      );
      expect(await token.balanceOf(accounts.receiver.address)).to.equal(40n);
      expect(await token.balanceOf(sender.address)).to.equal(before + 60n);
      const [event] = eventsOf(receipt, channels.interface, await channels.getAddress());
      expect(event?.name).to.equal('ChannelSettled');
      expect(event?.args).to.deep.equal({
        _sender_address: sender.address,
        _receiver_address: accounts.receiver.address,
        _open_block_number: BigInt(openBlock),
        _balance: 40n,
        _receiver_tokens: 40n,
      });
      await expectRevert(channels.getChannelInfo(sender.address, accounts.receiver.address, openBlock), 'no channel');
    });

    it('§2 refuses a closing signature by someone other than the receiver', async () => {
      const { channels, accounts } = c();
      const sender = accounts.senders[0]!;
      const openBlock = await openChannel(c(), sender, accounts.receiver.address, 100n);
      await expectRevert(
        channels.cooperativeClose(
          accounts.receiver.address,
          openBlock,
          40n,
          await proof(c(), sender, accounts.receiver.address, openBlock, 40n),
          await closing(c(), accounts.thirdParty, sender.address, openBlock, 40n),
        ),
        'closing signer mismatch',
      );
    });

    it('§2 refuses signatures over another balance, a balance above the deposit, a missing channel', async () => {
      const { channels, accounts } = c();
      const sender = accounts.senders[0]!;
      const r = accounts.receiver;
      const openBlock = await openChannel(c(), sender, r.address, 100n);
      await expectRevert(
        channels.cooperativeClose(
          r.address,
          openBlock,
          41n,
          await proof(c(), sender, r.address, openBlock, 41n),
          await closing(c(), r, sender.address, openBlock, 40n),
        ),
        'closing signer mismatch',
      );
      await expectRevert(
        channels.cooperativeClose(
          r.address,
          openBlock,
          101n,
          await proof(c(), sender, r.address, openBlock, 101n),
          await closing(c(), r, sender.address, openBlock, 101n),
        ),
        'balance > deposit',
      );
      await expectRevert(
        channels.cooperativeClose(
          r.address,
          openBlock + 1,
          1n,
          await proof(c(), sender, r.address, openBlock + 1, 1n),
          await closing(c(), r, sender.address, openBlock + 1, 1n),
        ),
        'no channel',
      );
    });

    it('§2 refuses a balance below what was withdrawn', async () => {
      const { channels, accounts } = c();
      const sender = accounts.senders[0]!;
      const r = accounts.receiver;
      const openBlock = await openChannel(c(), sender, r.address, 100n);
      await mined(channels.connect(r.wallet).withdraw(openBlock, 50n, await proof(c(), sender, r.address, openBlock, 50n)));
      await expectRevert(
        channels.cooperativeClose(
          r.address,
          openBlock,
          49n,
          await proof(c(), sender, r.address, openBlock, 49n),
          await closing(c(), r, sender.address, openBlock, 49n),
        ),
        'balance < withdrawn',
      );
    });
  });

  describe('§2 uncooperativeClose', () => {
    it('§2 records the balance and settle block = block.number + challenge period; emits ChannelCloseRequested', async () => {
      const { channels, accounts } = c();
      const sender = accounts.senders[0]!;
      const openBlock = await openChannel(c(), sender, accounts.receiver.address, 100n);
      const receipt = await mined(channels.connect(sender.wallet).uncooperativeClose(accounts.receiver.address, openBlock, 25n));
      const info = await channels.getChannelInfo(sender.address, accounts.receiver.address, openBlock);
      expect([info[2], info[3]]).to.deep.equal([BigInt(receipt.blockNumber + CHALLENGE_PERIOD), 25n]);
      const key = await channels.getKey(sender.address, accounts.receiver.address, openBlock);
      expect(await channels.closing_requests(key)).to.deep.equal([25n, BigInt(receipt.blockNumber + CHALLENGE_PERIOD)]);
      const [event] = eventsOf(receipt, channels.interface, await channels.getAddress());
      expect(event?.name).to.equal('ChannelCloseRequested');
      expect(event?.args).to.deep.equal({
        _sender_address: sender.address,
        _receiver_address: accounts.receiver.address,
        _open_block_number: BigInt(openBlock),
        _balance: 25n,
      });
    });

    it('§2 refuses anyone but the sender (no channel under their key)', async () => {
      const { channels, accounts } = c();
      const openBlock = await openChannel(c(), accounts.senders[0]!, accounts.receiver.address, 100n);
      await expectRevert(channels.connect(accounts.receiver.wallet).uncooperativeClose(accounts.receiver.address, openBlock, 1n), 'no channel');
    });

    it('§2 refuses a second request', async () => {
      const { channels, accounts } = c();
      const sender = accounts.senders[0]!;
      const openBlock = await openChannel(c(), sender, accounts.receiver.address, 100n);
      await mined(channels.connect(sender.wallet).uncooperativeClose(accounts.receiver.address, openBlock, 1n));
      await expectRevert(channels.connect(sender.wallet).uncooperativeClose(accounts.receiver.address, openBlock, 2n), 'close requested');
    });

    it('§2 refuses a balance above the deposit', async () => {
      const { channels, accounts } = c();
      const sender = accounts.senders[0]!;
      const openBlock = await openChannel(c(), sender, accounts.receiver.address, 100n);
      await expectRevert(channels.connect(sender.wallet).uncooperativeClose(accounts.receiver.address, openBlock, 101n), 'balance > deposit');
    });

    it('§2 fix: refuses a balance below what was withdrawn (0.2.0 accepted it and locked the channel)', async () => {
      const { channels, accounts } = c();
      const sender = accounts.senders[0]!;
      const r = accounts.receiver;
      const openBlock = await openChannel(c(), sender, r.address, 100n);
      await mined(channels.connect(r.wallet).withdraw(openBlock, 50n, await proof(c(), sender, r.address, openBlock, 50n)));
      await expectRevert(channels.connect(sender.wallet).uncooperativeClose(r.address, openBlock, 49n), 'balance < withdrawn');
      await mined(channels.connect(sender.wallet).uncooperativeClose(r.address, openBlock, 50n));
    });
    it('§2 refuses a settle block beyond uint32 (overflow-checked)', async () => {
      const { token, accounts } = c();
      const sender = accounts.senders[0]!;
      const factory = new RaidenMicroTransferChannels__factory(accounts.deployer.wallet);
      const longPeriod = await factory.deploy(await token.getAddress(), 2 ** 32 - 1, []);
      await longPeriod.waitForDeployment();
      await mined(token.connect(sender.wallet).approve(await longPeriod.getAddress(), 1n));
      const opened = await mined(longPeriod.connect(sender.wallet).createChannel(accounts.receiver.address, 1n));
      await expectRevert(longPeriod.connect(sender.wallet).uncooperativeClose(accounts.receiver.address, opened.blockNumber, 1n), 'settle block overflow');
    });
  });

  describe('§2 settle', () => {
    it('§2 refuses without a close request', async () => {
      const { channels, accounts } = c();
      const openBlock = await openChannel(c(), accounts.senders[0]!, accounts.receiver.address, 100n);
      await expectRevert(channels.connect(accounts.senders[0]!.wallet).settle(accounts.receiver.address, openBlock), 'no close request');
    });

    it('§2 refuses at exactly the settle block, settles one block later', async () => {
      const { channels, accounts } = c();
      const sender = accounts.senders[0]!;
      const openBlock = await openChannel(c(), sender, accounts.receiver.address, 100n);
      const receipt = await mined(channels.connect(sender.wallet).uncooperativeClose(accounts.receiver.address, openBlock, 25n));
      const settleBlock = receipt.blockNumber + CHALLENGE_PERIOD;
      // The settle transaction is mined in the block after the head.
      await c().mine(settleBlock - 1 - receipt.blockNumber);
      // Outside estimateGas the revert only shows as a failed receipt in the settle block itself.
      const early = await channels.connect(sender.wallet).settle(accounts.receiver.address, openBlock, { gasLimit: 300_000n });
      const failed = await c().provider.getTransactionReceipt(early.hash);
      expect([failed?.blockNumber, failed?.status]).to.deep.equal([settleBlock, 0]);
      const settled = await mined(channels.connect(sender.wallet).settle(accounts.receiver.address, openBlock));
      expect(settled.blockNumber).to.equal(settleBlock + 1);
    });

    it('§2 only the sender settles (the request is under the sender key)', async () => {
      const { channels, accounts } = c();
      const sender = accounts.senders[0]!;
      const openBlock = await openChannel(c(), sender, accounts.receiver.address, 100n);
      await mined(channels.connect(sender.wallet).uncooperativeClose(accounts.receiver.address, openBlock, 25n));
      await c().mine(CHALLENGE_PERIOD + 1);
      await expectRevert(channels.connect(accounts.receiver.wallet).settle(accounts.receiver.address, openBlock), 'no close request');
    });
  });

  describe('§2 views: getChannelInfo, getKey', () => {
    it('§2 getChannelInfo returns (key, deposit, settle block, closing balance, withdrawn) and refuses a missing channel', async () => {
      const { channels, accounts } = c();
      const sender = accounts.senders[0]!;
      const openBlock = await openChannel(c(), sender, accounts.receiver.address, 77n);
      const key = solidityPackedKeccak256(['address', 'address', 'uint32'], [sender.address, accounts.receiver.address, openBlock]);
      expect(await channels.getKey(sender.address, accounts.receiver.address, openBlock)).to.equal(key);
      expect(await channels.getChannelInfo(sender.address, accounts.receiver.address, openBlock)).to.deep.equal([key, 77n, 0n, 0n, 0n]);
      await expectRevert(channels.getChannelInfo(accounts.receiver.address, sender.address, openBlock), 'no channel');
    });
  });

  describe('§1.4 §2 signature recovery', () => {
    const receiverOf = () => c().accounts.receiver.address;
    async function recoverBalance(sig: string) {
      return c().channels.extractBalanceProofSignature(receiverOf(), 1234, 5n, sig);
    }
    async function signed() {
      const hash = balanceHash(receiverOf(), 1234, 5n, await c().channels.getAddress());
      return { sig: signHash(c().accounts.senders[0]!.privateKey, hash), signer: c().accounts.senders[0]!.address };
    }

    it('§1.4 accepts v 27/28 and the raw recovery id 0/1', async () => {
      const { sig, signer } = await signed();
      const v = Number.parseInt(sig.slice(-2), 16);
      expect(await recoverBalance(sig)).to.equal(signer);
      expect(await recoverBalance(withV(sig, v - 27))).to.equal(signer);
    });

    it('§1.4 accepts a high-s signature', async () => {
      const { sig, signer } = await signed();
      expect(await recoverBalance(highS(sig))).to.equal(signer);
    });

    for (const v of [2, 26, 29, 30, 35, 36]) {
      it(`§1.4 refuses v = ${v}`, async () => {
        const { sig } = await signed();
        await expectRevert(recoverBalance(withV(sig, v)), 'signature v');
      });
    }

    for (const length of [0, 64, 66]) {
      it(`§1.4 refuses a ${length}-byte signature`, async () => {
        const { sig } = await signed();
        const bytes = `${sig}00`.slice(2, 2 + length * 2);
        await expectRevert(recoverBalance(`0x${bytes}`), 'signature length');
      });
    }

    it('§1.4 refuses a signature ecrecover cannot recover (r = 0)', async () => {
      await expectRevert(recoverBalance(`0x${'00'.repeat(64)}1b`), 'invalid signature');
    });

    it('§1.3 extractClosingSignature recovers the receiver', async () => {
      const { channels, accounts } = c();
      const sig = await closing(c(), accounts.receiver, accounts.senders[0]!.address, 99, 3n);
      expect(await channels.extractClosingSignature(accounts.senders[0]!.address, 99, 3n, sig)).to.equal(accounts.receiver.address);
      expect(await channels.extractClosingSignature(accounts.senders[1]!.address, 99, 3n, sig)).to.not.equal(accounts.receiver.address);
    });
  });

  describe('§2 trusted contracts', () => {
    it('§2 owner adds (skipping addresses without code) and removes, each change emits TrustedContract', async () => {
      const { channels, token, accounts } = c();
      const tokenAddress = await token.getAddress();
      const address = await channels.getAddress();
      const added = await mined(channels.addTrustedContracts([tokenAddress, accounts.thirdParty.address]));
      expect(eventsOf(added, channels.interface, address).map((e) => [e.name, e.args._trusted_contract_address, e.args._trusted_status])).to.deep.equal([
        ['TrustedContract', tokenAddress, true],
      ]);
      expect(await channels.trusted_contracts(tokenAddress)).to.equal(true);
      expect(await channels.trusted_contracts(accounts.thirdParty.address)).to.equal(false);
      const removed = await mined(channels.removeTrustedContracts([tokenAddress, accounts.thirdParty.address]));
      expect(eventsOf(removed, channels.interface, address).map((e) => [e.args._trusted_contract_address, e.args._trusted_status])).to.deep.equal([
        [tokenAddress, false],
      ]);
      expect(await channels.trusted_contracts(tokenAddress)).to.equal(false);
    });

    it('§2 refuses anyone but the owner', async () => {
      const { channels, delegate, accounts } = c();
      const other = channels.connect(accounts.thirdParty.wallet);
      await expectRevert(other.addTrustedContracts([await delegate.getAddress()]), 'not owner');
      await expectRevert(other.removeTrustedContracts([await delegate.getAddress()]), 'not owner');
    });
  });

  describe("§2 test token: the original CustomToken's payable mint()", () => {
    it('gives 50 whole tokens to the caller for 0.1 ETH (no more for more ETH), with Transfer and Minted events', async () => {
      const buyer = c().accounts.senders[0]!;
      const token = c().token.connect(buyer.wallet);
      const before = await token.balanceOf(buyer.address);
      const receipt = await mined(token['mint()']({ value: 10n ** 17n }));
      expect((await token.balanceOf(buyer.address)) - before).to.equal(50n * TOKEN);
      const events = eventsOf(receipt, token.interface, await token.getAddress());
      expect(events.map((e) => e.name)).to.deep.equal(['Transfer', 'Minted']);
      expect([events[1]!.args._to, events[1]!.args._num]).to.deep.equal([buyer.address, 50n * TOKEN]);
      await mined(token['mint()']({ value: 10n ** 18n }));
      expect((await token.balanceOf(buyer.address)) - before).to.equal(100n * TOKEN);
    });

    it('refuses less than 0.1 ETH', async () => {
      const token = c().token.connect(c().accounts.senders[1]!.wallet);
      await expectRevert(token['mint()']({ value: 10n ** 17n - 1n }), 'send at least 0.1 ether');
    });
  });
});
