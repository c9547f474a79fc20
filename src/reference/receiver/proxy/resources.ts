/**
 * What a proxy serves. A resource is a fastify route (path syntax of find-my-way: `/echo/:text`,
 * `/cdn/*`) with a price and a handler. The handler is an ordinary fastify handler, called only
 * after the payment was registered, with the RDN-* reply headers already set on the reply.
 *
 * Prices are synchronous on purpose: the whole §3.2 decision, from the health check to the
 * manager's durable `pay()`, runs with no await in between, so nothing can change under it.
 */
import type { FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { MAX_UINT192 } from '../../../protocol/index.js';
import { ProxyConfigError } from './errors.js';

/** A price in token base units. Strings are decimal; numbers must be safe integers. */
export type Price = bigint | number | string;

/** A price computed from the request (path, method, parameters); may throw ResourceError. */
export type PriceFunction = (req: FastifyRequest) => Price;

/** A fastify handler: return a payload (string, Buffer, stream, object → JSON) or use `reply`. */
export type ResourceHandler = (req: FastifyRequest, reply: FastifyReply) => unknown;

export type ResourceMethod = Exclude<HTTPMethods, 'HEAD' | 'head' | 'OPTIONS' | 'options'>;

export interface Resource {
  /** Route path, fastify syntax. */
  path: string;
  /** Default ['GET']. A GET resource also answers HEAD with its payment request, never charging. */
  methods?: ResourceMethod[];
  /** Fixed or computed. A computed 0 serves without payment (§3.2 step 2). */
  price: Price | PriceFunction;
  handler: ResourceHandler;
  /**
   * false: a free resource outside the paywall: no health check, no RDN-* headers. Default true.
   * (A paywalled resource priced 0 still answers 502 while the chain is unreachable: §3.2 step 1
   * comes before step 2.)
   */
  paywall?: boolean;
}

/** A resource with a fixed price. */
export function paidResource(path: string, price: Price, handler: ResourceHandler, options: { methods?: ResourceMethod[] } = {}): Resource {
  toPrice(price, `price of ${path}`); // refuse a bad price when the proxy is configured, not at the first request
  return { path, price, handler, ...options };
}

/** A resource whose price is computed from each request. */
export function pricedResource(path: string, price: PriceFunction, handler: ResourceHandler, options: { methods?: ResourceMethod[] } = {}): Resource {
  return { path, price, handler, ...options };
}

/** A resource served without the paywall. */
export function freeResource(path: string, handler: ResourceHandler, options: { methods?: ResourceMethod[] } = {}): Resource {
  return { path, price: 0n, handler, paywall: false, ...options };
}

/**
 * A price as a bigint in [0, 2^192 − 1] (the contract's balance type: a price above it could
 * never be paid). Throws ProxyConfigError naming `what`.
 */
export function toPrice(value: unknown, what = 'price'): bigint {
  let price: bigint;
  if (typeof value === 'bigint') price = value;
  else if (typeof value === 'number' && Number.isSafeInteger(value)) price = BigInt(value);
  else if (typeof value === 'string' && /^[0-9]+$/.test(value)) price = BigInt(value);
  else throw new ProxyConfigError(what, value, 'not a non-negative integer');
  if (price < 0n || price > MAX_UINT192) throw new ProxyConfigError(what, value, 'outside [0, 2^192 - 1]');
  return price;
}

/** The price of one request, evaluated synchronously (see the module comment). */
export function priceOf(resource: Resource, req: FastifyRequest): bigint {
  const raw = typeof resource.price === 'function' ? resource.price(req) : resource.price;
  return toPrice(raw, `price of ${resource.path}`);
}

/**
 * The §6 echo resources every conformance target serves: `GET /echofix/<text>` priced 5 and
 * `GET /echodyn/<text>` priced len(text). Length counts code points, as Python's len() does on
 * the original's str.
 */
export function echoResources(): Resource[] {
  const text = (req: FastifyRequest): string => (req.params as { text?: string }).text ?? '';
  const send = (req: FastifyRequest, reply: FastifyReply): string => {
    reply.type('text/plain; charset=utf-8');
    return text(req);
  };
  return [paidResource('/echofix/:text', 5n, send), pricedResource('/echodyn/:text', (req) => BigInt([...text(req)].length), send)];
}
