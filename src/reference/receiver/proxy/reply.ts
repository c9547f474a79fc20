/**
 * A §3.2 decision as an HTTP reply, independent of the server framework, so the kit's proxy, the
 * fastify plugin and the express/connect middleware answer the same bytes.
 */
import { HEADER } from '../../../protocol/index.js';
import { expirePaymentCookies, type PaymentSource } from './cookies.js';
import { paywallPage, prefersHtml, rdnCookies, staleFlagCookies } from './html.js';
import type { Decision, Paywall } from './paywall.js';

export interface PlainReply {
  status: number;
  /** lower-case names; `set-cookie` as a list */
  headers: Record<string, string | string[]>;
  body: string;
}

const TEXT = 'text/plain; charset=utf-8';

/**
 * 502 and 409 as plain text, 402 as the HTML paywall (with the RDN-* values as cookies) when the
 * request's Accept prefers text/html, as JSON otherwise.
 */
export function refusalReply(paywall: Paywall, d: Exclude<Decision, { kind: 'free' | 'paid' }>, req: { url: string; accept: string | undefined }): PlainReply {
  const base = { 'cache-control': 'no-store' };
  if (d.kind === 'unavailable') return { status: d.status, headers: { ...base, 'content-type': TEXT }, body: `${d.reason}\n` };
  if (d.kind === 'malformed') return { status: d.status, headers: { ...base, ...d.headers, 'content-type': TEXT }, body: `${d.reason}\n` };
  if (prefersHtml(req.accept)) {
    const { manager } = paywall;
    return {
      status: d.status,
      headers: { ...base, ...d.headers, 'content-type': 'text/html; charset=utf-8', 'set-cookie': [...rdnCookies(d.headers), ...staleFlagCookies(d.headers)] },
      body: paywallPage({ url: req.url, reason: d.reason, headers: d.headers, flag: d.flag, chainId: manager.chainId, confirmations: manager.confirmations }),
    };
  }
  return {
    status: d.status,
    headers: { ...base, ...d.headers, 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ error: 'payment required', reason: d.reason, price: d.headers[HEADER.price], flag: d.flag }),
  };
}

/**
 * The headers of content a payment (or price 0) lets through: the RDN-* values, `private` caching
 * for paid content (it is for the payer; a handler may override), and the payment cookies expired
 * when they paid for it (see cookies.ts).
 */
export function servedHeaders(d: Extract<Decision, { kind: 'free' | 'paid' }>, source: PaymentSource): Record<string, string | string[]> {
  if (d.kind === 'free') return d.headers;
  return { ...d.headers, 'cache-control': 'private', ...(source.fromCookies && { 'set-cookie': expirePaymentCookies() }) };
}
