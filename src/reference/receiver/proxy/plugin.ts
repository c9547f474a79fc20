/**
 * Paywalling the routes of a merchant's own fastify app: the same §3.2 decision (paywall.ts), the
 * same manager, the same replies (reply.ts: the HTML paywall, cookies, JSON) as the kit's proxy.
 *
 *   await app.register(uraidenPaywall, { manager });           // before the routes it guards
 *   app.get('/report', { config: { rdnPrice: 5n } }, handler);  // paid
 *   app.get('/words/:t', { config: { rdnPrice: (req) => BigInt(req.params.t.length) } }, handler);
 *
 * A route with `config.rdnPrice` gets a preHandler that answers 402/409/502 or lets the handler
 * run once the payment is registered; a HEAD is never charged. The plugin also serves the §5 REST
 * API under the gateway path (the browser client closes channels and finds its start block
 * there) and the browser client's script at /_rdn/web-client.js.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, onRouteHookHandler, preHandlerAsyncHookHandler } from 'fastify';
import { GATEWAY_PATH } from '../../../protocol/index.js';
import { artifact } from '../../../contracts/artifacts.js';
import type { ReceiverManager } from '../manager/types.js';
import { addWebClient } from './app.js';
import { paymentSource } from './cookies.js';
import { createPaywall } from './paywall.js';
import { refusalReply, servedHeaders } from './reply.js';
import { type Price, type PriceFunction, toPrice } from './resources.js';
import { type ContractAbis, restApi } from './rest.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's price (uraidenPaywall): fixed, or computed from the request. Absent: not paywalled. */
    rdnPrice?: Price | PriceFunction;
  }
}

export interface PaywallPluginOptions {
  manager: ReceiverManager;
  /** Prefix of the §5 REST API and the RDN-Gateway-Path header. Default `/api/1`. */
  gatewayPath?: string;
  /** Serve the §5 REST API. Default true. */
  rest?: boolean;
  /** ABIs for GET /stats; default: the kit's own contract and test token. */
  abis?: ContractAbis;
  /** Serve /_rdn/web-client.js. Default true. */
  webClient?: boolean;
}

const plugin: FastifyPluginAsync<PaywallPluginOptions> = async (app, options) => {
  const gatewayPath = options.gatewayPath ?? GATEWAY_PATH;
  const paywall = createPaywall(options.manager, gatewayPath);

  const guard = (price: Price | PriceFunction, path: string): preHandlerAsyncHookHandler => {
    // A fixed price is checked when the route is declared, not at its first request.
    const fixed = typeof price === 'function' ? undefined : toPrice(price, `rdnPrice of ${path}`);
    return async function rdnPaywall(req: FastifyRequest, reply: FastifyReply) {
      const source = paymentSource(req.headers);
      const priceOf = () => fixed ?? toPrice((price as PriceFunction)(req), `rdnPrice of ${path}`);
      const decision = paywall.decide(priceOf, source.get, req.method !== 'HEAD');
      if (decision.kind === 'free' || decision.kind === 'paid') {
        reply.headers(servedHeaders(decision, source));
        return;
      }
      const r = refusalReply(paywall, decision, { url: req.url, accept: req.headers.accept });
      return reply.code(r.status).headers(r.headers).send(r.body);
    };
  };

  const onRoute: onRouteHookHandler = (route) => {
    const price = route.config?.rdnPrice;
    if (price === undefined) return;
    const handler = guard(price, route.url);
    const existing = route.preHandler;
    route.preHandler = existing === undefined ? [handler] : [handler, ...(Array.isArray(existing) ? existing : [existing])];
  };
  app.addHook('onRoute', onRoute);

  if (options.rest !== false) {
    const abis = options.abis ?? { manager: artifact('RaidenMicroTransferChannels').abi, token: artifact('TestToken').abi };
    await app.register(restApi, { prefix: gatewayPath, manager: options.manager, abis });
  }
  if (options.webClient !== false) addWebClient(app);
};

// What fastify-plugin does: the hook applies to the app the plugin is registered on, not only to
// an encapsulated child of it.
(plugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;

export const uraidenPaywall = plugin;
