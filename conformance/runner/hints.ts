// Where to start when the basics fail. A receiver that never answers 402 fails most of the
// catalogue, and the report then lists eighty failures of which one matters: these hints name it,
// chosen from which basic cases did not pass.
import type { CaseResult } from './results.js';

export interface Basic {
  id: string;
  /** what the receiver never did, in the implementer's words */
  never: string;
  /** where to look */
  start: string;
}

/** The basic cases, in the order an implementer gets them working. */
export const BASICS: readonly Basic[] = [
  {
    id: 'rdn/payment/1',
    never: 'never answered 402 to a request without payment',
    start: 'a paywalled resource answers 402 with RDN-Price and the other reply headers (§3.1, §3.2 step 4)',
  },
  {
    id: 'rdn/headers/13',
    never: 'never sent the base reply headers with its 402',
    start: 'RDN-Gateway-Path, RDN-Receiver-Address, RDN-Contract-Address, RDN-Token-Address and RDN-Price (§3.1)',
  },
  {
    id: 'rdn/payment/2',
    never: 'never served a correct payment',
    start: 'the balance proof hash (§1.2), recovering its signer (§1.4), increment = new balance − registered balance (§3.2 steps 7–10)',
  },
  {
    id: 'rdn/channel/1',
    never: 'never answered RDN-Insufficient-Confirmations for a channel not yet confirmed',
    start: 'watching the contract’s events with the confirmations it was given (RDN_CONFIRMATIONS, §4; §3.2 step 5)',
  },
  {
    id: 'rdn/payment/4',
    never: 'never refused an underpayment with RDN-Invalid-Amount',
    start: 'registering each channel’s balance and comparing the increment with the price (§3.2 step 8)',
  },
];

/** One hint per basic case that ran and did not pass (an expected failure included: it still blocks the rest). */
export function hintsFor(results: readonly CaseResult[]): string[] {
  const by = new Map(results.map((r) => [r.id, r]));
  const out: string[] = [];
  for (const b of BASICS) {
    const r = by.get(b.id);
    if (!r || r.outcome === 'pass' || r.outcome === 'unimplemented') continue;
    out.push(`your server ${b.never}: start with ${b.id} — ${b.start}`);
  }
  return out;
}

/** When the target never came up, nothing else in the report matters yet. */
export function startHint(reason: string): string {
  return `your server never started (${reason}): it must listen on 127.0.0.1:$RDN_PORT and answer GET /echofix/ready (§6)`;
}
