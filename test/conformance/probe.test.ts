/**
 * The optional-part probe cannot be fooled: a server that answers 200 (or the same 402) to every
 * path has neither /echodyn nor the REST API. Its cases are then unimplemented with the reason,
 * and the basics it fails come with a hint where to start.
 */
import { expect } from 'chai';
import path from 'node:path';
import type { HttpResponse } from '../../conformance/runner/http.js';
import { judgeEchodyn, judgeRest } from '../../conformance/runner/probe.js';
import { conformanceRun, FIXTURES } from './helpers.js';

const res = (status: number, headers: Record<string, string> = {}, body = ''): HttpResponse => ({ status, headers, setCookies: [], body });
const stats = {
  deposit_sum: '0',
  balance_sum: '0',
  open_channels: 0,
  pending_channels: 0,
  unique_senders: 0,
  liquid_balance: '0',
  token_address: '0x1',
  contract_address: '0x2',
  receiver_address: '0x3',
  sync_block: 1,
};

describe('conformance probe of the optional parts', () => {
  it('/echodyn: present only for a 402 priced len(text) on both probes', () => {
    expect(judgeEchodyn([res(402, { 'rdn-price': '7' }), res(402, { 'rdn-price': '17' })]).present).to.equal(true);
    expect(judgeEchodyn([res(404), res(404)])).to.deep.equal({ present: false, why: 'GET /echodyn/uraiden answered 404' });
    const ok = judgeEchodyn([res(200, { 'content-type': 'text/html' }), res(200)]);
    expect(ok.present).to.equal(false);
    expect(ok.why).to.equal('GET /echodyn/uraiden answered 200 text/html without RDN-Price, not a 402 with RDN-Price 7 (= its length): not taken for /echodyn');
    // a paywall that prices every path alike (here as /echofix) is not /echodyn
    const flat = judgeEchodyn([res(402, { 'rdn-price': '5' }), res(402, { 'rdn-price': '5' })]);
    expect(flat.present).to.equal(false);
    expect(flat.why).to.match(/answered 402 with RDN-Price "5"/);
    // right on the first probe only: still not
    expect(judgeEchodyn([res(402, { 'rdn-price': '7' }), res(402, { 'rdn-price': '7' })]).why).to.match(/^GET \/echodyn\/conformance-probe/);
  });

  it('REST: present for a 200 JSON object with §5 stats fields, even some; not for HTML, {} or another JSON', () => {
    expect(judgeRest(res(200, { 'content-type': 'application/json' }, JSON.stringify(stats)))).to.deep.equal({
      present: true,
      why: 'GET /api/1/stats: §5 JSON',
    });
    const some = judgeRest(res(200, {}, JSON.stringify({ receiver_address: '0x3', sync_block: 1 })));
    expect(some.present).to.equal(true);
    expect(some.why).to.match(/without deposit_sum, balance_sum/);
    expect(judgeRest(res(404)).present).to.equal(false);
    expect(judgeRest(res(200, { 'content-type': 'text/html' }, '<p>It works!</p>')).why).to.equal(
      'GET /api/1/stats answered 200 text/html that is not JSON: not taken for the REST API',
    );
    expect(judgeRest(res(200, {}, '{}')).present).to.equal(false);
    expect(judgeRest(res(200, {}, '[1]')).why).to.match(/not an object/);
    expect(judgeRest(res(200, {}, '{"ok":true}')).why).to.match(/without any of the §5 fields/);
    expect(judgeRest(res(500, {}, JSON.stringify(stats))).present).to.equal(false);
  });

  describe('a server answering 200 to everything (uraiden conformance)', function () {
    this.timeout(120_000);
    for (const mode of ['html', 'json'] as const) {
      it(`${mode}: neither /echodyn nor REST; rdn/payment/1 fails with the hint to start there`, async () => {
        const { r, reports } = await conformanceRun(
          [
            '--target-cmd',
            `node ${path.join(FIXTURES, 'catch-all-target.mjs')}`,
            '--cases',
            'rdn/payment/1,rdn/payment/2,rdn/payment/19,rdn/rest/1,rdn/rest/5',
          ],
          { CATCH_ALL: mode },
        );
        expect(r.code).to.equal(1);
        const type = mode === 'html' ? 'text/html' : 'application/json';
        expect(r.stdout).to.include(
          `optional parts: echodyn no (GET /echodyn/uraiden answered 200 ${type} without RDN-Price, not a 402 with RDN-Price 7 (= its length): not taken for /echodyn), REST API no (GET /api/1/stats answered 200 ${type} `,
        );
        const report = JSON.parse(reports.json) as {
          parts: Record<string, { present: boolean; why: string }>;
          hints: string[];
          results: { id: string; outcome: string; message?: string }[];
        };
        expect(report.parts.echodyn?.present).to.equal(false);
        expect(report.parts['rest-api']?.present).to.equal(false);
        expect(report.parts.restart?.present).to.equal(true);
        const by = Object.fromEntries(report.results.map((x) => [x.id, x]));
        expect(by['rdn/payment/1']?.outcome).to.equal('fail');
        expect(by['rdn/payment/2']?.outcome).to.equal('fail');
        for (const id of ['rdn/payment/19']) {
          expect(by[id]?.outcome, id).to.equal('unimplemented');
          expect(by[id]?.message).to.match(/^optional part absent: echodyn \(GET \/echodyn\/uraiden answered 200/);
        }
        for (const id of ['rdn/rest/1', 'rdn/rest/5']) {
          expect(by[id]?.outcome, id).to.equal('unimplemented');
          expect(by[id]?.message).to.match(/^optional part absent: rest-api \(GET \/api\/1\/stats answered 200/);
        }
        expect(report.hints).to.deep.equal([
          'your server never answered 402 to a request without payment: start with rdn/payment/1 — a paywalled resource answers 402 with RDN-Price and the other reply headers (§3.1, §3.2 step 4)',
          'your server never served a correct payment: start with rdn/payment/2 — the balance proof hash (§1.2), recovering its signer (§1.4), increment = new balance − registered balance (§3.2 steps 7–10)',
        ]);
        // the console closes with them, right before the verdict; the HTML opens with them
        expect(r.stdout).to.match(
          /where to start\n {2}→ your server never answered 402 .*\n {2}→ your server never served a correct payment.*\n\nRESULT: 2 case\(s\) failing\n/,
        );
        expect(reports.html.indexOf('never answered 402')).to.be.lessThan(reports.html.indexOf('<table'));
        // the unimplemented cases are grouped by reason in the summary
        expect(r.stdout).to.match(
          /unimplemented\n {2}optional part absent: echodyn \(.*\): rdn\/payment\/19\n {2}optional part absent: rest-api \(.*\): rdn\/rest\/1, rdn\/rest\/5\n/,
        );
      });
    }
  });
});
