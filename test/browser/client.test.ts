/**
 * uraiden-kit/browser in Node, against the real parts: the kit's chain, the reference proxy over
 * HTTP, and the test wallet (an EIP-1193 provider signing with a sender's key). The v1 typed data
 * it asks wallets to sign is checked three ways: the kit's protocol core (§1.2/§1.3), MetaMask's
 * eth-sig-util, and the test wallet's own ethers-based hash.
 */
import { recoverTypedSignature, SignTypedDataVersion, signTypedData, typedSignatureHash } from '@metamask/eth-sig-util';
import { expect } from 'chai';
import {
  BalanceAboveDepositError,
  balanceProofTypedData,
  closingTypedData,
  createWebClient,
  NoChannelError,
  PriceAboveCapError,
  ReceiverNotAllowedError,
  WalletRejectedError,
  WalletSignatureMismatchError,
  type WebClient,
  WrongChainError,
  ChallengePeriodError,
  type KeyValueStorage,
} from '../../src/browser/index.js';
import {
  balanceMessageHash,
  closingMessageHash,
  type Hex,
  privateKeyToAddress,
  signBalanceProof,
  signClosing,
  toChecksumAddress,
} from '../../src/protocol/index.js';
import { echoResources } from '../../src/reference/receiver/index.js';
import { type Account, createTestWallet, type TestWallet, typedDataV1Hash } from '../../src/sim/index.js';
import { CONFIRMATIONS, type Rig, startRig, waitFor } from '../reference/receiver/proxy/helpers.js';

/** localStorage's semantics on a Map. */
function memoryStorage(): KeyValueStorage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v), removeItem: (k) => void map.delete(k) };
}

describe('uraiden-kit/browser', () => {
  describe('v1 typed data: the hash a wallet signs is SPEC §1.2 / §1.3', () => {
    const messages = [
      { receiver: '0x00000000000000000000000000000000000000aa', openBlock: 1, balance: 0n, contract: '0x1234567890123456789012345678901234567890' },
      {
        receiver: '0xAbCdEf0123456789aBcDeF0123456789AbCdEf01',
        openBlock: 4_294_967_295,
        balance: 2n ** 192n - 1n,
        contract: '0xfffFFfFffFfffFffFFFfFFFfFffFFFfFFfFfFfFf',
      },
      {
        receiver: '0x5AeDA56215b167893e80B4fE645BA6d5Bab767DE',
        openBlock: 1234,
        balance: 5n * 10n ** 18n + 7n,
        contract: '0x0000000000000000000000000000000000000001',
      },
    ];
    const key = `0x${'4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318'}` as Hex;
    for (const m of messages) {
      it(`balance proof and closing message, balance ${m.balance}, open block ${m.openBlock}`, () => {
        const proof = balanceProofTypedData(m);
        expect(typedSignatureHash(proof)).to.equal(balanceMessageHash(m));
        expect(typedDataV1Hash(proof)).to.equal(balanceMessageHash(m));
        // Both sign with RFC 6979 nonces and low s: the very same 65 bytes.
        const theirs = signTypedData({ privateKey: Buffer.from(key.slice(2), 'hex'), data: proof, version: SignTypedDataVersion.V1 });
        expect(theirs).to.equal(signBalanceProof(key, m));
        const closing = { sender: m.receiver, openBlock: m.openBlock, balance: m.balance, contract: m.contract };
        const close = closingTypedData(closing);
        expect(typedSignatureHash(close)).to.equal(closingMessageHash(closing));
        expect(recoverTypedSignature({ data: close, signature: signClosing(key, closing), version: SignTypedDataVersion.V1 })).to.equal(
          privateKeyToAddress(key).toLowerCase(),
        );
      });
    }
    it('carries the field names and types of the original web client', () => {
      const data = balanceProofTypedData(messages[2]!);
      expect(data.map((f) => `${f.type} ${f.name}`)).to.deep.equal([
        'string message_id',
        'address receiver',
        'uint32 block_created',
        'uint192 balance',
        'address contract',
      ]);
      expect(data.map((f) => f.value)).to.deep.equal([
        'Sender balance proof signature',
        toChecksumAddress(messages[2]!.receiver),
        '1234',
        '5000000000000000007',
        '0x0000000000000000000000000000000000000001',
      ]);
    });
  });

  describe('a sender in a browser, against the reference proxy on the kit chain', () => {
    let rig: Rig;
    let url: string;
    let next = 0;
    before(async function () {
      this.timeout(120_000);
      rig = await startRig(echoResources(), { senders: 10 });
      url = (await rig.proxy.listen()).url;
    });
    after(async () => rig?.close());

    function setup(options: { maxPrice?: bigint; allowedReceivers?: string[] } = {}): {
      sender: Account;
      wallet: TestWallet;
      client: WebClient;
      storage: ReturnType<typeof memoryStorage>;
    } {
      const sender = rig.chain.accounts.senders[next++]!;
      const wallet = createTestWallet({ provider: rig.chain.ganache, privateKey: sender.privateKey });
      const storage = memoryStorage();
      const client = createWebClient({
        wallet,
        chainId: rig.chain.chainId,
        contract: rig.contract,
        token: rig.chain.addresses.token,
        receiver: rig.receiver,
        gatewayUrl: `${url}/api/1`,
        storage,
        pollIntervalMs: 20,
        ...options,
      });
      return { sender, wallet, client, storage };
    }

    /** Pays `path` with the client's cookie values, as the page does after a reload. */
    async function get(client: WebClient, path: string, price: bigint): Promise<Response> {
      const p = await client.signPayment(price);
      const cookie = `RDN-Sender-Address=${p.sender}; RDN-Open-Block=${p.openBlock}; RDN-Sender-Balance=${p.balance}; RDN-Balance-Signature=${p.signature}`;
      return fetch(`${url}${path}`, { headers: { cookie } });
    }

    async function confirmed(client: WebClient, block: number): Promise<void> {
      await rig.chain.mine(CONFIRMATIONS);
      await client.waitForConfirmations(block, CONFIRMATIONS);
      await waitFor(async () => (await client.receiverView())?.deposit === (await client.channelInfo())?.deposit, 'the receiver to count the deposit');
    }

    it('opens by ERC223, pays by cookie, tops up, refuses above the deposit, closes cooperatively: exact balances on chain', async () => {
      const { sender, client, wallet } = setup();
      expect(await client.connect()).to.equal(undefined); // not given the account yet
      expect(await client.connect({ prompt: true })).to.equal(sender.address);
      const tokensBefore = await client.tokenBalance();
      expect(await client.tokenInfo()).to.deep.equal({ symbol: 'UKT', decimals: 18 });
      const channel = await client.openChannel(10n);
      const progress: string[] = [];
      await rig.chain.mine(CONFIRMATIONS);
      await client.waitForConfirmations(channel.openBlock, CONFIRMATIONS, (k, n) => progress.push(`${k}/${n}`));
      expect(progress.at(-1)).to.equal(`${CONFIRMATIONS}/${CONFIRMATIONS}`);
      await waitFor(async () => (await client.receiverView()) !== undefined, 'the receiver to see the channel');
      expect((await get(client, '/echofix/one', 5n)).status).to.equal(200);
      expect((await get(client, '/echofix/two', 5n)).status).to.equal(200);
      const refused = await client.signPayment(5n).catch((e: unknown) => e);
      expect(refused).to.be.instanceOf(BalanceAboveDepositError).and.include({ balance: 15n, deposit: 10n });
      const { block } = await client.topUp(7n);
      await confirmed(client, block);
      expect((await get(client, '/echodyn/seven77', 7n)).status).to.equal(200);
      expect(client.channel()).to.include({ balance: 17n, status: 'open' });
      const { balance } = await client.closeCooperatively();
      expect(balance).to.equal(17n);
      expect(client.channel()?.status).to.equal('settled');
      expect(await client.tokenBalance()).to.equal(tokensBefore - 17n);
      expect(wallet.requests).to.include.members(['eth_requestAccounts', 'eth_signTypedData', 'eth_sendTransaction', 'eth_call']);
    });

    it('opens and tops up by approve + createChannel / topUp (ERC20 path)', async () => {
      const { client } = setup();
      await client.connect({ prompt: true });
      const channel = await client.openChannel(20n, { via: 'erc20' });
      const { block } = await client.topUp(5n, { via: 'erc20' });
      await rig.chain.mine(CONFIRMATIONS);
      expect(block).to.be.above(channel.openBlock);
      expect(await client.channelInfo()).to.include({ deposit: 25n, settleBlock: 0 });
    });

    it('refuses what the Node sender refuses: a price above the cap, a receiver not allowed', async () => {
      const { client } = setup({ maxPrice: 4n });
      await client.connect({ prompt: true });
      expect(await client.signPayment(5n).catch((e: unknown) => e))
        .to.be.instanceOf(PriceAboveCapError)
        .and.include({ price: 5n, cap: 4n, code: 'PRICE_ABOVE_CAP' });
      const other = setup({ allowedReceivers: [rig.chain.accounts.thirdParty.address] });
      await other.client.connect({ prompt: true });
      expect(await other.client.openChannel(10n).catch((e: unknown) => e))
        .to.be.instanceOf(ReceiverNotAllowedError)
        .and.include({ receiver: rig.receiver });
      expect(await other.client.signPayment(1n).catch((e: unknown) => e)).to.be.instanceOf(ReceiverNotAllowedError);
      expect(await client.signPayment(1n).catch((e: unknown) => e), 'no channel yet').to.be.instanceOf(NoChannelError);
    });

    it('rebuilds a lost channel from the events at /stats sync_block and resynchronises its balance from the 402', async () => {
      const { client, storage, wallet } = setup();
      await client.connect({ prompt: true });
      const channel = await client.openChannel(50n);
      await confirmed(client, channel.openBlock);
      expect((await get(client, '/echofix/a', 5n)).status).to.equal(200);
      expect((await get(client, '/echofix/b', 5n)).status).to.equal(200);
      storage.map.clear(); // the person cleared the site's data
      wallet.requests.length = 0;
      const found = await client.recoverChannel();
      expect(found).to.include({ openBlock: channel.openBlock, balance: 0n, status: 'open', recovered: true });
      expect(wallet.requests).to.include('eth_getLogs');
      const stale = await get(client, '/echofix/c', 5n); // signs 5: the receiver has 10
      expect(stale.status).to.equal(402);
      expect(stale.headers.get('RDN-Invalid-Amount')).to.equal('1');
      expect(client.adoptProof(BigInt(stale.headers.get('RDN-Sender-Balance')!), stale.headers.get('RDN-Balance-Signature')!)).to.equal(true);
      expect(client.adoptProof(99n, stale.headers.get('RDN-Balance-Signature')!), 'not its own signature for 99').to.equal(false);
      expect(client.channel()?.recovered, 'the balance is known again').to.equal(undefined);
      expect((await get(client, '/echofix/c', 5n)).status).to.equal(200);
      expect(client.channel()?.balance).to.equal(15n);
    });

    it('closes without the receiver and settles after the challenge period', async () => {
      const { client } = setup();
      await client.connect({ prompt: true });
      const channel = await client.openChannel(30n);
      await confirmed(client, channel.openBlock);
      expect((await get(client, '/echofix/a', 5n)).status).to.equal(200);
      const before = await client.tokenBalance();
      const { settleBlock } = await client.closeUncooperatively();
      expect(client.channel()).to.include({ status: 'closing', settleBlock });
      expect(await client.settle().catch((e: unknown) => e)).to.be.instanceOf(ChallengePeriodError);
      await rig.chain.mine(settleBlock - (await rig.chain.blockNumber()));
      await client.settle();
      expect(client.channel()?.status).to.equal('settled');
      expect(await client.tokenBalance()).to.equal(before + 25n);
    });

    it('says no in typed errors when the wallet declines, is on another chain, or signs something else', async () => {
      const { client, wallet, sender } = setup();
      await client.connect({ prompt: true });
      await client.openChannel(10n);
      wallet.rejectSignatures = true;
      expect(await client.signPayment(1n).catch((e: unknown) => e))
        .to.be.instanceOf(WalletRejectedError)
        .and.include({ method: 'eth_signTypedData' });
      wallet.rejectSignatures = false;
      wallet.wrongChainId = 5;
      expect(await client.connect().catch((e: unknown) => e))
        .to.be.instanceOf(WrongChainError)
        .and.include({ walletChainId: 5, expectedChainId: rig.chain.chainId });
      await client.switchChain();
      expect(wallet.wrongChainId).to.equal(undefined);
      // A wallet that signs the proof's hash with the "personal" prefix: not what the contract checks.
      const liar = createWebClient({
        wallet: {
          request: async (args) =>
            args.method === 'eth_signTypedData'
              ? signClosing(sender.privateKey, { sender: sender.address, openBlock: 1, balance: 1n, contract: rig.contract })
              : wallet.request(args),
        },
        chainId: rig.chain.chainId,
        contract: rig.contract,
        token: rig.chain.addresses.token,
        receiver: rig.receiver,
        storage: memoryStorage(),
      });
      await liar.connect({ prompt: true });
      await liar.recoverChannel(0);
      expect(await liar.signPayment(1n).catch((e: unknown) => e))
        .to.be.instanceOf(WalletSignatureMismatchError)
        .and.include({ account: sender.address });
    });
  });
});
