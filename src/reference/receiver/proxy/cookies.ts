/**
 * §3.1 browser clients: the payment values may come as cookies named like the headers
 * (`RDN-Sender-Address`, `RDN-Open-Block`, `RDN-Sender-Balance`, `RDN-Balance-Signature`), since a
 * browser cannot add headers to a navigation. They are merged into the header getter the §3.2
 * decision already reads, so every rule applies to them unchanged — a replayed cookie is a
 * replayed proof. Where a header carries a value, the header wins; the balance is one value,
 * whichever of its two header names (RDN-Balance, RDN-Sender-Balance) carries it.
 */
import { parseCookie, stringifySetCookie } from 'cookie';
import { HEADER, type HeaderGetter, nodeHeaders } from '../../../protocol/index.js';

/** The cookies a browser client pays with, in the order the original web client set them. */
export const PAYMENT_COOKIES = [HEADER.sender, HEADER.openBlock, HEADER.senderBalance, HEADER.balanceSignature] as const;

export interface PaymentSource {
  /** The request's payment values: headers, and cookies where no header carries the value. */
  get: HeaderGetter;
  /** Whether the balance signature came from a cookie (the reply then expires the cookies). */
  fromCookies: boolean;
}

/** A value counts as carried when it is not empty once HTTP's optional whitespace is trimmed (as the codec reads it). */
const carried = (value: string | undefined): boolean => value !== undefined && /[^ \t]/.test(value);

export function paymentSource(headers: Readonly<Record<string, string | string[] | undefined>>): PaymentSource {
  const fromHeaders = nodeHeaders(headers);
  const raw = headers.cookie;
  // No Cookie header (every script client): the headers as they are, at no cost.
  if (raw === undefined || raw === '') return { get: fromHeaders, fromCookies: false };
  // Percent-decoded, as cookie libraries (js-cookie, which the original client used) encode values;
  // of two cookies with one name (two paths) the first, the most specific path, is taken.
  const jar = parseCookie(Array.isArray(raw) ? raw.join('; ') : raw);
  const balanceInHeaders = carried(fromHeaders(HEADER.balance)) || carried(fromHeaders(HEADER.senderBalance));
  const fromCookie = (name: string): boolean => {
    if (name === HEADER.senderBalance) return !balanceInHeaders;
    return (PAYMENT_COOKIES as readonly string[]).includes(name) && !carried(fromHeaders(name));
  };
  return {
    get: (name) => (fromCookie(name) ? jar[name] : fromHeaders(name)),
    fromCookies: fromCookie(HEADER.balanceSignature) && carried(jar[HEADER.balanceSignature]),
  };
}

/**
 * Set-Cookie values that remove the payment cookies, sent with the content a cookie paid for: the
 * proof is spent, and sending it again with every later request (another page, an image) would
 * only be refused as a replay.
 */
export function expirePaymentCookies(): string[] {
  return PAYMENT_COOKIES.map((name) => stringifySetCookie({ name, value: '', path: '/', sameSite: 'strict', maxAge: 0 }));
}
