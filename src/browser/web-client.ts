/**
 * The script the reference receiver serves at /_rdn/web-client.js (bundled into
 * dist/browser/web-client.js): the browser library and the paywall page that uses it.
 */
export {
  createWebClient,
  discoverWallets,
  findWallet,
  balanceProofTypedData,
  closingTypedData,
  setPaymentCookies,
  clearPaymentCookies,
  readPaymentCookies,
  PAYMENT_COOKIES,
  channelStore,
} from './index.js';
export { mountPaywall, type PaywallParams, type PaywallOptions } from './paywall/page.js';
