/**
 * §3.3 sessions of the reference sender against the real proxy and manager: concurrent senders,
 * fixed and dynamic prices, top-ups, a restarted client, a client that lost its store, free
 * resources.
 */
import { expect } from 'chai';
import path from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { HEADER } from '../../../src/protocol/index.js';
import type { SenderClient } from '../../../src/reference/sender/index.js';
import { CONFIRMATIONS, startRig, tokenBalance, waitFor, type Rig } from './helpers.js';

/** The price the §6 echo resources charge for a path. */
function priceOf(p: string): bigint {
  const [, kind, text] = p.split('/');
  return kind === 'echofix' ? 5n : BigInt([...decodeURIComponent(text!)].length);
}

async function getText(client: SenderClient, url: string): Promise<{ status: number; body: string; cost: bigint }> {
  const res = await client.fetch(url);
  return { status: res.status, body: await res.text(), cost: BigInt(res.headers.get(HEADER.cost) ?? '0') };
}

describe('sender sessions (real proxy, real manager, deterministic chain)', function () {
  this.timeout(120_000);
  let rig: Rig;
  before(async function () {
    this.timeout(120_000);
    rig = await startRig({ senders: 9 });
  });
  after(async () => rig?.close());

  it('four senders pay concurrently for fixed and dynamic prices; each final balance is exactly what it was charged', async () => {
    const senders = [0, 1, 2, 3];
    const clients = await Promise.all(senders.map((i) => rig.client(i)));
    const before = await Promise.all(senders.map((i) => tokenBalance(rig.chain, rig.chain.accounts.senders[i]!.address)));
    const plan = senders.map((i) => [
      `/echodyn/${'x'.repeat(i + 1)}`, // a small first price: a small deposit, so later requests top up
      '/echofix/a',
      '/echodyn/hello',
      '/echofix/b',
      `/echodyn/${'y'.repeat(7 + i)}`,
      '/echofix/c',
    ]);
    // Every request of every sender in flight at once.
    const results = await Promise.all(clients.map((client, i) => Promise.all(plan[i]!.map(async (p) => ({ p, ...(await getText(client, rig.url + p)) })))));
    for (const [i, client] of clients.entries()) {
      const expected = plan[i]!.reduce((sum, p) => sum + priceOf(p), 0n);
      for (const r of results[i]!) {
        expect(r.status, r.p).to.equal(200);
        expect(r.body).to.equal(decodeURIComponent(r.p.split('/')[2]!));
        expect(r.cost, r.p).to.equal(priceOf(r.p));
      }
      const charged = results[i]!.reduce((sum, r) => sum + r.cost, 0n);
      expect(charged).to.equal(expected);
      const open = client.channels({ status: 'open' });
      expect(open, 'one channel per sender').to.have.length(1);
      const ch = open[0]!;
      expect(ch.balance).to.equal(expected);
      expect(client.spent).to.equal(expected);
      expect(ch.deposit >= expected).to.equal(true);
      const server = rig.manager.channel(client.address, ch.openBlock)!;
      expect(server.balance).to.equal(expected);
      expect(server.deposit).to.equal(ch.deposit);
      // Nothing left the sender's wallet but the deposit.
      expect(await tokenBalance(rig.chain, client.address)).to.equal(before[i]! - ch.deposit);
    }
  });

  it('a restarted client (new object, same store file) keeps paying on the same channel without overpaying', async () => {
    const store = path.join(rig.dir, 'restart.json');
    const first = await rig.client(4, { storePath: store });
    expect((await getText(first, `${rig.url}/echofix/one`)).status).to.equal(200);
    expect((await getText(first, `${rig.url}/echodyn/two`)).status).to.equal(200);
    const [ch1] = first.channels({ status: 'open' });
    expect(ch1!.balance).to.equal(8n);

    // Count HTTP requests: a client that knows its balance pays in one round (unpaid + paid),
    // one that had to resynchronise would need more.
    const requests: string[] = [];
    const counting: typeof fetch = (input, init) => {
      requests.push(new Headers(init?.headers).has(HEADER.balanceSignature) ? 'paid' : 'unpaid');
      return fetch(input, init);
    };
    const second = await rig.client(4, { storePath: store, fetch: counting });
    // Balance and proof come from the store: events alone would say balance 0.
    expect(second.channels({ status: 'open' })).to.deep.equal(first.channels({ status: 'open' }));
    const r = await getText(second, `${rig.url}/echofix/three`);
    expect(requests).to.deep.equal(['unpaid', 'paid']);
    expect(r.status).to.equal(200);
    expect(r.cost).to.equal(5n);
    const [ch2] = second.channels({ status: 'open' });
    expect(ch2!.openBlock).to.equal(ch1!.openBlock);
    expect(ch2!.balance).to.equal(13n);
    expect(second.lastPayment).to.include({ url: `${rig.url}/echofix/three`, receiver: rig.receiver, openBlock: ch1!.openBlock, price: 5n, balance: 13n });
    expect(second.channels()).to.have.length(1);
    expect(rig.manager.channel(second.address, ch1!.openBlock)!.balance).to.equal(13n);
  });

  it('a client that lost its store rebuilds the channel from chain events and resynchronises from the server’s proof (§3.2 step 8)', async () => {
    const a = await rig.client(5, { storePath: path.join(rig.dir, 'device-a.json') });
    expect((await getText(a, `${rig.url}/echofix/a1`)).status).to.equal(200);
    expect((await getText(a, `${rig.url}/echofix/a2`)).status).to.equal(200);
    const [cha] = a.channels();

    const b = await rig.client(5, { storePath: path.join(rig.dir, 'device-b.json') });
    const [rebuilt] = b.channels();
    expect(rebuilt, 'rebuilt from ChannelCreated').to.include({ openBlock: cha!.openBlock, deposit: cha!.deposit, balance: 0n, status: 'open' });
    expect(rebuilt!.receiver).to.equal(rig.receiver);

    // b signs 0 + 5, the server answers Invalid-Amount with its proof of 10, which b adopts.
    const r = await getText(b, `${rig.url}/echodyn/bb`);
    expect(r.status).to.equal(200);
    expect(r.cost).to.equal(2n);
    expect(b.channel(rig.receiver, cha!.openBlock)!.balance).to.equal(12n);
    expect(rig.manager.channel(b.address, cha!.openBlock)!.balance).to.equal(12n);
    expect(b.spent).to.equal(2n);
  });

  it('tops up by approve + topUp when the policy says so, and opens by approve + createChannel', async () => {
    const c = await rig.client(6, { policy: { depositMethod: 'approve', initialDeposit: 6n, topUpAmount: 7n } });
    const tokensBefore = await tokenBalance(rig.chain, c.address);
    expect((await getText(c, `${rig.url}/echofix/1`)).status).to.equal(200);
    expect(c.channels()[0]!.deposit).to.equal(6n);
    expect((await getText(c, `${rig.url}/echofix/2`)).status).to.equal(200); // 10 > 6: top up by 7
    const [ch] = c.channels();
    expect(ch!.deposit).to.equal(13n);
    expect(ch!.balance).to.equal(10n);
    expect(rig.manager.channel(c.address, ch!.openBlock)!.deposit).to.equal(13n);
    expect(await tokenBalance(rig.chain, c.address)).to.equal(tokensBefore - 13n);
  });

  it('an injected ethers provider works like an RPC URL; ERC223 top-up when the deposit runs out', async () => {
    const c = await rig.client(7, { rpcUrl: undefined, provider: rig.chain.provider, policy: { initialDeposit: 5n, topUpAmount: 5n } });
    expect((await getText(c, `${rig.url}/echofix/p`)).status).to.equal(200);
    expect((await getText(c, `${rig.url}/echofix/q`)).status).to.equal(200);
    const [ch] = c.channels();
    expect(ch).to.include({ deposit: 10n, balance: 10n });
  });

  it('a channel the store still believes open but the chain has settled: Nonexisting-Channel, checked on chain, a new channel opened', async () => {
    const store = path.join(rig.dir, 'missed-settle.json');
    const a = await rig.client(8, { storePath: store, policy: { initialDeposit: 20n } });
    expect((await getText(a, `${rig.url}/echofix/1`)).status).to.equal(200);
    const [old] = a.channels({ status: 'open' });
    await a.closeCooperatively(rig.receiver, old!.openBlock);
    await rig.chain.mine(CONFIRMATIONS); // the manager sees the settlement
    await waitFor(() => rig.manager.channel(a.address, old!.openBlock)?.state !== 'open', 'the manager to see the close');
    // As if the Settled event had been missed: the store says open, and sync starts after it.
    const file = JSON.parse(readFileSync(store, 'utf8')) as { accounts: Record<string, { channels: { openBlock: number; status: string }[] }> };
    for (const account of Object.values(file.accounts)) for (const ch of account.channels) if (ch.openBlock === old!.openBlock) ch.status = 'open';
    writeFileSync(store, JSON.stringify(file));

    const flags: string[] = [];
    const recording: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (res.headers.has(HEADER.nonexistingChannel)) flags.push(HEADER.nonexistingChannel);
      return res;
    };
    const b = await rig.client(8, { storePath: store, policy: { initialDeposit: 20n }, fetch: recording });
    expect(b.channel(rig.receiver, old!.openBlock)!.status).to.equal('open');
    const r = await getText(b, `${rig.url}/echofix/2`);
    expect(r.status).to.equal(200);
    expect(flags[0], 'the server said the old channel does not exist').to.equal(HEADER.nonexistingChannel);
    expect(b.channel(rig.receiver, old!.openBlock)!.status).to.equal('settled');
    const open = b.channels({ status: 'open' });
    expect(open).to.have.length(1);
    expect(open[0]!.openBlock).to.be.greaterThan(old!.openBlock);
    expect(open[0]!.balance).to.equal(5n);
  });

  it('a resource that fails after the payment was charged: the 500 is returned and the charged balance kept, so the next payment needs no resync', async () => {
    const requests: string[] = [];
    const counting: typeof fetch = (input, init) => {
      requests.push(new Headers(init?.headers).has(HEADER.balanceSignature) ? 'paid' : 'unpaid');
      return fetch(input, init);
    };
    // Sender 8's channel (from the test above) has room for both requests: no top-up to wait for.
    const c = await rig.client(8, { storePath: path.join(rig.dir, 'missed-settle.json'), fetch: counting });
    const before = c.channels({ status: 'open' })[0]!;
    expect(before.deposit - before.balance >= 5n).to.equal(true);
    const broken = await c.fetch(`${rig.url}/broken/x`);
    expect(broken.status).to.equal(500);
    expect(broken.headers.get(HEADER.cost)).to.equal('3');
    await broken.arrayBuffer();
    expect(c.channel(rig.receiver, before.openBlock)!.balance).to.equal(before.balance + 3n);
    expect(c.spent).to.equal(3n);
    expect(requests).to.deep.equal(['unpaid', 'paid']);
    requests.length = 0;
    expect((await getText(c, `${rig.url}/echodyn/ok`)).status).to.equal(200);
    expect(requests).to.deep.equal(['unpaid', 'paid']);
    expect(rig.manager.channel(c.address, before.openBlock)!.balance).to.equal(before.balance + 5n);
  });

  it('passes free resources and non-µRaiden answers through untouched, opening nothing', async () => {
    const c = await rig.client(7);
    const channelsBefore = c.channels().length;
    const free = await c.fetch(`${rig.url}/free/hi`);
    expect(free.status).to.equal(200);
    expect(await free.text()).to.equal('hi');
    const missing = await c.fetch(`${rig.url}/nothing-here`);
    expect(missing.status).to.equal(404);
    await missing.arrayBuffer();
    const post = await c.fetch(`${rig.url}/free/x`, { method: 'POST', body: 'data' });
    expect(post.status).to.equal(405); // GET-only route: 405 Method Not Allowed, passed through
    await post.arrayBuffer();
    expect(c.channels()).to.have.length(channelsBefore);
    expect(c.spent).to.equal(0n);
  });
});
