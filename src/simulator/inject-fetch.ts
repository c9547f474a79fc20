/**
 * A `fetch` that hands requests to a fastify app through `app.inject()` instead of a socket. The
 * request still goes through the real proxy — routing, the §3.2 paywall, the manager's pay() and
 * the handler — only the TCP/HTTP parsing is skipped; the simulator uses it because sockets would
 * add wall time and ephemeral-port churn to thousands of requests and nothing economic.
 */
import type { FastifyInstance } from 'fastify';

/** `app()` is asked on every request: the receiver (and its proxy) can be replaced between ticks. */
export function injectFetch(app: () => FastifyInstance): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, name) => {
      headers[name] = value;
    });
    const res = await app().inject({
      method: (init?.method ?? 'GET') as 'GET',
      url: url.pathname + url.search,
      headers,
    });
    const out = new Headers();
    for (const [name, value] of Object.entries(res.headers)) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const v of value) out.append(name, v);
      else out.set(name, String(value));
    }
    const empty = res.statusCode === 204 || res.statusCode === 304;
    return new Response(empty ? null : res.rawPayload, { status: res.statusCode, headers: out });
  };
}
