/**
 * A wallet for tests only: an EIP-1193 provider over the kit's chain that signs with a private key
 * it is given, never asks anyone, and can be told to decline or to sit on another chain. It is
 * what a browser test injects in place of MetaMask: `createTestWallet` runs in Node,
 * `testWalletInitScript` is the page side — a `window.ethereum` (and an EIP-6963 announcement)
 * whose `request` goes through one function the test exposes to the page (playwright's
 * `page.exposeFunction(name, wallet.handle)`, puppeteer's alike). NEVER give it a key that holds
 * anything of value: any page it is injected into can make it sign and send anything.
 *
 * It answers what a browser wallet answers: accounts (after eth_requestAccounts), the chain id,
 * `eth_signTypedData` in the legacy v1 form, `eth_sendTransaction` (signed here, sent raw), and
 * passes every other call (reads, receipts, logs) to the chain.
 */
import { SigningKey, solidityPackedKeccak256, Transaction, Wallet } from 'ethers';
import type { Address, Hex } from '../protocol/index.js';
import type { Eip1193Provider } from './gateway.js';

/** An EIP-1193 provider error: a numeric `code` (4001 declined, 4100 unauthorized, 4902 unknown chain), as wallets throw them. */
export class ProviderRpcError extends Error {
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.code = code;
    this.name = 'ProviderRpcError';
  }
}

export interface TestWalletOptions {
  /** The chain: `chain.ganache`, or any EIP-1193 provider over its JSON-RPC. */
  provider: Eip1193Provider;
  /** The key it signs with (0x + 64 hex digits). */
  privateKey: Hex;
}

export interface TestWallet {
  readonly address: Address;
  /** EIP-1193. */
  request(args: { method: string; params?: unknown }): Promise<unknown>;
  /** The function to expose to the page: JSON `{method, params}` in, JSON `{result}` or `{error: {code, message}}` out. */
  handle(json: string): Promise<string>;
  /** Decline every signature request (4001), as a person who clicks "Reject". */
  rejectSignatures: boolean;
  /** Decline every transaction (4001). */
  rejectTransactions: boolean;
  /** Report this chain id instead of the chain's (a wallet on the wrong network); wallet_switchEthereumChain clears it. */
  wrongChainId: number | undefined;
  /** Whether the site was given the account (eth_requestAccounts); eth_accounts is empty until then. */
  connected: boolean;
  /** Every method the page asked for, in order. */
  readonly requests: string[];
}

interface TypedField {
  type: string;
  name: string;
  value: unknown;
}

/**
 * The legacy eth_signTypedData (v1) hash, as MetaMask's eth-sig-util computes it:
 * keccak(keccak(packed "type name" strings) ‖ keccak(values packed by their types)).
 */
export function typedDataV1Hash(data: readonly TypedField[]): Hex {
  const schema = solidityPackedKeccak256(
    data.map(() => 'string'),
    data.map((f) => `${f.type} ${f.name}`),
  );
  const values = solidityPackedKeccak256(
    data.map((f) => f.type),
    data.map((f) => f.value),
  );
  return solidityPackedKeccak256(['bytes32', 'bytes32'], [schema, values]) as Hex;
}

export function createTestWallet(options: TestWalletOptions): TestWallet {
  const signer = new Wallet(options.privateKey);
  const key = new SigningKey(options.privateKey);
  const address = signer.address as Address;
  const chain = options.provider;
  let queue: Promise<unknown> = Promise.resolve();
  let chainId: number | undefined;

  const realChainId = async (): Promise<number> => (chainId ??= Number(await chain.request({ method: 'eth_chainId' })));

  const requireFrom = (from: unknown): void => {
    if (typeof from !== 'string' || from.toLowerCase() !== address.toLowerCase())
      throw new ProviderRpcError(4100, `not this wallet's account: ${String(from)}`);
  };

  /** Fills, signs and sends one transaction; one at a time, so nonces never collide. */
  function sendTransaction(tx: { from?: string; to?: string; data?: string; value?: string; gas?: string }): Promise<string> {
    const run = async (): Promise<string> => {
      const [nonce, gasPrice, id] = await Promise.all([
        chain.request({ method: 'eth_getTransactionCount', params: [address, 'pending'] }),
        chain.request({ method: 'eth_gasPrice' }),
        realChainId(),
      ]);
      const call = { from: address, to: tx.to, data: tx.data ?? '0x', value: tx.value ?? '0x0' };
      const estimate = tx.gas ?? ((await chain.request({ method: 'eth_estimateGas', params: [call] })) as string);
      const signed = await signer.signTransaction(
        Transaction.from({
          type: 0,
          to: tx.to ?? null,
          data: call.data,
          value: BigInt(call.value),
          nonce: Number(nonce),
          gasPrice: BigInt(gasPrice as string),
          // A margin over the estimate, as wallets add one.
          gasLimit: (BigInt(estimate) * 12n) / 10n,
          chainId: id,
        }),
      );
      return (await chain.request({ method: 'eth_sendRawTransaction', params: [signed] })) as string;
    };
    const next = queue.then(run, run);
    queue = next.catch(() => undefined);
    return next;
  }

  const wallet: TestWallet = {
    address,
    rejectSignatures: false,
    rejectTransactions: false,
    wrongChainId: undefined,
    connected: false,
    requests: [],

    async request({ method, params }) {
      wallet.requests.push(method);
      const args = (Array.isArray(params) ? params : []) as unknown[];
      switch (method) {
        case 'eth_requestAccounts':
          wallet.connected = true;
          return [address];
        case 'eth_accounts':
          return wallet.connected ? [address] : [];
        case 'eth_chainId':
          return `0x${(wallet.wrongChainId ?? (await realChainId())).toString(16)}`;
        case 'net_version':
          return String(wallet.wrongChainId ?? (await realChainId()));
        case 'wallet_switchEthereumChain': {
          const wanted = Number((args[0] as { chainId?: string } | undefined)?.chainId);
          if (wanted !== (await realChainId())) throw new ProviderRpcError(4902, `unrecognized chain ${wanted}`);
          wallet.wrongChainId = undefined;
          return null;
        }
        case 'eth_signTypedData':
        case 'eth_signTypedData_v1': {
          if (!wallet.connected) throw new ProviderRpcError(4100, 'the site has not been given the account');
          requireFrom(args[1]);
          if (wallet.rejectSignatures) throw new ProviderRpcError(4001, 'User rejected the request.');
          return key.sign(typedDataV1Hash(args[0] as TypedField[])).serialized;
        }
        case 'eth_sendTransaction': {
          if (!wallet.connected) throw new ProviderRpcError(4100, 'the site has not been given the account');
          const tx = (args[0] ?? {}) as Parameters<typeof sendTransaction>[0];
          requireFrom(tx.from);
          if (wallet.rejectTransactions) throw new ProviderRpcError(4001, 'User rejected the request.');
          return sendTransaction(tx);
        }
        case 'eth_sign':
        case 'personal_sign':
        case 'eth_signTypedData_v3':
        case 'eth_signTypedData_v4':
          throw new ProviderRpcError(4200, `the test wallet does not support ${method}`);
        default:
          return chain.request(params === undefined ? { method } : { method, params });
      }
    },

    async handle(json) {
      try {
        const { method, params } = JSON.parse(json) as { method: string; params?: unknown };
        return JSON.stringify({ result: (await wallet.request({ method, params })) ?? null });
      } catch (err) {
        const code = typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -32603;
        return JSON.stringify({ error: { code, message: err instanceof Error ? err.message : String(err) } });
      }
    },
  };
  return wallet;
}

export interface TestWalletScriptOptions {
  /** The name under which the test exposed `wallet.handle` to the page. Default `__uraidenTestWallet`. */
  binding?: string;
  /** Also set `window.ethereum` (default true); otherwise only the EIP-6963 announcement. */
  windowEthereum?: boolean;
  /** The EIP-6963 name. Default "uraiden-kit test wallet". */
  name?: string;
}

/**
 * The page side, as a script to run before the page's own (playwright `page.addInitScript`): an
 * EIP-1193 provider forwarding to the exposed binding, announced by EIP-6963 and (by default) set
 * as `window.ethereum`.
 */
export function testWalletInitScript(options: TestWalletScriptOptions = {}): string {
  const config = {
    binding: options.binding ?? '__uraidenTestWallet',
    windowEthereum: options.windowEthereum ?? true,
    info: {
      uuid: '2f1c6a2e-8d7b-4c59-9f0e-5b1e7c3a9d42',
      name: options.name ?? 'uraiden-kit test wallet',
      icon: 'data:image/svg+xml,%3Csvg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"%3E%3Crect width="8" height="8" fill="%23c00"/%3E%3C/svg%3E',
      rdns: 'dev.uraiden-kit.test-wallet',
    },
  };
  return `(() => {
  const config = ${JSON.stringify(config)};
  const listeners = new Map();
  const provider = {
    isUraidenTestWallet: true,
    async request(args) {
      const reply = JSON.parse(await window[config.binding](JSON.stringify({ method: args.method, params: args.params })));
      if (reply.error) throw Object.assign(new Error(reply.error.message), { code: reply.error.code });
      return reply.result;
    },
    on(event, listener) { listeners.set(event, [...(listeners.get(event) || []), listener]); return provider; },
    removeListener(event, listener) { listeners.set(event, (listeners.get(event) || []).filter((l) => l !== listener)); return provider; },
  };
  const announce = () => window.dispatchEvent(new CustomEvent('eip6963:announceProvider', { detail: Object.freeze({ info: config.info, provider }) }));
  window.addEventListener('eip6963:requestProvider', announce);
  announce();
  if (config.windowEthereum) window.ethereum = provider;
})();`;
}
