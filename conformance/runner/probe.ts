// Which optional parts (§6) the target has, probed once before the cases. A part counts as
// present only when it answers as the part would: a server that answers 200 (or the same 402)
// to every path has neither /echodyn nor the REST API, and its cases are then unimplemented with
// the reason, not failed for a part it never claimed.
import { send, type HttpResponse } from './http.js';
import type { Target } from './target.js';
import type { OptionalPart } from './types.js';

export interface PartProbe {
  present: boolean;
  /** what the probe saw, one line (shown with the run and in each unimplemented case) */
  why: string;
}

/**
 * Two texts of different lengths, neither 5 (the /echofix price): a server that prices every
 * path alike cannot answer both with RDN-Price = len(text).
 */
export const ECHODYN_PROBES = ['uraiden', 'conformance-probe'] as const;

/** The §5 `GET /stats` fields a receiver reports. */
export const STATS_FIELDS = [
  'deposit_sum',
  'balance_sum',
  'open_channels',
  'pending_channels',
  'unique_senders',
  'liquid_balance',
  'token_address',
  'contract_address',
  'receiver_address',
  'sync_block',
] as const;

function answered(res: HttpResponse): string {
  const type = res.headers['content-type'];
  return `answered ${res.status}${type ? ` ${type.split(';')[0]}` : ''}`;
}

/** §6: `GET /echodyn/<text>` without payment is a 402 priced len(text). */
export function judgeEchodyn(answers: readonly HttpResponse[]): PartProbe {
  for (const [i, text] of ECHODYN_PROBES.entries()) {
    const res = answers[i] as HttpResponse;
    const path = `GET /echodyn/${text}`;
    if (res.status === 404) return { present: false, why: `${path} answered 404` };
    const price = res.headers['rdn-price'];
    if (res.status !== 402 || price !== String(text.length)) {
      const priced = price === undefined ? 'without RDN-Price' : `with RDN-Price ${JSON.stringify(price)}`;
      return {
        present: false,
        why: `${path} ${answered(res)} ${priced}, not a 402 with RDN-Price ${text.length} (= its length): not taken for /echodyn`,
      };
    }
  }
  return { present: true, why: `402 with RDN-Price = len(text) for ${ECHODYN_PROBES.map((t) => `/echodyn/${t}`).join(' and ')}` };
}

/**
 * §5: `GET /api/1/stats` is a 200 with a JSON object carrying the stats fields. One that carries
 * some of them counts as present (the REST cases then say what is missing); a body with none of
 * them — an HTML page, `{}`, a catch-all JSON — does not.
 */
export function judgeRest(res: HttpResponse): PartProbe {
  const path = 'GET /api/1/stats';
  if (res.status === 404) return { present: false, why: `${path} answered 404` };
  if (res.status !== 200) return { present: false, why: `${path} ${answered(res)}, not 200: not taken for the REST API` };
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    return { present: false, why: `${path} ${answered(res)} that is not JSON: not taken for the REST API` };
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    return { present: false, why: `${path} ${answered(res)} with JSON that is not an object: not taken for the REST API` };
  const have = STATS_FIELDS.filter((f) => f in body);
  if (have.length === 0)
    return { present: false, why: `${path} ${answered(res)} without any of the §5 fields (${STATS_FIELDS.join(', ')}): not taken for the REST API` };
  const missing = STATS_FIELDS.filter((f) => !(f in body));
  return { present: true, why: missing.length ? `${path}: §5 JSON, without ${missing.join(', ')}` : `${path}: §5 JSON` };
}

export async function probeParts(target: Target, timeoutMs: number, canRestart: boolean): Promise<Record<OptionalPart, PartProbe>> {
  const get = (path: string) => send(target.baseUrl, { method: 'GET', path, headers: {} }, timeoutMs);
  // a TransportError's message names the request and why it got no answer
  const unreachable = (err: Error): PartProbe => ({ present: false, why: err.message });
  const echodyn = await Promise.all(ECHODYN_PROBES.map((t) => get(`/echodyn/${t}`))).then(judgeEchodyn, unreachable);
  const rest = await get('/api/1/stats').then(judgeRest, unreachable);
  return {
    echodyn,
    'rest-api': rest,
    restart: canRestart ? { present: true, why: 'launched by the runner' } : { present: false, why: 'the runner did not launch the target' },
  };
}
