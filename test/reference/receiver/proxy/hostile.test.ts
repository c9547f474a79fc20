/**
 * Hostile input over real HTTP (raw sockets, so every byte is the test's): header values with
 * whitespace or control bytes other than HTTP's own around them, and methods the proxy does not
 * route — CONNECT included, which Node hands to no route at all. Never a 2xx for a mangled payment,
 * never a payment registered, never a 5xx, never a connection closed without an answer.
 */
import { expect } from 'chai';
import net from 'node:net';
import { HEADER } from '../../../../src/protocol/index.js';
import { echoResources } from '../../../../src/reference/receiver/index.js';
import { type Channel, openChannel, pay, type Rig, startRig } from './helpers.js';

interface RawReply {
  status: number | undefined;
  head: string;
  /** the connection ended before any reply byte */
  silent: boolean;
}

/** Sends `request` as bytes (latin1, as Node reads header bytes), returns the status line's code. */
function raw(port: number, request: Buffer): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const done = () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ status: m ? Number(m[1]) : undefined, head: text.split('\r\n\r\n')[0] ?? '', silent: chunks.length === 0 });
      socket.destroy();
    };
    socket.setTimeout(5000, () => reject(new Error('no answer within 5 s')));
    socket.on('data', (d) => {
      chunks.push(d);
      // One reply is all we wait for.
      if (Buffer.concat(chunks).includes('\r\n\r\n')) setTimeout(done, 20);
    });
    socket.on('end', done);
    socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' ? done() : reject(err)));
    socket.write(request);
  });
}

function get(path: string, headers: Record<string, string>, method = 'GET'): Buffer {
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

describe('proxy under hostile input (real HTTP, raw sockets)', function () {
  this.timeout(120_000);
  let rig: Rig;
  let port: number;
  let channel: Channel;

  before(async () => {
    rig = await startRig(echoResources(), { senders: 1 });
    port = (await rig.proxy.listen(0)).port;
    channel = await openChannel(rig, rig.chain.accounts.senders[0]!, 1_000_000n);
  });
  after(async () => rig?.close());

  const registered = () => rig.manager.channel(channel.sender.address, channel.openBlock)?.balance ?? 0n;

  describe('§3.1 header values: only space and tab are trimmed', () => {
    const KEYS = ['sender', 'receiver', 'contract', 'openBlock', 'balance', 'senderBalance', 'payment', 'balanceSignature'] as const;
    // Bytes as Node reads them (latin1): C0 controls, DEL, NEL, no-break space, and the UTF-8
    // encodings of two Unicode spaces (which Node sees as three latin1 characters each).
    const BYTES = [
      ...Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i)).filter((c) => c !== '\t' && c !== '\r' && c !== '\n'),
      '\x7f',
      '\x85',
      '\xa0',
      Buffer.from('\u2003', 'utf8').toString('latin1'),
      Buffer.from('\u3000', 'utf8').toString('latin1'),
    ];

    it('a payment with spaces and tabs around every value is served', async () => {
      const balance = registered() + 5n;
      const headers = Object.fromEntries(Object.entries({ ...pay(rig, channel, balance), [HEADER.payment]: '5' }).map(([k, v]) => [k, ` \t${v}\t `]));
      const res = await raw(port, get('/echofix/ows', headers));
      expect(res.status, res.head).to.equal(200);
      expect(registered()).to.equal(balance);
    });

    it('any other whitespace or control byte at either end of any payment header: never served, never registered, never 5xx', async () => {
      const seen = new Map<number, number>();
      for (const key of KEYS) {
        for (const byte of BYTES) {
          for (const where of ['start', 'end'] as const) {
            const before = registered();
            const headers: Record<string, string> = { ...pay(rig, channel, before + 5n), [HEADER.payment]: '5' };
            // The balance under test alone, so a conflict between the two does not hide it.
            if (key === 'balance') delete headers[HEADER.senderBalance];
            if (key === 'senderBalance') delete headers[HEADER.balance];
            headers[HEADER[key]] = where === 'start' ? `${byte}${headers[HEADER[key]]}` : `${headers[HEADER[key]]}${byte}`;
            const res = await raw(port, get('/echofix/mangled', headers));
            const what = `${HEADER[key]} with ${JSON.stringify(byte)} at the ${where}: ${res.head.split('\r\n')[0]}`;
            expect(res.silent, what).to.equal(false);
            // 400: bytes HTTP forbids in a field value, refused by Node's parser before the proxy;
            // 409: §3.2 step 3, a malformed value; 402: a malformed signature (Invalid-Balance-Proof).
            expect([400, 402, 409], what).to.include(res.status);
            if (res.status === 402) {
              expect(key, what).to.equal('balanceSignature');
              expect(res.head.toLowerCase(), what).to.include(`${HEADER.invalidBalanceProof.toLowerCase()}: 1`);
            }
            expect(registered(), what).to.equal(before);
            seen.set(res.status!, (seen.get(res.status!) ?? 0) + 1);
          }
        }
      }
      // Both kinds happened: Node's parser refuses the controls and DEL; NEL, the no-break space
      // and the UTF-8 spaces reach the §3.2 parser, which refuses them (they are not trimmed).
      const reachedProxy = 4;
      expect(seen.get(400)).to.equal(KEYS.length * 2 * (BYTES.length - reachedProxy));
      expect((seen.get(409) ?? 0) + (seen.get(402) ?? 0)).to.equal(KEYS.length * 2 * reachedProxy);
    });
  });

  describe('methods the proxy does not route', () => {
    it('CONNECT is answered with 405, not a silent close', async () => {
      for (const target of ['example.com:443', '127.0.0.1:1', '/echofix/a']) {
        const res = await raw(port, Buffer.from(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`, 'latin1'));
        expect(res.silent, `CONNECT ${target}`).to.equal(false);
        expect(res.status, `CONNECT ${target}: ${res.head}`).to.equal(405);
        expect(res.head).to.match(/\r\nallow: /i);
      }
    });

    it('a method a paid resource does not take gets 405 with Allow; an unknown path 404; never a silent close', async () => {
      for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND', 'SEARCH']) {
        const res = await raw(port, get('/echofix/a', {}, method));
        expect(res.silent, method).to.equal(false);
        expect(res.status, `${method}: ${res.head}`).to.equal(405);
        expect(res.head, method).to.match(/\r\nallow: GET, HEAD\r\n/i);
      }
      const unknown = await raw(port, get('/nothing/here', {}, 'PUT'));
      expect(unknown.status).to.equal(404);
    });

    it('a method HTTP does not know gets 400 from the parser, not a silent close', async () => {
      for (const method of ['FOO', 'GETX', 'BREW']) {
        const res = await raw(port, get('/echofix/a', {}, method));
        expect(res.silent, method).to.equal(false);
        expect(res.status, `${method}: ${res.head}`).to.be.within(400, 499);
      }
    });
  });
});

describe('proxy §3.2 step 1: a lost chain is noticed within 50 ms, whatever the poll interval', function () {
  this.timeout(120_000);
  const POLL_INTERVAL_MS = 1000; // far longer than the 50 ms goal: the polls cannot be what notices
  let rig: Rig;
  let url: string;
  let channel: Channel;

  before(async () => {
    rig = await startRig(echoResources(), { senders: 1, pollIntervalMs: POLL_INTERVAL_MS });
    url = (await rig.proxy.listen(0)).url;
    channel = await openChannel(rig, rig.chain.accounts.senders[0]!, 10_000_000n);
  });
  after(async () => rig?.close());

  it('counts the answers other than 502 after kit_outage: none once 50 ms have passed', async () => {
    const answers: { sentAt: number; doneAt: number; status: number; paid: boolean }[] = [];
    let running = true;
    let balance = rig.manager.channel(channel.sender.address, channel.openBlock)!.balance;
    // One loop pays (the next balance each time it was served), one asks without paying.
    const payer = async () => {
      while (running) {
        const sentAt = performance.now();
        const res = await fetch(`${url}/echofix/p`, { headers: pay(rig, channel, balance + 5n) });
        await res.arrayBuffer();
        if (res.status === 200) balance += 5n;
        answers.push({ sentAt, doneAt: performance.now(), status: res.status, paid: true });
      }
    };
    const asker = async () => {
      while (running) {
        const sentAt = performance.now();
        const res = await fetch(`${url}/echofix/q`);
        await res.arrayBuffer();
        answers.push({ sentAt, doneAt: performance.now(), status: res.status, paid: false });
      }
    };
    const loops = [payer(), asker()];
    await new Promise((resolve) => setTimeout(resolve, 150));
    const ack = await fetch(rig.rpc.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'kit_outage', params: [3000] }),
    });
    expect(await ack.json()).to.deep.include({ result: { ms: 3000 } });
    const outageAt = performance.now();
    const balanceAtOutage = balance;
    await new Promise((resolve) => setTimeout(resolve, 300));
    running = false;
    await Promise.all(loops);

    const before = answers.filter((a) => a.doneAt < outageAt - 5);
    const after = answers.filter((a) => a.sentAt >= outageAt + 50);
    const early = answers.filter((a) => a.sentAt >= outageAt && a.sentAt < outageAt + 50);
    const first502 = answers.find((a) => a.sentAt >= outageAt - 50 && a.status === 502);
    console.log(
      `      detection: first 502 ${first502 ? `${(first502.doneAt - outageAt).toFixed(1)} ms` : 'never'} after the outage began; ` +
        `answers other than 502 in its first 50 ms: ${early.filter((a) => a.status !== 502).length} of ${early.length}; ` +
        `after 50 ms: ${after.filter((a) => a.status !== 502).length} of ${after.length} (poll interval ${POLL_INTERVAL_MS} ms)`,
    );
    // The loops ran: payments were served and payment requests answered before the outage.
    expect(before.filter((a) => a.paid && a.status === 200).length).to.be.greaterThan(0);
    expect(before.filter((a) => !a.paid && a.status === 402).length).to.be.greaterThan(0);
    expect(after.length).to.be.greaterThan(10);
    expect(
      after.filter((a) => a.status !== 502).map((a) => `${a.paid ? 'paid' : 'unpaid'} ${a.status} at +${(a.sentAt - outageAt).toFixed(0)} ms`),
    ).to.deep.equal([]);
    // Nothing was registered once the outage was noticed.
    const registered = rig.manager.channel(channel.sender.address, channel.openBlock)!.balance;
    expect(registered <= balanceAtOutage + 5n, `registered ${registered}, at the outage ${balanceAtOutage}`).to.equal(true);
  });
});
