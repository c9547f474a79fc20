/**
 * Every typed refusal of the sender, reached against the real proxy and manager: the error's
 * class, code and the values it carries, and that nothing was paid or opened when it should not.
 */
import { expect } from 'chai';
import http from 'node:http';
import path from 'node:path';
import { writeFileSync, readFileSync } from 'node:fs';
import { HEADER, ReplyHeaderError, encodeReplyHeaders, signBalanceProof, signClosing } from '../../../src/protocol/index.js';
import { deployContracts } from '../../../src/contracts/index.js';
import {
  BalanceAboveDepositError,
  BudgetExceededError,
  CloseRefusedError,
  ConfirmationsTimeoutError,
  ContractMismatchError,
  DepositLimitError,
  InsufficientTokensError,
  InvalidClosingSignatureError,
  PaymentRefusedError,
  PriceAboveCapError,
  ReceiverNotAllowedError,
  type SenderRefusal,
  UnknownChannelError,
  isRefusal,
} from '../../../src/reference/sender/index.js';
import { CONFIRMATIONS, sleep, startRig, tokenBalance, waitFor, type Rig } from './helpers.js';

async function refusal<T extends SenderRefusal>(promise: Promise<unknown>, type: abstract new (...args: never[]) => T): Promise<T> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'expected a refusal').to.be.instanceOf(type);
  expect(isRefusal(err)).to.equal(true);
  return err as T;
}

describe('sender refusals (real proxy, real manager, deterministic chain)', function () {
  this.timeout(120_000);
  let rig: Rig;
  before(async function () {
    this.timeout(120_000);
    rig = await startRig({ senders: 10 });
  });
  after(async () => rig?.close());

  it('price above the cap: PriceAboveCapError(price, cap); nothing opened', async () => {
    const c = await rig.client(0, { policy: { maxPrice: 4n } });
    const err = await refusal(c.fetch(`${rig.url}/echofix/x`), PriceAboveCapError);
    expect(err).to.include({ code: 'PRICE_ABOVE_CAP', price: 5n, cap: 4n, url: `${rig.url}/echofix/x` });
    expect(c.channels()).to.have.length(0);
    // Under the cap the same client pays.
    const ok = await c.fetch(`${rig.url}/echodyn/abcd`);
    expect(ok.status).to.equal(200);
    expect(await ok.text()).to.equal('abcd');
  });

  it('receiver not allowed: ReceiverNotAllowedError(receiver, allowed)', async () => {
    const other = rig.chain.accounts.thirdParty.address;
    const c = await rig.client(1, { policy: { allowedReceivers: [other] } });
    const err = await refusal(c.fetch(`${rig.url}/echofix/x`), ReceiverNotAllowedError);
    expect(err.code).to.equal('RECEIVER_NOT_ALLOWED');
    expect(err.receiver).to.equal(rig.receiver);
    expect(err.allowed).to.deep.equal([other]);
    expect(c.channels()).to.have.length(0);
  });

  it('budget spent: BudgetExceededError(spent, price, budget); the balance stays', async () => {
    const c = await rig.client(2, { policy: { maxTotalSpend: 7n } });
    expect((await c.fetch(`${rig.url}/echofix/1`)).status).to.equal(200);
    const err = await refusal(c.fetch(`${rig.url}/echofix/2`), BudgetExceededError);
    expect(err).to.include({ code: 'BUDGET_EXCEEDED', spent: 5n, price: 5n, budget: 7n });
    expect(c.channels()[0]!.balance).to.equal(5n);
    expect(c.spent).to.equal(5n);
    // A cheaper request still fits.
    expect((await c.fetch(`${rig.url}/echodyn/ab`)).status).to.equal(200);
    expect(c.spent).to.equal(7n);
  });

  it('proof refused by the server: PaymentRefusedError with the flag (Invalid-Amount when resync is not allowed)', async () => {
    const a = await rig.client(3, { storePath: path.join(rig.dir, 'refused-a.json') });
    expect((await a.fetch(`${rig.url}/echofix/1`)).status).to.equal(200);
    // A second device of the same sender, with no store and no resynchronisation allowed.
    const b = await rig.client(3, { storePath: path.join(rig.dir, 'refused-b.json'), maxResyncs: 0 });
    const err = await refusal(b.fetch(`${rig.url}/echofix/2`), PaymentRefusedError);
    expect(err).to.include({ code: 'PAYMENT_REFUSED', status: 402, balance: 5n });
    expect(err.flag === 'RDN-Invalid-Amount' || err.flag === 'RDN-Invalid-Balance-Proof', String(err.flag)).to.equal(true);
    expect(rig.manager.channel(a.address, a.channels()[0]!.openBlock)!.balance).to.equal(5n);
  });

  it('proof refused by the server: PaymentRefusedError with RDN-Invalid-Balance-Proof for a balance above the confirmed deposit', async () => {
    const store = path.join(rig.dir, 'tampered.json');
    const a = await rig.client(4, { storePath: store, policy: { initialDeposit: 10n } });
    expect((await a.fetch(`${rig.url}/echofix/1`)).status).to.equal(200);
    expect((await a.fetch(`${rig.url}/echofix/2`)).status).to.equal(200);
    // The store says the deposit is 100 (it is 10): the client signs 15, which the server must refuse.
    const file = JSON.parse(readFileSync(store, 'utf8')) as { accounts: Record<string, { channels: { deposit: string }[] }> };
    for (const account of Object.values(file.accounts)) account.channels[0]!.deposit = '100';
    writeFileSync(store, JSON.stringify(file));
    const b = await rig.client(4, { storePath: store });
    const err = await refusal(b.fetch(`${rig.url}/echofix/3`), PaymentRefusedError);
    expect(err).to.include({ flag: 'RDN-Invalid-Balance-Proof', balance: 15n });
    expect(rig.manager.channel(b.address, b.channels()[0]!.openBlock)!.balance).to.equal(10n);
  });

  it('confirmations never came: ConfirmationsTimeoutError after the bounded retries; the channel is reused once they come', async () => {
    const waits: number[] = [];
    const c = await rig.client(5, {
      retry: {
        attempts: 3,
        initialDelayMs: 5,
        maxDelayMs: 20,
        factor: 2,
        wait: async ({ delayMs }) => {
          waits.push(delayMs);
          await sleep(delayMs);
        },
      },
    });
    const err = await refusal(c.fetch(`${rig.url}/echofix/slow`), ConfirmationsTimeoutError);
    expect(err).to.include({ code: 'CONFIRMATIONS_TIMEOUT', attempts: 3 });
    expect(waits, 'exponential backoff, capped').to.deep.equal([5, 10, 20]);
    expect(err.waitedMs).to.equal(35);
    expect(err.flag === 'RDN-Insufficient-Confirmations' || err.flag === 'RDN-Nonexisting-Channel', String(err.flag)).to.equal(true);
    const [ch] = c.channels();
    expect(ch!.balance, 'nothing was paid').to.equal(0n);

    await rig.chain.mine(CONFIRMATIONS);
    await waitFor(() => rig.manager.channel(c.address, ch!.openBlock)?.state === 'open', 'the manager to confirm the channel');
    expect((await c.fetch(`${rig.url}/echofix/now`)).status).to.equal(200);
    expect(c.channels()).to.have.length(1);
    expect(c.channels()[0]).to.include({ openBlock: ch!.openBlock, balance: 5n });
  });

  it('insufficient tokens: InsufficientTokensError(needed, available) before any transaction', async () => {
    const sender = rig.chain.accounts.senders[6]!;
    const held = await tokenBalance(rig.chain, sender.address);
    await (await rig.chain.token.connect(sender.wallet)['transfer(address,uint256)'](rig.chain.accounts.thirdParty.address, held - 7n)).wait();
    const c = await rig.client(6, { policy: { initialDeposit: 50n } });
    const nonce = await rig.chain.provider.getTransactionCount(sender.address);
    const err = await refusal(c.fetch(`${rig.url}/echofix/x`), InsufficientTokensError);
    expect(err).to.include({ code: 'INSUFFICIENT_TOKENS', needed: 50n, available: 7n });
    expect(await rig.chain.provider.getTransactionCount(sender.address), 'no transaction sent').to.equal(nonce);
    expect(c.channels()).to.have.length(0);
  });

  it('deposit above the contract limit: DepositLimitError; a balance above the deposit is never signed: BalanceAboveDepositError', async () => {
    const c = await rig.client(7);
    const limit = 100n * 10n ** 18n;
    const err = await refusal(c.openChannel(rig.receiver, limit + 1n), DepositLimitError);
    expect(err).to.include({ total: limit + 1n, limit });

    const ch = await c.openChannel(rig.receiver, 10n);
    expect(await c.signTransfer(rig.receiver, ch.openBlock, 10n)).to.include({ balance: 10n });
    const above = await refusal(c.signTransfer(rig.receiver, ch.openBlock, 1n), BalanceAboveDepositError);
    expect(above).to.include({ balance: 11n, deposit: 10n });
    expect(c.channel(rig.receiver, ch.openBlock)!.balance).to.equal(10n);

    await refusal(c.topUp(rig.receiver, ch.openBlock + 1000, 1n), UnknownChannelError);
  });

  it('cooperative close refused by the receiver (no payment on the channel): CloseRefusedError(status, reason)', async () => {
    const c = await rig.client(8);
    const ch = await c.openChannel(rig.receiver, 10n);
    await rig.chain.mine(CONFIRMATIONS);
    await waitFor(() => rig.manager.channel(c.address, ch.openBlock)?.state === 'open', 'the manager to confirm the channel');
    const err = await refusal(c.closeCooperatively(rig.receiver, ch.openBlock, { gateway: `${rig.url}/api/1` }), CloseRefusedError);
    expect(err).to.include({ code: 'CLOSE_REFUSED', status: 400, balance: 0n });
    expect(err.reason).to.be.a('string').and.not.equal('');
    expect(c.channel(rig.receiver, ch.openBlock)!.status).to.equal('open');
  });

  it('a closing signature not made by the receiver is refused before use: InvalidClosingSignatureError', async () => {
    const c = await rig.client(8);
    expect((await c.fetch(`${rig.url}/echofix/x`)).status).to.equal(200);
    const ch = c.channels({ status: 'open' })[0]!;
    // A gateway that answers the DELETE with a signature by someone else (here the third party).
    const impostor = rig.chain.accounts.thirdParty;
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d));
      req.on('end', () => {
        const { balance } = JSON.parse(body) as { balance: string };
        const sig = signClosing(impostor.privateKey, { sender: c.address, openBlock: ch.openBlock, balance: BigInt(balance), contract: rig.contract });
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ close_signature: sig }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as { port: number }).port;
      const nonce = await rig.chain.provider.getTransactionCount(c.address);
      const err = await refusal(c.closeCooperatively(rig.receiver, ch.openBlock, { gateway: `http://127.0.0.1:${port}/api/1` }), InvalidClosingSignatureError);
      expect(err).to.include({ code: 'INVALID_CLOSING_SIGNATURE', signer: impostor.address, receiver: rig.receiver });
      expect(await rig.chain.provider.getTransactionCount(c.address), 'nothing submitted').to.equal(nonce);
      expect(c.channel(rig.receiver, ch.openBlock)!.status).to.equal('open');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('a server claiming a higher balance without this sender’s proof is not believed: PaymentRefusedError, nothing adopted', async () => {
    const c = await rig.client(9, { policy: { initialDeposit: 20n } });
    const impostor = rig.chain.accounts.thirdParty;
    let ch: { openBlock: number } | undefined;
    // A paywall that asks 5, then answers every payment with Invalid-Amount and a "registered"
    // balance of 15 whose proof is signed by someone else.
    const server = http.createServer((req, res) => {
      const base = { receiver: rig.receiver, contract: rig.contract, token: rig.chain.addresses.token, price: 5n };
      const openBlock = req.headers[HEADER.openBlock.toLowerCase()];
      const headers =
        openBlock === undefined
          ? encodeReplyHeaders(base)
          : encodeReplyHeaders({
              ...base,
              sender: c.address,
              senderBalance: 15n,
              balanceSignature: signBalanceProof(impostor.privateKey, {
                receiver: rig.receiver,
                openBlock: Number(openBlock),
                balance: 15n,
                contract: rig.contract,
              }),
              error: HEADER.invalidAmount,
            });
      if (openBlock !== undefined) ch = { openBlock: Number(openBlock) };
      res.writeHead(402, headers).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as { port: number }).port;
      const err = await refusal(c.fetch(`http://127.0.0.1:${port}/x`), PaymentRefusedError);
      expect(err).to.include({ flag: 'RDN-Invalid-Amount', balance: 5n });
      expect(err.message).to.include("reports balance 15 without this sender's proof");
      expect(c.channel(rig.receiver, ch!.openBlock)!.balance).to.equal(0n);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('a malformed µRaiden 402 is refused with the protocol’s ReplyHeaderError; a 402 of another scheme is returned as is', async () => {
    const c = await rig.client(9);
    const server = http.createServer((req, res) => {
      if (req.url === '/bad') res.writeHead(402, { [HEADER.price]: '5 tokens', [HEADER.receiver]: rig.receiver }).end();
      else res.writeHead(402, { 'www-authenticate': 'Bearer' }).end('pay elsewhere');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as { port: number }).port;
      const err = await c.fetch(`http://127.0.0.1:${port}/bad`).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(ReplyHeaderError).and.include({ header: HEADER.price, reason: 'not-decimal' });
      const other = await c.fetch(`http://127.0.0.1:${port}/other`);
      expect(other.status).to.equal(402);
      expect(await other.text()).to.equal('pay elsewhere');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('a 402 for another contract: ContractMismatchError', async () => {
    const other = await deployContracts(rig.chain.accounts.deployer.wallet, { challengePeriod: 500 });
    const otherAddress = await other.channels.getAddress();
    const c = await rig.client(9, { contract: otherAddress });
    const err = await refusal(c.fetch(`${rig.url}/echofix/x`), ContractMismatchError);
    expect(err).to.include({ code: 'CONTRACT_MISMATCH', field: 'contract', offered: rig.contract, expected: c.contract });
    expect(c.channels()).to.have.length(0);
  });
});
