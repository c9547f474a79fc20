/**
 * Finding a wallet and talking to it. A wallet is any EIP-1193 provider (`request({method,
 * params})`); several installed wallets announce themselves through EIP-6963 events, a single
 * legacy one sits at `window.ethereum`. Every call goes through `walletRequest`, which turns the
 * wallet's error objects into this layer's typed errors.
 */
import { NoWalletError, WalletRejectedError, WalletRequestError } from './errors.js';

export interface Eip1193Provider {
  request(args: { method: string; params?: readonly unknown[] | Record<string, unknown> }): Promise<unknown>;
}

/** EIP-6963 provider info, as the wallet announces it. */
export interface WalletInfo {
  uuid: string;
  name: string;
  icon: string;
  rdns: string;
}

export interface DiscoveredWallet {
  info: WalletInfo;
  provider: Eip1193Provider;
}

interface WalletWindow {
  ethereum?: Eip1193Provider;
  addEventListener(type: string, listener: (event: Event) => void): void;
  removeEventListener(type: string, listener: (event: Event) => void): void;
  dispatchEvent(event: Event): boolean;
}

/**
 * The wallets in this browser: every EIP-6963 announcement received within `timeoutMs` (wallets
 * answer the request event synchronously, so a short wait suffices), and `window.ethereum` as a
 * fallback when none announced itself. Empty when there is no wallet at all.
 */
export async function discoverWallets(options: { window?: WalletWindow; timeoutMs?: number } = {}): Promise<DiscoveredWallet[]> {
  const w = options.window ?? (globalThis as unknown as WalletWindow);
  const found = new Map<string, DiscoveredWallet>();
  const onAnnounce = (event: Event): void => {
    const detail = (event as CustomEvent<DiscoveredWallet>).detail;
    if (detail?.info?.uuid && typeof detail.provider?.request === 'function') found.set(detail.info.uuid, { info: detail.info, provider: detail.provider });
  };
  w.addEventListener('eip6963:announceProvider', onAnnounce);
  w.dispatchEvent(new Event('eip6963:requestProvider'));
  await new Promise((resolve) => setTimeout(resolve, options.timeoutMs ?? 100));
  w.removeEventListener('eip6963:announceProvider', onAnnounce);
  if (found.size > 0) return [...found.values()];
  if (w.ethereum && typeof w.ethereum.request === 'function') {
    return [{ info: { uuid: 'window.ethereum', name: 'Browser wallet', icon: '', rdns: '' }, provider: w.ethereum }];
  }
  return [];
}

/** The first wallet found; throws NoWalletError when there is none. */
export async function findWallet(options?: Parameters<typeof discoverWallets>[0]): Promise<DiscoveredWallet> {
  const [first] = await discoverWallets(options);
  if (!first) throw new NoWalletError();
  return first;
}

/** EIP-1193 §"Provider Errors": 4001 means the person said no. */
const USER_REJECTED = 4001;

/** One wallet request; wallet errors become WalletRejectedError / WalletRequestError. */
export async function walletRequest<T = unknown>(provider: Eip1193Provider, method: string, params?: readonly unknown[]): Promise<T> {
  try {
    return (await provider.request(params === undefined ? { method } : { method, params })) as T;
  } catch (err) {
    const code = typeof (err as { code?: unknown })?.code === 'number' ? (err as { code: number }).code : undefined;
    if (code === USER_REJECTED) throw new WalletRejectedError(method, { cause: err });
    const message =
      err instanceof Error ? err.message : typeof (err as { message?: unknown })?.message === 'string' ? (err as { message: string }).message : String(err);
    throw new WalletRequestError(method, code, message, { cause: err });
  }
}
