/**
 * A paywalled resource whose content comes from an upstream URL (a CDN, an origin server): the
 * µRaiden "proxy URL" resource. The upstream is fetched only after the payment was registered,
 * so an unpaid request never costs the operator an upstream fetch.
 */
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { FastifyRequest } from 'fastify';
import { ProxyConfigError, ResourceError, UpstreamError } from './errors.js';
import type { Price, PriceFunction, Resource, ResourceMethod } from './resources.js';
import { toPrice } from './resources.js';

export interface ForwardOptions {
  methods?: ResourceMethod[];
  /** Abort the upstream request after this long (default 30 s): a hung upstream must not pin a connection forever. */
  timeoutMs?: number;
}

/** Request headers passed upstream. Not accept-encoding: fetch decodes, so we would mislabel the body. */
const REQUEST_HEADERS = ['accept', 'accept-language', 'range', 'if-none-match', 'if-modified-since', 'user-agent'];
/**
 * Response headers passed back. Not content-length/encoding: the body is re-streamed decoded. Not
 * cache-control: a CDN's `public, max-age` would let a shared cache hand paid content to clients
 * that never paid; the proxy marks paid replies private instead.
 */
const RESPONSE_HEADERS = ['content-type', 'etag', 'last-modified', 'content-language', 'content-disposition', 'content-range', 'accept-ranges'];

/**
 * `path` is a fastify route; when it ends in `*` the matched rest is appended to `upstream`
 * (`/cdn/*` + `https://cdn.example/r42` serves `/cdn/a/b.png` from `https://cdn.example/r42/a/b.png`),
 * otherwise every request fetches `upstream` itself. The query string is passed on. The upstream's
 * status is passed on too, 404 included: the proxy is transparent, and the payment headers tell
 * the client what it was charged.
 */
export function forwardResource(path: string, upstream: string, price: Price | PriceFunction, options: ForwardOptions = {}): Resource {
  let base: URL;
  try {
    base = new URL(upstream);
  } catch {
    throw new ProxyConfigError('upstream', upstream, 'not an absolute URL');
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new ProxyConfigError('upstream', upstream, 'not http(s)');
  if (typeof price !== 'function') toPrice(price, `price of ${path}`);
  const timeoutMs = options.timeoutMs ?? 30_000;
  // `/cdn/*` → '/cdn/': the part of the raw URL after it is the path appended upstream.
  const wildcardPrefix = path.endsWith('*') ? path.slice(0, -1) : undefined;
  if (wildcardPrefix !== undefined && /[:*]/.test(wildcardPrefix))
    throw new ProxyConfigError('path', path, 'a forwarding path may only have a trailing * (no parameters)');

  // The price runs before the payment: refusing an escaping path there costs the client nothing.
  const checkedPrice: PriceFunction = (req) => {
    const target = new URL(upstreamUrl(base, wildcardPrefix, req));
    const root = base.pathname.replace(/\/+$/, '');
    if (target.origin !== base.origin || (target.pathname !== base.pathname && !target.pathname.startsWith(`${root}/`))) {
      throw new ResourceError(400, `path escapes the upstream ${base.pathname}`, req.url);
    }
    return typeof price === 'function' ? price(req) : price;
  };

  return {
    path,
    price: checkedPrice,
    ...(options.methods && { methods: options.methods }),
    async handler(req, reply) {
      const target = upstreamUrl(base, wildcardPrefix, req);
      const headers: Record<string, string> = {};
      for (const name of REQUEST_HEADERS) {
        const value = req.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      let res: Response;
      try {
        res = await fetch(target, { method: req.method, headers, signal: AbortSignal.timeout(timeoutMs) });
      } catch (cause) {
        throw new UpstreamError(target, cause instanceof Error ? cause.message : String(cause), { cause });
      }
      reply.code(res.status);
      for (const name of RESPONSE_HEADERS) {
        const value = res.headers.get(name);
        if (value !== null) reply.header(name, value);
      }
      if (res.body === null) return reply.send();
      return reply.send(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>));
    },
  };
}

function upstreamUrl(base: URL, wildcardPrefix: string | undefined, req: FastifyRequest): string {
  const url = new URL(base);
  const q = req.url.indexOf('?');
  const rawPath = q >= 0 ? req.url.slice(0, q) : req.url;
  // The rest is taken from the raw URL, still percent-encoded, rather than from fastify's decoded
  // `*` parameter: decoding and re-encoding would turn an encoded "%2F" into a path separator.
  if (wildcardPrefix !== undefined && rawPath.startsWith(wildcardPrefix) && rawPath.length > wildcardPrefix.length) {
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/${rawPath.slice(wildcardPrefix.length)}`;
  }
  if (q >= 0) url.search = req.url.slice(q);
  return url.toString();
}
