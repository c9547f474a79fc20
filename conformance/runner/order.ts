// The order a run plays the cases in: from the basics (a 402 payment request, a first payment) to
// the advanced (disputes, restarts, chain faults last), so that an implementer reading the
// report top down meets the first thing to fix first. Within an area, cases run by id.
// `--list` prints this order too.
import { compareIds } from './load.js';

/**
 * Areas, basic to advanced. `*` is where an area that is not listed goes (a catalogue of one's
 * own, or a new area not yet placed here), in alphabetical order among its kind.
 */
export const AREA_ORDER = [
  'payment', // §3.2: the 402 payment request, a first payment, amounts, deposits, concurrency
  'headers', // §3.1: the forms of the payment headers, malformed ones
  'signature', // §1.4: the forms of a signature
  'proof', // §3.2 step 7: who signed what
  'channel', // §3.2 steps 5–6, §4: confirmations, unknown and foreign channels
  'paywall', // §3.2: the HTML page for browsers
  'cookie', // §3.1: payments by cookie, for browsers (SHOULD)
  '*',
  'rest', // §5: the REST API, cooperative close
  'close', // §4: close requests and disputes
  'fuzz', // §3.2, §5: seeded streams of malformed requests
  'restart', // §4: durability across a stop and a start
  'chain', // §3.2 step 1, §4: outages, reorganisations, a head going back
] as const;

export function areaOf(id: string): string {
  return id.split('/')[1] ?? '';
}

function rank(area: string): number {
  const i = (AREA_ORDER as readonly string[]).indexOf(area);
  return i === -1 ? AREA_ORDER.indexOf('*') : i;
}

/** Basic areas first, chain faults last; an area's cases by id (rdn/x/2 before rdn/x/10). */
export function compareCases(a: { id: string }, b: { id: string }): number {
  const [aa, ba] = [areaOf(a.id), areaOf(b.id)];
  return rank(aa) - rank(ba) || (aa === ba ? compareIds(a, b) : aa < ba ? -1 : 1);
}

export function orderCases<T extends { id: string }>(cases: readonly T[]): T[] {
  return [...cases].sort(compareCases);
}
