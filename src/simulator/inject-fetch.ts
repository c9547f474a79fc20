/**
 * A `fetch` that hands requests to a fastify app through `app.inject()` instead of a socket. The
 * request still goes through the real proxy — routing, the §3.2 paywall, the manager's pay() and
 * the handler — only the TCP/HTTP parsing is skipped; the simulator uses it because sockets would
 * add wall time and ephemeral-port churn to thousands of requests and nothing economic.
 *
 * A request crosses as plain data (`InjectedRequest` → `InjectedResponse`), so senders in a worker
 * thread pay through the same proxy in the main thread (sender-threads.ts).
 */
import type { FastifyInstance } from 'fastify';

export interface InjectedRequest {
  method: string;
  /** path and query */
  url: string;
  headers: Record<string, string>;
}

export interface InjectedResponse {
  status: number;
  headers: [string, string][];
  body: Uint8Array | null;
}

export function requestOf(input: string | URL | Request, init?: RequestInit): InjectedRequest {
  const url = new URL(input instanceof Request ? input.url : String(input));
  const headers: Record<string, string> = {};
  new Headers(init?.headers).forEach((value, name) => {
    headers[name] = value;
  });
  return { method: init?.method ?? 'GET', url: url.pathname + url.search, headers };
}

export async function inject(app: FastifyInstance, req: InjectedRequest): Promise<InjectedResponse> {
  const res = await app.inject({ method: req.method as 'GET', url: req.url, headers: req.headers });
  const headers: [string, string][] = [];
  for (const [name, value] of Object.entries(res.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.push([name, v]);
    else headers.push([name, String(value)]);
  }
  const empty = res.statusCode === 204 || res.statusCode === 304;
  return { status: res.statusCode, headers, body: empty ? null : new Uint8Array(res.rawPayload) };
}

export function responseOf(res: InjectedResponse): Response {
  const headers = new Headers();
  for (const [name, value] of res.headers) headers.append(name, value);
  return new Response(res.body as ConstructorParameters<typeof Response>[0], { status: res.status, headers });
}

/** A fetch over any transport of injected requests (this thread's app, or a message to another thread). */
export function fetchVia(send: (req: InjectedRequest) => Promise<InjectedResponse>): typeof fetch {
  return async (input, init) => responseOf(await send(requestOf(input, init)));
}

/** `app()` is asked on every request: the receiver (and its proxy) can be replaced between ticks. */
export function injectFetch(app: () => FastifyInstance): typeof fetch {
  return fetchVia((req) => inject(app(), req));
}
