/**
 * A merchant paywalls routes of their own app: the fastify plugin and the express/connect
 * middleware over the same §3.2 decision and manager as the kit's proxy, with the HTML paywall,
 * the payment cookies, the §5 REST API and the browser client's script. Real chain, real manager,
 * real HTTP (supertest); express is only a dev dependency of the tests.
 */
import { expect } from 'chai';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import request from 'supertest';
import { closingMessageHash, HEADER, recoverClosingSigner, signClosing } from '../../../../src/protocol/index.js';
import { createPaywallMiddleware, type PaywallMiddleware, uraidenPaywall, WEB_CLIENT_PATH } from '../../../../src/reference/receiver/index.js';
import { type Channel, cookieHeader, openChannel, pay, type Rig, startRig } from './helpers.js';

const browserAccept = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const h = (name: string) => name.toLowerCase();

describe('paywalling a merchant app (plugin and middleware)', () => {
  let rig: Rig;
  let next = 0;
  before(async function () {
    this.timeout(120_000);
    rig = await startRig([], { senders: 12 });
  });
  after(async () => rig?.close());
  const fresh = async (): Promise<Channel> => openChannel(rig, rig.chain.accounts.senders[next++]!, 100n);

  /** The same journey against either app: 402 (JSON and HTML), header payment, cookie payment, replay, free route, REST, script. */
  function journey(server: () => Parameters<typeof request>[0], free: string, paid: string, dynamic: (text: string) => string): void {
    it('answers the payment request: JSON for scripts, the HTML paywall with cookies for browsers', async () => {
      const json = await request(server()).get(paid);
      expect(json.status).to.equal(402);
      expect(json.headers).to.include({ [h(HEADER.price)]: '3', [h(HEADER.receiver)]: rig.receiver, [h(HEADER.contract)]: rig.contract });
      expect(json.body).to.include({ error: 'payment required', price: '3' });
      const page = await request(server()).get(paid).set('Accept', browserAccept);
      expect(page.status).to.equal(402);
      expect(page.headers['content-type']).to.match(/^text\/html/);
      expect(page.text).to.include('This page costs').and.include(WEB_CLIENT_PATH);
      expect(page.headers['set-cookie']).to.include('RDN-Price=3; Path=/; SameSite=Lax');
    });

    it('serves after a header payment and a cookie payment, refuses the replayed cookie, charges nothing for HEAD', async () => {
      const c = await fresh();
      const byHeaders = await request(server())
        .get(paid)
        .set(pay(rig, c, 3n));
      expect(byHeaders.status).to.equal(200);
      expect(byHeaders.text).to.equal('paid content');
      expect(byHeaders.headers).to.include({ [h(HEADER.senderBalance)]: '3', [h(HEADER.cost)]: '3', 'cache-control': 'private' });
      const cookie = cookieHeader(rig, c, 6n);
      const byCookie = await request(server()).get(paid).set('Cookie', cookie).set('Accept', browserAccept);
      expect(byCookie.status).to.equal(200);
      expect((byCookie.headers['set-cookie'] as unknown as string[]).some((v) => v.startsWith('RDN-Balance-Signature=;'))).to.equal(true);
      const replay = await request(server()).get(paid).set('Cookie', cookie).set('Accept', browserAccept);
      expect(replay.status).to.equal(402);
      expect(replay.headers[h(HEADER.invalidAmount)]).to.equal('1');
      const head = await request(server())
        .head(paid)
        .set(pay(rig, c, 9n));
      expect(head.status).to.equal(402);
      expect(rig.manager.channel(c.sender.address, c.openBlock)?.balance).to.equal(6n);
    });

    it('prices per request, leaves other routes alone, and answers 409 for malformed payment values', async () => {
      const c = await fresh();
      expect(
        (
          await request(server())
            .get(dynamic('abcd'))
            .set(pay(rig, c, 4n))
        ).status,
      ).to.equal(200);
      const open = await request(server()).get(free);
      expect(open.status).to.equal(200);
      expect(open.headers[h(HEADER.price)]).to.equal(undefined);
      const bad = await request(server())
        .get(paid)
        .set({ ...pay(rig, c, 7n), [HEADER.openBlock]: 'x' });
      expect(bad.status).to.equal(409);
    });

    it('serves the §5 REST API (stats, cooperative close) and the browser client script', async () => {
      const stats = await request(server()).get('/api/1/stats');
      expect(stats.status).to.equal(200);
      expect(stats.body).to.include({ receiver_address: rig.receiver, sync_block: 0, confirmations: 2 });
      const c = await fresh();
      expect(
        (
          await request(server())
            .get(paid)
            .set(pay(rig, c, 3n))
        ).status,
      ).to.equal(200);
      const closing = { sender: c.sender.address, openBlock: c.openBlock, balance: 3n, contract: rig.contract };
      const res = await request(server())
        .delete(`/api/1/channels/${c.sender.address}/${c.openBlock}`)
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ balance: '3', sender_signature: signClosing(c.sender.privateKey, closing) }));
      expect(res.status, res.text).to.equal(200);
      expect(recoverClosingSigner(closing, res.body.close_signature)).to.equal(rig.receiver);
      expect(closingMessageHash(closing)).to.match(/^0x/);
      const script = await request(server()).get(WEB_CLIENT_PATH);
      expect(script.status).to.equal(200);
      expect(script.headers['content-type']).to.match(/^text\/javascript/);
      expect(script.text).to.include('mountPaywall');
    });
  }

  describe('fastify plugin (config.rdnPrice)', () => {
    let app: FastifyInstance;
    before(async () => {
      app = Fastify();
      await app.register(uraidenPaywall, { manager: rig.manager });
      app.get('/free', async () => 'free content');
      app.get('/premium', { config: { rdnPrice: 3n } }, async () => 'paid content');
      app.get(
        '/words/:text',
        { config: { rdnPrice: (req) => BigInt((req.params as { text: string }).text.length) } },
        async (req) => (req.params as { text: string }).text,
      );
      await app.ready();
    });
    after(async () => app?.close());
    journey(
      () => app.server,
      '/free',
      '/premium',
      (t) => `/words/${t}`,
    );
  });

  describe('express middleware (no express import in the kit)', () => {
    let rdn: PaywallMiddleware;
    let app: express.Express;
    before(() => {
      rdn = createPaywallMiddleware({ manager: rig.manager });
      app = express();
      app.use(express.json()); // a body parser before the REST API: the middleware takes its result
      app.use(rdn.routes);
      app.get('/free', (_req, res) => void res.send('free content'));
      app.get('/premium', rdn.price(3n), (_req, res) => void res.type('text/plain').send('paid content'));
      app.get(
        '/words/:text',
        rdn.price((req) => BigInt(new URL(req.url ?? '/', 'http://x').pathname.split('/').pop()!.length)),
        (req, res) => void res.send(req.params.text),
      );
    });
    after(async () => rdn?.close());
    journey(
      () => app,
      '/free',
      '/premium',
      (t) => `/words/${t}`,
    );
  });
});
