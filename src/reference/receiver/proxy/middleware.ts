/**
 * Paywalling the routes of a merchant's express or connect app (or plain `node:http`): the same
 * §3.2 decision, manager and replies as the kit's proxy, with no dependency on express.
 *
 *   const rdn = createPaywallMiddleware({ manager });
 *   app.use(rdn.routes);                          // at the root: REST API and /_rdn/web-client.js
 *   app.get('/report', rdn.price(5n), handler);   // paid
 *   app.use('/premium', rdn.price((req) => 2n));  // a whole subtree
 *
 * `price` lets the request through (`next()`) once the payment is registered, with the RDN-*
 * headers set on the response; otherwise it answers 402 (the HTML paywall for browsers), 409 or
 * 502 itself. A HEAD is never charged. The §5 REST API is the kit's own (rest.ts), run on an
 * in-memory fastify instance through `inject` (light-my-request), so both servers answer alike.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import Fastify from 'fastify';
import { GATEWAY_PATH } from '../../../protocol/index.js';
import { artifact } from '../../../contracts/artifacts.js';
import type { ReceiverManager } from '../manager/types.js';
import { WEB_CLIENT_PATH, webClientAsset } from './assets.js';
import { paymentSource } from './cookies.js';
import { createPaywall } from './paywall.js';
import { refusalReply, servedHeaders } from './reply.js';
import { type Price, toPrice } from './resources.js';
import { type ContractAbis, restApi } from './rest.js';

/** A connect-style request: express adds `originalUrl` (the path before mounting) and may have parsed `body`. */
export type MiddlewareRequest = IncomingMessage & { originalUrl?: string; body?: unknown };
export type Middleware = (req: MiddlewareRequest, res: ServerResponse, next: (err?: unknown) => void) => void;

export interface PaywallMiddlewareOptions {
  manager: ReceiverManager;
  /** Prefix of the §5 REST API and the RDN-Gateway-Path header. Default `/api/1`. */
  gatewayPath?: string;
  /** Serve the §5 REST API from `routes`. Default true. */
  rest?: boolean;
  /** ABIs for GET /stats; default: the kit's own contract and test token. */
  abis?: ContractAbis;
  /** Serve /_rdn/web-client.js from `routes`. Default true. */
  webClient?: boolean;
}

export interface PaywallMiddleware {
  /** The REST API and the browser client's script; mount it at the app's root. */
  readonly routes: Middleware;
  /** A paywall for the routes it is mounted on: a fixed price or one computed per request. */
  price(price: Price | ((req: MiddlewareRequest) => Price)): Middleware;
  /** Releases the in-memory REST server. */
  close(): Promise<void>;
}

/** The largest REST body read (a DELETE body is ~200 bytes). */
const MAX_BODY = 64 * 1024;
/** Hop-by-hop headers of the in-memory reply that must not be copied onto the real one. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding']);

function send(res: ServerResponse, status: number, headers: Record<string, string | string[] | number | undefined>, body: string | Buffer): void {
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) res.setHeader(name, value);
  res.statusCode = status;
  res.end(body);
}

/** The request's own fault, answered with its status (never passed on as a server error). */
class BodyError extends Error {
  constructor(
    readonly status: 400 | 413,
    message: string,
  ) {
    super(message);
  }
}

/** The request body as text: what a body parser (express.json, text, raw) already made of it, or the stream. */
async function bodyOf(req: MiddlewareRequest): Promise<string> {
  const parsed = req.body;
  if (typeof parsed === 'string') return parsed;
  if (Buffer.isBuffer(parsed)) return parsed.toString('utf8');
  if (parsed !== undefined && parsed !== null) {
    try {
      return JSON.stringify(parsed);
    } catch {
      // A body nested thousands deep parses, but does not serialise again within the stack.
      throw new BodyError(400, 'the JSON body is nested too deeply');
    }
  }
  if (req.readableEnded) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new BodyError(413, `request body above ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function createPaywallMiddleware(options: PaywallMiddlewareOptions): PaywallMiddleware {
  const gatewayPath = options.gatewayPath ?? GATEWAY_PATH;
  const paywall = createPaywall(options.manager, gatewayPath);
  const rest = Fastify({ logger: false });
  if (options.rest !== false) {
    const abis = options.abis ?? { manager: artifact('RaidenMicroTransferChannels').abi, token: artifact('TestToken').abi };
    rest.register(restApi, { prefix: gatewayPath, manager: options.manager, abis });
  }

  const routes: Middleware = (req, res, next) => {
    const url = req.url ?? '/';
    const pathname = url.split('?')[0] ?? '/';
    if (options.webClient !== false && pathname === WEB_CLIENT_PATH && (req.method === 'GET' || req.method === 'HEAD')) {
      const asset = webClientAsset();
      return send(res, asset.status, asset.headers, req.method === 'HEAD' ? '' : asset.body);
    }
    if (options.rest === false || !(pathname === gatewayPath || pathname.startsWith(`${gatewayPath}/`))) return next();
    (async () => {
      const payload = await bodyOf(req);
      const headers: Record<string, string | string[] | undefined> = { ...req.headers };
      delete headers['content-length'];
      delete headers['transfer-encoding'];
      const r = await rest.inject({ method: (req.method ?? 'GET') as 'GET', url, headers, ...(payload !== '' && { payload }) });
      send(res, r.statusCode, r.headers, r.rawPayload);
    })().catch((err: unknown) => {
      if (err instanceof BodyError) send(res, err.status, { 'content-type': 'application/json; charset=utf-8' }, JSON.stringify({ error: err.message }));
      else next(err);
    });
  };

  return {
    routes,
    price(price) {
      const fixed = typeof price === 'function' ? undefined : toPrice(price, 'price');
      return (req, res, next) => {
        const source = paymentSource(req.headers);
        let decision: ReturnType<typeof paywall.decide>;
        try {
          decision = paywall.decide(() => fixed ?? toPrice((price as (req: MiddlewareRequest) => Price)(req), 'price'), source.get, req.method !== 'HEAD');
        } catch (err) {
          return next(err); // a price function that threw (or returned garbage): the app's error handler decides
        }
        if (decision.kind === 'free' || decision.kind === 'paid') {
          for (const [name, value] of Object.entries(servedHeaders(decision, source))) res.setHeader(name, value);
          return next();
        }
        const r = refusalReply(paywall, decision, { url: req.originalUrl ?? req.url ?? '/', accept: req.headers.accept });
        send(res, r.status, r.headers, r.body);
      };
    },
    close: () => rest.close(),
  };
}
