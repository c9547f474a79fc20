/**
 * The rdn/fuzz area: its streams are deterministic and never contain a request a conforming
 * receiver could serve; the reference receiver passes them, twice alike; receivers broken in ways
 * the fault switches do not model (test/conformance/fixtures/front.mjs) are caught.
 */
import { expect } from 'chai';
import { Wallet } from 'ethers';
import { validateHeaderName, validateHeaderValue } from 'node:http';
import path from 'node:path';
import { FUZZ_STREAMS, type FuzzBase, type FuzzRequest, fuzzRequests } from '../../conformance/runner/fuzz.js';
import { cookieSafe, decodeLoosely, looseNumber, sameAddress, sameInteger, sameSignature } from '../../conformance/runner/junk.js';
import { balanceHash, closingHash, mangle, SECP256K1_N, signHash } from '../../conformance/runner/sign.js';
import { conformanceRun, FIXTURES, notAsKnown, referenceBugsFile, timeless } from './helpers.js';

const sender = new Wallet('0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318');
const stranger = new Wallet('0x0123456789012345678901234567890123456789012345678901234567890123');
const receiver = '0xd4e82333911dCbde0c30D5e44a1250FA913c6A6D';
const contract = '0x3216C6e7b75ed61De0D99B858e8cc348e82163eD';
const openBlock = 553;
const registered = 5n;
const proof = balanceHash(receiver, openBlock, 10n, contract);
const base: FuzzBase = {
  path: '/echofix/fuzz',
  sender: sender.address,
  receiver,
  contract,
  openBlock,
  registered,
  price: 5n,
  signature: signHash(sender.privateKey, proof),
  strangerSignature: signHash(stranger.privateKey, proof),
  closeSignature: (balance) => signHash(sender.privateKey, closingHash(sender.address, openBlock, balance, contract)),
};

/**
 * Whether some receiver reading every allowed form of every value would serve a payment. By
 * cookie it may read only the four §3.1 names (any one balance) and ignore the addresses.
 */
function servable(get: (name: string) => string[] | undefined, byCookie = false): boolean {
  /** the value, undefined when absent or blank; a repeated header is read as its joined values */
  const one = (name: string): string | undefined => {
    const v = get(name);
    if (v === undefined) return undefined;
    if (v.length > 1) return v.join(', ');
    const only = v[0] as string;
    return only.replace(/^[ \t]+|[ \t]+$/g, '') === '' ? undefined : only;
  };
  const sig = one('RDN-Balance-Signature');
  const from = one('RDN-Sender-Address');
  const block = one('RDN-Open-Block');
  if (sig === undefined || !sameSignature(sig, base.signature)) return false;
  if (from === undefined || !sameAddress(from, base.sender)) return false;
  if (block === undefined || !sameInteger(block, BigInt(openBlock))) return false;
  const balances = [one('RDN-Balance'), one('RDN-Sender-Balance')].filter((v) => v !== undefined);
  if (byCookie) return balances.some((v) => sameInteger(v, 10n));
  for (const [name, right] of [
    ['RDN-Receiver-Address', receiver],
    ['RDN-Contract-Address', contract],
  ] as const) {
    const v = one(name);
    if (v !== undefined && !sameAddress(v, right)) return false;
  }
  return balances.length > 0 && balances.every((v) => sameInteger(v, 10n));
}

function headerGetter(req: FuzzRequest['request']) {
  return (name: string) => {
    const found = Object.entries(req.headers).find(([k]) => k.toLowerCase() === name.toLowerCase());
    if (!found) return undefined;
    return Array.isArray(found[1]) ? found[1] : [found[1]];
  };
}

/** Cookies first or last of a name, percent-decoded and unquoted (as a lenient receiver may read them). */
function cookieGetter(req: FuzzRequest['request'], pick: 'first' | 'last') {
  const headers = headerGetter(req);
  const jar = new Map<string, string>();
  for (const pair of String(req.headers.Cookie ?? '').split(/;\s*/)) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    const [name, value] = [pair.slice(0, at), decodeLoosely(pair.slice(at + 1).replace(/^"(.*)"$/, '$1'))];
    if (pick === 'last' || !jar.has(name)) jar.set(name, value);
  }
  return (name: string) => headers(name) ?? (jar.has(name) ? [jar.get(name) as string] : undefined);
}

describe('fuzz streams (generation)', () => {
  it('are deterministic: the same seed gives the same requests, another seed others', () => {
    for (const stream of FUZZ_STREAMS) {
      const a = [...fuzzRequests(stream, 7, 100, base)];
      expect(a).to.have.length(100);
      expect([...fuzzRequests(stream, 7, 100, base)], stream).to.deep.equal(a);
      expect([...fuzzRequests(stream, 8, 100, base)], stream).not.to.deep.equal(a);
      // varied: most requests differ from one another
      expect(new Set(a.map((f) => JSON.stringify(f.request))).size, stream).to.be.greaterThan(90);
    }
  });

  it('send only what HTTP can carry: header names and values Node accepts, printable ASCII paths', () => {
    for (const stream of FUZZ_STREAMS) {
      for (const f of fuzzRequests(stream, 1, 500, base)) {
        expect(f.request.path, stream).to.match(/^\/[\x21-\x7e]*$/);
        for (const [name, value] of Object.entries(f.request.headers)) {
          validateHeaderName(name);
          for (const v of Array.isArray(value) ? value : [value]) validateHeaderValue(name, v);
        }
      }
    }
  });

  it('headers: no request is one a conforming receiver could serve', () => {
    // the judge itself: an honest payment, in its accepted variants, is servable
    const honest: Record<string, string | string[]> = {
      'RDN-Sender-Address': sender.address.toLowerCase(),
      'RDN-Open-Block': `00${openBlock}`,
      'RDN-Sender-Balance': '10',
      'RDN-Balance-Signature': mangle(base.signature, { v_base: 0 }),
      'RDN-Receiver-Address': '',
    };
    expect(servable(headerGetter({ method: 'GET', path: '/', headers: honest }))).to.equal(true);
    expect(
      servable(
        cookieGetter(
          {
            method: 'GET',
            path: '/',
            headers: {
              Cookie: Object.entries(honest)
                .map(([k, v]) => `${k}="${v}"`)
                .join('; '),
            },
          },
          'last',
        ),
      ),
    ).to.equal(true);
    const labels = new Set<string>();
    for (const f of fuzzRequests('headers', 1, 3000, base)) {
      expect(servable(headerGetter(f.request)), f.what).to.equal(false);
      expect(f.mayServe).to.equal(false);
      for (const m of f.what.matchAll(/\(([^()]+)\)(?:;|$)/g)) labels.add(m[1] as string);
    }
    // every kind of damage shows up
    for (const l of ['hex', 'sign', 'separator', 'non-ASCII digits', 'overflow', 'another address', 'bit flipped in r', 'v = 35', 'truncated'])
      expect(
        [...labels].some((x) => x.startsWith(l)),
        l,
      ).to.equal(true);
  });

  it('cookies: cookie-safe values, never servable whichever duplicate a receiver reads', () => {
    for (const f of fuzzRequests('cookies', 3, 3000, base)) {
      for (const pick of ['first', 'last'] as const) expect(servable(cookieGetter(f.request, pick), true), f.what).to.equal(false);
      for (const pair of String(f.request.headers.Cookie ?? '').split(/;\s*/)) {
        if (pair.startsWith('RDN-')) expect(cookieSafe(pair.slice(pair.indexOf('=') + 1)), pair).to.equal(true);
      }
    }
  });

  it('rest-body: no body names the registered balance, in any reading', () => {
    let parsed = 0;
    for (const f of fuzzRequests('rest-body', 4, 3000, base)) {
      expect(f.request.method).to.equal('DELETE');
      expect(f.request.path).to.equal(`/api/1/channels/${sender.address}/${openBlock}`);
      const body = (f.request.body ?? '').replace(/^\ufeff/, '');
      let balances: unknown[] = [];
      try {
        const v = JSON.parse(body) as unknown;
        if (v && typeof v === 'object' && !Array.isArray(v)) balances = [(v as { balance?: unknown }).balance];
        // a parser that keeps the first of a repeated key
        balances.push(
          ...[...body.matchAll(/"balance"\s*:\s*("(?:[^"\\]|\\.)*"|[^,}]*)/g)].map((m) => JSON.parse((m[1] as string).trim() || 'null') as unknown),
        );
        parsed++;
      } catch {
        if (/^balance=/.test(body)) balances = [new URLSearchParams(body).get('balance')];
      }
      for (const b of balances) expect(looseNumber(b, registered), `${f.what}: ${body.slice(0, 200)}`).to.equal(false);
    }
    expect(parsed).to.be.greaterThan(1000);
  });

  it('rest-path: a DELETE never names the channel, however the path is decoded', () => {
    let deletes = 0;
    for (const f of fuzzRequests('rest-path', 5, 3000, base)) {
      expect(f.mayServe).to.equal(f.request.method === 'GET');
      if (f.request.method !== 'DELETE') continue;
      deletes++;
      const segs = (f.request.path.split(/[?#]/)[0] as string)
        .split('/')
        .map(decodeLoosely)
        .filter((s) => s !== '' && s !== '.');
      const named = segs.length === 5 && sameAddress(segs[3] as string, sender.address) && looseNumber(segs[4], BigInt(openBlock));
      expect(named, f.request.path).to.equal(false);
    }
    expect(deletes).to.be.greaterThan(1000);
  });

  it('knows the right values in all their forms (the guards)', () => {
    expect(sameInteger('0012', 12n)).to.equal(true);
    expect(sameInteger(' 12\t', 12n)).to.equal(true);
    for (const v of ['+12', '12\xa0', '1_2', '0x0c', '12.0', '']) expect(sameInteger(v, 12n), v).to.equal(false);
    expect(sameAddress(sender.address.toLowerCase(), sender.address)).to.equal(true);
    expect(sameAddress(sender.address.slice(2), sender.address)).to.equal(true);
    expect(sameAddress(`${sender.address}0`, sender.address)).to.equal(false);
    const s = base.signature;
    for (const v of [
      s,
      s.toUpperCase().replace('0X', '0x'),
      s.slice(2),
      mangle(s, { v_base: 0 }),
      mangle(s, { high_s: true }),
      mangle(s, { high_s: true, v_base: 0 }),
    ])
      expect(sameSignature(v, s), v).to.equal(true);
    expect(sameSignature(mangle(s, { v_base: 35 }), s)).to.equal(false);
    expect(sameSignature(base.strangerSignature, s)).to.equal(false);
    expect(SECP256K1_N % 2n).to.equal(1n);
    for (const v of [5, 5.0, '5', '05', ' 5', '5abc', [5], '%35', 5]) expect(looseNumber(v, 5n), String(v)).to.equal(true);
    for (const v of [6, '0x10', 'abc', null, true, [], [[[[5]]]], { value: 5 }, 2 ** 53 + 1]) expect(looseNumber(v, 5n), String(v)).to.equal(false);
  });
});

interface Report {
  results: { id: string; outcome: string; message?: string; expectedFailure?: string; notes?: string[] }[];
}

describe('the rdn/fuzz area against receivers', function () {
  this.timeout(300_000);

  async function runSelf() {
    const run = await conformanceRun(['--self', '--cases', 'rdn/fuzz/*', '--strict', '--expected-failures', await referenceBugsFile()]);
    return { ...run, report: JSON.parse(run.reports.json) as Report };
  }

  it('the reference receiver refuses every request of every stream, the same way in two runs', async () => {
    const first = await runSelf();
    expect(first.report.results.map((x) => x.id)).to.deep.equal(['rdn/fuzz/1', 'rdn/fuzz/2', 'rdn/fuzz/3', 'rdn/fuzz/4', 'rdn/fuzz/5']);
    expect(notAsKnown(first.report.results), first.r.stdout).to.deep.equal([]);
    expect(first.r.code).to.equal(0);
    const one = first.report.results[0];
    expect(one?.notes).to.have.length(1);
    const answers = /^fuzz headers, seed 1: 300 requests, answered (.*)$/.exec(one?.notes?.[0] ?? '');
    expect(answers, one?.notes?.[0]).to.not.equal(null);
    const total = [...(answers?.[1] ?? '').matchAll(/(\d{3}) ×(\d+)/g)].reduce((n, m) => {
      expect(Number(m[1])).to.be.within(400, 499);
      return n + Number(m[2]);
    }, 0);
    expect(total).to.equal(300);
    const second = await runSelf();
    expect(timeless(second.reports)).to.deep.equal(timeless(first.reports));
  });

  const faults: [string, string, string, string, RegExp][] = [
    [
      'open-block-500',
      'answers 500 to a malformed RDN-Open-Block',
      'rdn/fuzz/1',
      'fail',
      /RDN-Open-Block ".*" \([^)]*\): answered 500 \(body: "injected fault"\): a malformed request is refused with a 4xx, never a 5xx/,
    ],
    ['lenient-balance', 'ignores a malformed RDN-Balance', 'rdn/fuzz/1', 'fail', /RDN-Balance ".*" \(.*\): answered 200: a malformed payment was served/],
    ['cookie-500', 'answers 500 to a malformed cookie', 'rdn/fuzz/3', 'warn', /cookie.*: answered 500/],
    [
      'close-500',
      'answers 500 to a close body that is not a JSON object',
      'rdn/fuzz/4',
      'fail',
      /\(fuzz rest-body, seed 4\): .*answered 500 \(body: "injected fault"\)/,
    ],
    [
      'path-reset',
      'drops the connection on a malformed channel path',
      'rdn/fuzz/5',
      'fail',
      /\(fuzz rest-path, seed 5\): .*no answer \(connection reset by the target\); a malformed request must be refused, not break the target/,
    ],
  ];
  for (const [fault, what, id, outcome, message] of faults) {
    it(`catches a receiver that ${what} (${id}, FRONT_FAULT=${fault})`, async () => {
      // cookies are SHOULD: without --strict the case warns
      const { r, reports } = await conformanceRun(['--target-cmd', `node ${path.join(FIXTURES, 'front.mjs')}`, '--cases', id], { FRONT_FAULT: fault });
      const result = (JSON.parse(reports.json) as Report).results[0];
      expect(result?.outcome, `${result?.message}\n${r.stdout}`).to.equal(outcome);
      expect(result?.message).to.match(message);
    });
  }
});
