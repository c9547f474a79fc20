/**
 * `uraiden-kit/receiver`: the reference receiver — the channel manager (§4, state in SQLite), the
 * paywalled proxy (§3) with its resources, and the §5 REST API. See src/reference/receiver/README.md.
 */
export { openReceiver, type Receiver, type ReceiverOptions } from './manager/manager.js';
export type { WithdrawResult, CloseAllResult } from './manager/operations.js';
export type { Logger } from './manager/model.js';
export { consoleLogger, memoryLogger, type LogLevel } from './manager/log.js';
export type {
  ReceiverManager,
  Health,
  Payment,
  PaymentOutcome,
  RegisteredProof,
  ChannelState,
  ChannelView,
  Stats,
  CooperativeCloseOutcome,
} from './manager/types.js';
export { createProxy, type PaywalledProxy, type ProxyOptions, type ListenAddress } from './proxy/app.js';
export { createPaywall, type Decision, type Paywall } from './proxy/paywall.js';
export { uraidenPaywall, type PaywallPluginOptions } from './proxy/plugin.js';
export { createPaywallMiddleware, type PaywallMiddleware, type PaywallMiddlewareOptions, type Middleware, type MiddlewareRequest } from './proxy/middleware.js';
export { WEB_CLIENT_PATH } from './proxy/assets.js';
export {
  paidResource,
  pricedResource,
  freeResource,
  echoResources,
  type Resource,
  type ResourceHandler,
  type ResourceMethod,
  type Price,
  type PriceFunction,
} from './proxy/resources.js';
export { forwardResource, type ForwardOptions } from './proxy/upstream.js';
export type { ContractAbis } from './proxy/rest.js';
// Every error this layer throws, and their base (the protocol's own are in uraiden-kit/protocol).
export {
  StateMismatchError,
  StateLockedError,
  StateSchemaError,
  ReceiverConfigError,
  ReceiverStoppedError,
  RpcError,
  SyncTimeoutError,
  TransactionError,
} from './manager/errors.js';
export { ProxyConfigError, ResourceError, UpstreamError } from './proxy/errors.js';
export { UraidenError } from '../../protocol/errors.js';
