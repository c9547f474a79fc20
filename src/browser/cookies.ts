/**
 * §3.1 browser clients: a navigation cannot carry headers, so the payment goes in four cookies
 * named like the headers, and the page reloads. `SameSite=Strict; Path=/`: every path of the
 * site can be paid for, and no other site can make the browser send (spend) them.
 */
import { HEADER } from '../protocol/index.js';
import type { Address, Hex } from '../protocol/index.js';

export const PAYMENT_COOKIES = [HEADER.sender, HEADER.openBlock, HEADER.senderBalance, HEADER.balanceSignature] as const;

export interface CookiePayment {
  sender: Address;
  openBlock: number;
  balance: bigint;
  signature: Hex;
}

/** `document.cookie`, or a stand-in with the same semantics. */
export interface CookieJar {
  cookie: string;
}

function attributes(secure: boolean): string {
  return `; Path=/; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** Sets the four payment cookies; `secure` adds `Secure` (pages served over https). */
export function setPaymentCookies(jar: CookieJar, payment: CookiePayment, secure = false): void {
  const values = [payment.sender, String(payment.openBlock), payment.balance.toString(), payment.signature];
  PAYMENT_COOKIES.forEach((name, i) => {
    jar.cookie = `${name}=${values[i]}${attributes(secure)}`;
  });
}

/** Removes them (a payment the receiver refused must not be sent again with every request). */
export function clearPaymentCookies(jar: CookieJar, secure = false): void {
  for (const name of PAYMENT_COOKIES) jar.cookie = `${name}=${attributes(secure)}; Max-Age=0`;
}

/** The payment cookies currently set, by name. */
export function readPaymentCookies(jar: CookieJar): Partial<Record<(typeof PAYMENT_COOKIES)[number], string>> {
  const out: Partial<Record<(typeof PAYMENT_COOKIES)[number], string>> = {};
  for (const part of jar.cookie.split(';')) {
    const eq = part.indexOf('=');
    const name = part.slice(0, eq).trim() as (typeof PAYMENT_COOKIES)[number];
    if (eq > 0 && PAYMENT_COOKIES.includes(name)) out[name] = part.slice(eq + 1).trim();
  }
  return out;
}
