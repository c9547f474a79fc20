/**
 * createProxy: the paywalled proxy as a fastify app. Resources go through the §3.2 decision
 * (paywall.ts); the §5 REST API (rest.ts) sits under the gateway path.
 *
 * Payment and content: the handler of a paid resource runs only after `manager.pay()` accepted
 * and durably registered the proof. If the handler then fails, the payment stays registered (the
 * manager has no refund and the proof is the sender's own signed promise): the reply is a 5xx
 * (500 for a handler error, 502 for an unreachable upstream) or the handler's ResourceError
 * status, and it still carries RDN-Cost, RDN-Sender-Balance and RDN-Balance-Signature, so the
 * client knows it was charged and its balance stays in step with the receiver's. Errors before
 * the payment (a price function's ResourceError, a storage failure inside `pay()`) charge nothing.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { type FastifyInstance, type HTTPMethods, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { GATEWAY_PATH, HEADER } from '../../../protocol/index.js';
import { artifact } from '../../../contracts/artifacts.js';
import type { ReceiverManager } from '../manager/types.js';
import { WEB_CLIENT_PATH, webClientAsset } from './assets.js';
import { paymentSource } from './cookies.js';
import { ProxyConfigError, ResourceError, UpstreamError } from './errors.js';
import { createPaywall, type Paywall } from './paywall.js';
import { refusalReply, servedHeaders } from './reply.js';
import { type Resource, priceOf } from './resources.js';
import { type ContractAbis, restApi } from './rest.js';

export interface ProxyOptions {
  manager: ReceiverManager;
  resources?: Resource[];
  /** Prefix of the §5 REST API and the RDN-Gateway-Path header. Default `/api/1`. */
  gatewayPath?: string;
  /** Serve the §5 REST API. Default true. */
  rest?: boolean;
  /** ABIs for GET /stats; default: the kit's own contract and test token. */
  abis?: ContractAbis;
  /** fastify's logger option. Default false: the proxy is quiet, the CLI prints its own lines. */
  logger?: FastifyServerOptions['logger'];
  /** Serve the browser client at /_rdn/web-client.js, which the HTML paywall loads. Default true. */
  webClient?: boolean;
}

export interface ListenAddress {
  host: string;
  port: number;
  url: string;
}

export interface PaywalledProxy {
  readonly app: FastifyInstance;
  readonly paywall: Paywall;
  /** Listens on host:port (port 0 picks a free one). Loopback by default. */
  listen(port?: number, host?: string): Promise<ListenAddress>;
  /** Stops accepting connections and waits for in-flight requests. Does not stop the manager. */
  close(): Promise<void>;
}

const TEXT = 'text/plain; charset=utf-8';

export function createProxy(options: ProxyOptions): PaywalledProxy {
  const gatewayPath = options.gatewayPath ?? GATEWAY_PATH;
  // A header value and a route prefix: absolute, no trailing slash, no query.
  if (!/^\/[^?#\s]*[^/?#\s]$/.test(gatewayPath)) throw new ProxyConfigError('gatewayPath', gatewayPath, 'expected an absolute path without a trailing slash');

  const paywall = createPaywall(options.manager, gatewayPath);
  // HEAD routes are registered by hand: an automatic HEAD would run the paid GET and charge.
  // maxParamLength: fastify's default (100) would answer 404 for /echodyn/<101 characters>; the
  // original (Flask) had no such limit, and the price of /echodyn grows with the text.
  const app = Fastify({ logger: options.logger ?? false, exposeHeadRoutes: false, routerOptions: { maxParamLength: 8192 } });

  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    const charged = reply.getHeader(HEADER.cost) !== undefined;
    let status: number;
    if (err instanceof ResourceError) status = err.status;
    else if (err instanceof UpstreamError) status = 502;
    else if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) status = err.statusCode;
    else status = 500;
    if (status >= 500) req.log.error({ err, charged }, 'resource failed');
    const message = status === 500 ? 'internal error' : err.message;
    const note = charged ? ` (after payment: ${String(reply.getHeader(HEADER.cost))} was charged, RDN-Sender-Balance is the registered balance)` : '';
    return reply.code(status).type(TEXT).send(`${message}${note}\n`);
  });

  // Graceful close: fastify closes the connections idle at close() and waits for the busy ones,
  // but a keep-alive connection that was busy stays open after its reply until the client's
  // keep-alive runs out (a SIGTERM would hang for a minute). Replies sent while closing say
  // `Connection: close`, so each such connection ends with its in-flight request.
  let closing = false;
  app.addHook('onSend', (_req, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });

  // A path this server routes, asked with a method it does not take: 405 with the methods it does
  // (RFC 9110 §15.5.6) instead of a 404 that would say the resource is not there. Unknown paths
  // stay 404. CONNECT never reaches a route — Node hands it to 'connect' listeners and closes the
  // connection when there is none — so it gets the same answer there, never a silent close.
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    const allowed = allowedMethods(app, path);
    if (allowed.length === 0) return reply.code(404).type(TEXT).send(`no resource ${path}\n`);
    return reply
      .code(405)
      .header('allow', allowed.join(', '))
      .type(TEXT)
      .send(`${req.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}\n`);
  });
  app.server.on('connect', (req: IncomingMessage, socket: Duplex) => {
    const allowed = allowedMethods(app, req.url?.startsWith('/') ? req.url : '/');
    const body = 'CONNECT is not allowed: this server is not a tunnelling proxy\n';
    socket.on('error', () => socket.destroy()); // a client that resets first: nothing to answer
    socket.end(
      `HTTP/1.1 405 Method Not Allowed\r\nAllow: ${allowed.join(', ') || 'GET, HEAD'}\r\nContent-Type: ${TEXT}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });

  for (const resource of options.resources ?? []) addResource(app, paywall, resource);
  if (options.webClient !== false) addWebClient(app);

  if (options.rest !== false) {
    const abis = options.abis ?? { manager: artifact('RaidenMicroTransferChannels').abi, token: artifact('TestToken').abi };
    app.register(restApi, { prefix: gatewayPath, manager: options.manager, abis });
  }

  return {
    app,
    paywall,
    async listen(port = 0, host = '127.0.0.1') {
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ProxyConfigError('port', port, 'not a TCP port');
      await app.listen({ port, host });
      const address = app.server.address();
      const actual = typeof address === 'object' && address !== null ? address.port : port;
      return { host, port: actual, url: `http://${host.includes(':') ? `[${host}]` : host}:${actual}` };
    },
    async close() {
      closing = true;
      await app.close();
    },
  };
}

/** The methods some route of `app` takes for the concrete `path`, in fastify's order. */
function allowedMethods(app: FastifyInstance, path: string): string[] {
  return app.supportedMethods.filter((method) => app.findRoute({ method: method as HTTPMethods, url: path }) !== null);
}

function addResource(app: FastifyInstance, paywall: Paywall, resource: Resource): void {
  const methods = resource.methods ?? ['GET'];
  if (resource.paywall === false) {
    app.route({ method: methods, url: resource.path, exposeHeadRoute: methods.includes('GET'), handler: resource.handler });
    return;
  }
  const serve = (charge: boolean) =>
    async function paywalled(req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
      const source = paymentSource(req.headers);
      const decision = paywall.decide(() => priceOf(resource, req), source.get, charge);
      if (decision.kind === 'free' || decision.kind === 'paid') {
        reply.headers(servedHeaders(decision, source));
        return resource.handler(req, reply);
      }
      const r = refusalReply(paywall, decision, { url: req.url, accept: req.headers.accept });
      return reply.code(r.status).headers(r.headers).send(r.body);
    };
  app.route({ method: methods, url: resource.path, handler: serve(true) });
  if (methods.includes('GET')) app.route({ method: 'HEAD', url: resource.path, handler: serve(false) });
}

/** GET (and HEAD) /_rdn/web-client.js: the bundle the HTML paywall imports. */
export function addWebClient(app: FastifyInstance): void {
  app.route({
    method: 'GET',
    url: WEB_CLIENT_PATH,
    exposeHeadRoute: true,
    handler: (_req, reply) => {
      const asset = webClientAsset();
      return reply.code(asset.status).headers(asset.headers).send(asset.body);
    },
  });
}
