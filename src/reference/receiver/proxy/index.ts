/** The paywalled proxy (§3) and REST API (§5) of the reference receiver. */
export { createProxy, type Proxy, type ProxyOptions, type ListenAddress } from './app.js';
export { createPaywall, type Decision, type Paywall } from './paywall.js';
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
} from './resources.js';
export { forwardResource, type ForwardOptions } from './upstream.js';
export { prefersHtml, paywallPage, rdnCookies } from './html.js';
export { channelJson, type ContractAbis } from './rest.js';
export { ProxyConfigError, ResourceError, UpstreamError } from './errors.js';
