/** The proxy's pure parts: content negotiation for the paywall page, cookies, price and configuration checks. */
import { expect } from 'chai';
import { forwardResource, paidResource, ProxyConfigError, ResourceError } from '../../../../src/reference/receiver/index.js';
import { paywallPage, prefersHtml, rdnCookies } from '../../../../src/reference/receiver/proxy/html.js';
import { toPrice } from '../../../../src/reference/receiver/proxy/resources.js';

describe('proxy units', () => {
  describe('prefersHtml (§3.2: Accept preferring text/html gets the paywall page)', () => {
    const cases: [string | undefined, boolean][] = [
      ['text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8', true], // Chrome/Firefox navigation
      ['text/html', true],
      ['text/*', true],
      ['application/json;q=0.5, text/html', true],
      ['TEXT/HTML', true],
      [undefined, false],
      ['', false],
      ['*/*', false], // curl, fetch: JSON
      ['application/json', false],
      ['application/json, text/html', false], // equal quality: JSON
      ['text/html;q=0', false],
      ['text/html;q=0.5, */*', false], // */* (hence JSON) at 1
      ['text/*;q=0.9, text/html;q=0.1, application/json;q=0.2', false], // the specific range decides for text/html
      ['text/html;q=abc', false],
    ];
    for (const [accept, html] of cases) {
      it(`${JSON.stringify(accept)} → ${html ? 'HTML' : 'JSON'}`, () => expect(prefersHtml(accept)).to.equal(html));
    }
  });

  describe('paywall page and cookies', () => {
    it('escapes every value on the page', () => {
      const page = paywallPage({ url: '/x?<script>alert(1)</script>', reason: 'a "reason" & more', headers: { 'RDN-Price': '5', 'RDN-Gateway-Path': '/<b>' } });
      expect(page).to.not.include('<script>');
      expect(page).to.include('&lt;script&gt;').and.include('&quot;reason&quot; &amp; more').and.include('/&lt;b&gt;');
    });
    it('sets one cookie per RDN-* header, values as they are unless not cookie-safe', () => {
      expect(rdnCookies({ 'RDN-Price': '5', 'RDN-Gateway-Path': '/api/1', 'Content-Type': 'x', 'RDN-Odd': 'a b;c' })).to.deep.equal([
        'RDN-Price=5; Path=/; SameSite=Lax',
        'RDN-Gateway-Path=/api/1; Path=/; SameSite=Lax',
        'RDN-Odd=a%20b%3Bc; Path=/; SameSite=Lax',
      ]);
    });
    it('never sets a cookie named like a payment value (§3.1: such a cookie is a payment)', () => {
      const headers = { 'RDN-Price': '5', 'RDN-Sender-Address': '0xab', 'RDN-Sender-Balance': '5', 'RDN-Balance-Signature': '0x01', 'RDN-Open-Block': '3' };
      expect(rdnCookies(headers)).to.deep.equal(['RDN-Price=5; Path=/; SameSite=Lax']);
    });
    it('embeds the values for the page script so that no value can end the script element', () => {
      const page = paywallPage({ url: '/x</script><script>alert(1)//', reason: 'r', headers: { 'RDN-Price': '5' }, chainId: 1337, confirmations: 2 });
      const json = /<script type="application\/json" id="rdn-paywall-params">(.*?)<\/script>/.exec(page)?.[1];
      expect(JSON.parse(json ?? 'null')).to.include({ url: '/x</script><script>alert(1)//', price: '5', chainId: 1337, confirmations: 2 });
    });
  });

  describe('prices and resource configuration', () => {
    it('accepts bigint, safe integer and decimal string prices', () => {
      expect(toPrice(5n)).to.equal(5n);
      expect(toPrice(5)).to.equal(5n);
      expect(toPrice('6277101735386680763835789423207666416102355444464034512895')).to.equal(2n ** 192n - 1n);
    });
    for (const bad of [-1n, -1, 1.5, Number.MAX_SAFE_INTEGER + 1, '0x10', '', ' 5', 2n ** 192n, null, undefined, {}]) {
      it(`refuses the price ${typeof bad === 'bigint' ? `${bad}n` : JSON.stringify(bad)} with a ProxyConfigError carrying it`, () => {
        expect(() => toPrice(bad))
          .to.throw(ProxyConfigError)
          .with.property('value', bad);
      });
    }
    it('refuses a bad fixed price when the resource is declared, not at the first request', () => {
      expect(() => paidResource('/x', -5n, () => 'x')).to.throw(ProxyConfigError, /price of \/x/);
    });
    it('refuses an upstream that is not an absolute http(s) URL, and parameters before the wildcard', () => {
      expect(() => forwardResource('/cdn/*', 'cdn.example/x', 1n))
        .to.throw(ProxyConfigError)
        .with.property('value', 'cdn.example/x');
      expect(() => forwardResource('/cdn/*', 'file:///etc', 1n)).to.throw(ProxyConfigError, /not http/);
      expect(() => forwardResource('/cdn/:id/*', 'http://cdn.example', 1n)).to.throw(ProxyConfigError, /trailing \*/);
    });
    it('ResourceError only takes HTTP error statuses', () => {
      expect(new ResourceError(400, 'bad size', 'big')).to.include({ status: 400, value: 'big', code: 'RESOURCE_ERROR' });
      expect(() => new ResourceError(200, 'ok')).to.throw(ProxyConfigError);
    });
  });
});
