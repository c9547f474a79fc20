/** The paywalled proxy (§3) and REST API (§5) of the reference receiver. */
export { createProxy, type Proxy, type ProxyOptions, type ListenAddress } from './app.ts';
export { createPaywall, type Decision, type Paywall } from './paywall.ts';
export {
  paidResource,
  pricedResource,
  freeResource,
  echoResources,
  priceOf,
  toPrice,
  type Resource,
  type ResourceHandler,
  type ResourceMethod,
  type Price,
  type PriceFunction,
} from './resources.ts';
export { forwardResource, type ForwardOptions } from './upstream.ts';
export { prefersHtml, paywallPage, rdnCookies } from './html.ts';
export { channelJson, type ContractAbis } from './rest.ts';
export { ProxyConfigError, ResourceError, UpstreamError } from './errors.ts';
