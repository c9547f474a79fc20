/**
 * The paywall page's script: what the server's HTML page (src/reference/receiver/proxy/html.ts)
 * mounts into `#rdn-app` with the 402's values. It shows the price, the wallet's token balance
 * and the channel (deposit, spent, left), and offers connect, open, top up, pay, close and
 * settle. Paying sets the four payment cookies and reloads, so the browser asks for the page
 * again and the receiver reads the proof from the cookies (§3.1): any content type, any link.
 *
 * "Pay automatically up to X per page" is remembered per receiver: a later paywall whose price is
 * at most X is paid as soon as it loads, while the channel covers it; a dearer page (or one the
 * channel cannot cover) waits for a click.
 */
import { sameAddress } from '../../protocol/index.js';
import { type ChannelInfo, createWebClient, type WebClient } from '../client.js';
import { clearPaymentCookies, type CookieJar, readPaymentCookies, setPaymentCookies } from '../cookies.js';
import { WrongChainError } from '../errors.js';
import type { KeyValueStorage, StoredChannel } from '../store.js';
import { type DiscoveredWallet, discoverWallets } from '../wallet.js';
import { h } from './dom.js';
import { amount, explain, type TokenView } from './words.js';

/** What the server's page embeds (html.ts `pageParams`). */
export interface PaywallParams {
  url: string;
  reason: string;
  flag: string | null;
  price: string | null;
  receiver: string | null;
  contract: string | null;
  token: string | null;
  gatewayPath: string | null;
  sender: string | null;
  senderBalance: string | null;
  balanceSignature: string | null;
  chainId: number | null;
  confirmations: number | null;
}

export interface PaywallOptions {
  /** The wallets to offer (default: EIP-6963 discovery, then window.ethereum). */
  wallets?: DiscoveredWallet[];
  storage?: KeyValueStorage;
  session?: KeyValueStorage;
  cookies?: CookieJar;
  /** How often to poll the chain and the receiver. Default 1000 ms. */
  pollIntervalMs?: number;
  /** Default `location.reload()`. */
  reload?: () => void;
}

/** How many times one page reloads while the receiver has not confirmed a channel yet. */
const MAX_CONFIRMATION_RETRIES = 30;
/** How long to wait for the receiver to see a confirmed deposit before paying anyway. */
const RECEIVER_WAIT_MS = 30_000;

interface AutoPay {
  enabled: boolean;
  max: bigint;
}

export async function mountPaywall(root: HTMLElement, params: PaywallParams, options: PaywallOptions = {}): Promise<void> {
  if (!params.receiver || !params.contract || !params.token || params.price === null || params.chainId === null) {
    root.replaceChildren(
      h(
        'p',
        { class: 'error', role: 'alert' },
        'This payment request is incomplete (no receiver, contract, token, price or chain): a script client cannot pay it either.',
      ),
    );
    return;
  }
  const price = BigInt(params.price);
  const receiver = params.receiver;
  const confirmations = params.confirmations ?? 0;
  const storage = options.storage ?? localStorage;
  const session = options.session ?? sessionStorage;
  const jar = options.cookies ?? document;
  const secure = location.protocol === 'https:';
  const reload = options.reload ?? (() => location.reload());
  const pollMs = options.pollIntervalMs ?? 1000;
  const autoPayKey = `uraiden:autopay:${receiver.toLowerCase()}`;
  const retryKey = `uraiden:retries:${params.url}`;

  const ui = {
    status: '' as string,
    progress: undefined as [number, number] | undefined,
    error: '' as string,
    busy: false,
    deposit: String(price * 10n),
    topUp: String(price * 10n),
    confirmClose: false,
    offerUncooperative: false,
  };
  // Until the token answers symbol() and decimals(), amounts read "5 token units".
  let token: TokenView = { symbol: 'token units', decimals: 0 };
  let tokenLoaded = false;
  let walletBalance: bigint | undefined;
  let channel: StoredChannel | undefined;
  let info: ChannelInfo | undefined;
  let head = 0;
  let autoPay = loadAutoPay();

  const wallets = options.wallets ?? (await discoverWallets());
  if (wallets.length === 0) return renderNoWallet();
  let wallet = wallets.find((w) => w.info.uuid === storage.getItem('uraiden:wallet')) ?? wallets[0]!;
  let client = clientFor(wallet);

  function clientFor(w: DiscoveredWallet): WebClient {
    return createWebClient({
      wallet: w.provider,
      chainId: params.chainId!,
      contract: params.contract!,
      token: params.token!,
      receiver,
      gatewayUrl: params.gatewayPath ?? '/api/1',
      storage,
      pollIntervalMs: pollMs,
    });
  }

  function loadAutoPay(): AutoPay {
    try {
      const raw = JSON.parse(storage.getItem(autoPayKey) ?? 'null') as { enabled: boolean; max: string } | null;
      if (raw && /^[0-9]+$/.test(raw.max)) return { enabled: raw.enabled === true, max: BigInt(raw.max) };
    } catch {
      // unreadable: the default
    }
    return { enabled: false, max: price };
  }

  function saveAutoPay(): void {
    storage.setItem(autoPayKey, JSON.stringify({ enabled: autoPay.enabled, max: autoPay.max.toString() }));
  }

  const left = (): bigint => (info ? info.deposit - (channel?.balance ?? 0n) : 0n);
  const isOpen = (): boolean => channel?.status === 'open' && info !== undefined && info.settleBlock === 0;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  function setStatus(text: string, progress?: [number, number]): void {
    ui.status = text;
    ui.progress = progress;
    render();
  }

  /** Runs one user action: buttons off, errors in words, the view refreshed afterwards. */
  async function run(action: string, work: () => Promise<void>): Promise<void> {
    ui.busy = true;
    ui.error = '';
    render();
    try {
      await work();
    } catch (err) {
      ui.error = explain(err, action, token);
      ui.status = '';
      ui.progress = undefined;
    } finally {
      ui.busy = false;
      await refresh().catch(() => undefined);
      render();
    }
  }

  async function loadToken(): Promise<void> {
    if (tokenLoaded) return;
    try {
      token = await client.tokenInfo();
      tokenLoaded = true;
    } catch {
      // a token without symbol() / decimals(): amounts stay in base units
    }
  }

  async function refresh(): Promise<void> {
    if (client.account() === undefined) return;
    [walletBalance, head] = await Promise.all([client.tokenBalance(), client.blockNumber()]);
    ({ channel, info } = await client.syncChannel());
  }

  /** Waits for N confirmations of `block`, then (when the REST API is there) for the receiver to count `deposit`. */
  async function awaitReceiver(block: number, deposit: bigint): Promise<void> {
    await client.waitForConfirmations(block, confirmations, (k, n) => setStatus(`Waiting for confirmations: block ${k} of ${n}`, [k, n]));
    const deadline = Date.now() + RECEIVER_WAIT_MS;
    setStatus('Waiting for the receiver to see your deposit…');
    while (Date.now() < deadline) {
      const view = await client.receiverView().catch(() => 'no-api' as const);
      if (view === 'no-api' || (view !== undefined && view.state === 'open' && view.deposit >= deposit)) return;
      await sleep(pollMs);
    }
  }

  async function pay(automatic: boolean): Promise<void> {
    await run('pay for the page', async () => {
      setStatus(automatic ? `Paying ${amount(price, token)} automatically…` : 'Confirm the payment in your wallet…');
      const proof = await client.signPayment(price);
      setPaymentCookies(jar, proof, secure);
      setStatus(`Paid ${amount(price, token)}: loading the page…`);
      reload();
    });
  }

  async function openChannel(): Promise<void> {
    const deposit = parseAmount(ui.deposit, 'deposit');
    if (deposit === undefined) return;
    await run('open the channel', async () => {
      setStatus('Confirm the deposit in your wallet…');
      const opened = await client.openChannel(deposit, { onTransaction: () => setStatus('Deposit sent; waiting for it to be mined…') });
      await awaitReceiver(opened.openBlock, deposit);
      await refresh();
      await pay(true);
    });
  }

  async function topUp(): Promise<void> {
    const added = parseAmount(ui.topUp, 'top-up');
    if (added === undefined) return;
    await run('top up the channel', async () => {
      setStatus('Confirm the top-up in your wallet…');
      const before = info?.deposit ?? 0n;
      const { block } = await client.topUp(added, { onTransaction: () => setStatus('Top-up sent; waiting for it to be mined…') });
      await awaitReceiver(block, before + added);
      await refresh();
      if (left() >= price) await pay(true);
    });
  }

  async function closeCooperatively(): Promise<void> {
    ui.confirmClose = false;
    await run('close the channel', async () => {
      setStatus('Sign the closing request in your wallet…');
      try {
        const { balance } = await client.closeCooperatively({ onTransaction: () => setStatus('Closing the channel on chain…') });
        const deposit = info?.deposit ?? 0n;
        setStatus(`Channel closed: the receiver got ${amount(balance, token)} and ${amount(deposit - balance, token)} came back to you.`);
      } catch (err) {
        ui.offerUncooperative = true;
        throw err;
      }
    });
  }

  async function closeUncooperatively(): Promise<void> {
    await run('close the channel without the receiver', async () => {
      setStatus('Confirm the close request in your wallet…');
      const { settleBlock } = await client.closeUncooperatively();
      ui.offerUncooperative = false;
      setStatus(`Close requested. After block ${settleBlock} (the challenge period) you can settle and get back what you did not spend.`);
    });
  }

  async function settle(): Promise<void> {
    await run('settle the channel', async () => {
      setStatus('Confirm the settlement in your wallet…');
      await client.settle();
      setStatus('Channel settled: the tokens you did not spend are back in your wallet.');
    });
  }

  function parseAmount(text: string, what: string): bigint | undefined {
    if (/^[0-9]+$/.test(text.trim()) && BigInt(text.trim()) > 0n) return BigInt(text.trim());
    ui.error = `The ${what} must be a whole number of token units above 0.`;
    render();
    return undefined;
  }

  async function connect(prompt: boolean): Promise<void> {
    try {
      const account = await client.connect({ prompt });
      if (account === undefined) return render();
      ui.status = 'Reading your wallet and channel…';
      render();
      await loadToken();
      await refresh();
      if (channel === undefined || channel.status === 'settled') {
        setStatus('Looking for your channel on chain…');
        await client.recoverChannel().catch(() => undefined);
        await refresh();
      }
      ui.status = '';
      await handleReply();
    } catch (err) {
      ui.error = explain(err, 'connect the wallet', token);
      ui.status = '';
    }
    render();
  }

  /** What the 402 that brought this page says about the last payment, and auto-pay. */
  async function handleReply(): Promise<void> {
    const cookies = readPaymentCookies(jar);
    const paidByCookie = cookies['RDN-Balance-Signature'] !== undefined;
    if (params.flag === 'RDN-Insufficient-Confirmations' && paidByCookie && cookies['RDN-Open-Block']) {
      const tries = Number(session.getItem(retryKey) ?? '0');
      if (tries < MAX_CONFIRMATION_RETRIES) {
        session.setItem(retryKey, String(tries + 1));
        await awaitReceiver(Number(cookies['RDN-Open-Block']), 0n);
        setStatus('Payment signed: asking for the page again…');
        return reload();
      }
      ui.error = `The receiver has not accepted your channel after ${tries} tries. Reload the page to try again later.`;
    }
    session.removeItem(retryKey);
    // The cookies went with the request that brought this page: spent or refused, never to be sent again.
    if (paidByCookie) clearPaymentCookies(jar, secure);
    const account = client.account();
    if (
      params.flag === 'RDN-Invalid-Amount' &&
      params.senderBalance &&
      params.balanceSignature &&
      account &&
      params.sender &&
      sameAddress(params.sender, account)
    ) {
      if (client.adoptProof(BigInt(params.senderBalance), params.balanceSignature)) {
        await refresh();
        ui.status = `The receiver had registered ${amount(BigInt(params.senderBalance), token)} spent in your channel; your browser now agrees.`;
        if (paidByCookie && isOpen() && left() >= price) return pay(true);
      }
    } else if (paidByCookie && params.flag === 'RDN-Nonexisting-Channel') {
      ui.error = 'The receiver does not accept payments in this channel (it is closing, or the receiver has not seen it). Open a new channel to continue.';
    } else if (paidByCookie && params.flag === 'RDN-Invalid-Balance-Proof') {
      ui.error = `The receiver refused the payment: ${params.reason}.`;
    }
    if (!ui.error && autoPay.enabled && price <= autoPay.max && isOpen() && left() >= price) await pay(true);
  }

  function renderNoWallet(): void {
    root.replaceChildren(
      h(
        'div',
        { class: 'error', role: 'alert', id: 'rdn-no-wallet' },
        'No Ethereum wallet was found in this browser. To pay from this page, install a wallet extension (for example MetaMask) and reload. ' +
          'A script client can pay with the values below.',
      ),
    );
    const details = document.querySelector('details');
    if (details) details.open = true;
  }

  function fact(label: string, value: string | Node, id: string): Node[] {
    return [h('dt', {}, label), h('dd', { id }, value)];
  }

  const mono = (text: string): Node => h('code', {}, text);

  function render(): void {
    const account = client.account();
    const parts: Node[] = [];
    if (wallets.length > 1) {
      const select = h(
        'select',
        {
          'aria-label': 'Wallet',
          onchange: (event: Event) => {
            wallet = wallets[Number((event.target as HTMLSelectElement).value)] ?? wallet;
            storage.setItem('uraiden:wallet', wallet.info.uuid);
            client = clientFor(wallet);
            void connect(false);
          },
        },
        ...wallets.map((w, i) => h('option', { value: i, selected: w === wallet }, w.info.name)),
      );
      parts.push(h('div', { class: 'row' }, 'Wallet:', select));
    }
    const priceText = document.getElementById('rdn-price');
    if (priceText) priceText.textContent = amount(price, token);
    const tokenText = tokenLoaded
      ? h('span', {}, `${token.symbol}${token.decimals > 0 ? ` (1 ${token.symbol} = 10^${token.decimals} units)` : ''} `, mono(params.token!))
      : mono(params.token!);
    const facts: Node[] = [...fact('Price', amount(price, token), 'rdn-view-price'), ...fact('Token', tokenText, 'rdn-token')];
    if (account) {
      facts.push(...fact('Your account', mono(account), 'rdn-account'));
      if (walletBalance !== undefined) facts.push(...fact('Your token balance', amount(walletBalance, token), 'rdn-wallet-balance'));
      if (channel && channel.status !== 'settled' && info) {
        facts.push(...fact('Channel deposit', amount(info.deposit, token), 'rdn-deposit'));
        if (channel.recovered) {
          // Found again from the events: what was spent is the receiver's to say (at the next payment).
          facts.push(...fact('Spent', 'not known in this browser yet: the receiver says at the next payment', 'rdn-spent'));
          facts.push(...fact('Left', `at most ${amount(left(), token)}`, 'rdn-left'));
        } else {
          facts.push(...fact('Spent', amount(channel.balance, token), 'rdn-spent'));
          facts.push(...fact('Left', amount(left(), token), 'rdn-left'));
        }
      } else facts.push(...fact('Channel', 'none open', 'rdn-deposit'));
    }
    parts.push(h('dl', { class: 'facts' }, ...facts));

    if (ui.status) {
      parts.push(
        h(
          'div',
          { class: 'status', role: 'status', id: 'rdn-status' },
          ui.status,
          ui.progress ? h('progress', { max: ui.progress[1], value: ui.progress[0], 'aria-label': 'confirmations' }) : null,
        ),
      );
    }
    if (ui.error) parts.push(h('p', { class: 'error', role: 'alert', id: 'rdn-error' }, ui.error));

    const panel = h('div', { class: 'panel' });
    const busy = ui.busy;
    if (!account) {
      if (ui.error.includes('another network')) {
        panel.append(h('div', { class: 'row' }, h('button', { id: 'rdn-switch', disabled: busy, onclick: () => void switchNetwork() }, 'Switch network')));
      } else {
        panel.append(
          h('p', {}, 'Connect your wallet to pay for this page.'),
          h('div', { class: 'row' }, h('button', { id: 'rdn-connect', disabled: busy, onclick: () => void connect(true) }, 'Connect wallet')),
        );
      }
    } else if (!channel || channel.status === 'settled' || !info) {
      panel.append(
        h('h2', {}, 'Open a payment channel'),
        h('p', {}, `Deposit tokens once; each page then costs a signature. What you do not spend comes back when you close the channel.`),
        h(
          'div',
          { class: 'row' },
          h('label', { for: 'rdn-deposit-input' }, `Deposit (${tokenLoaded ? `${token.symbol} units` : 'token units'})`),
          h('input', {
            id: 'rdn-deposit-input',
            type: 'number',
            min: 1,
            step: 1,
            value: ui.deposit,
            oninput: (e: Event) => (ui.deposit = (e.target as HTMLInputElement).value),
          }),
          h('button', { id: 'rdn-open', disabled: busy, onclick: () => void openChannel() }, 'Open channel'),
        ),
      );
    } else if (!isOpen()) {
      const settleBlock = info.settleBlock || channel.settleBlock || 0;
      panel.append(
        h('h2', {}, 'Channel closing'),
        h(
          'p',
          {},
          `You asked to close this channel. After block ${settleBlock} (the chain is at ${head}) you can settle it and get back what you did not spend.`,
        ),
        h('div', { class: 'row' }, h('button', { id: 'rdn-settle', disabled: busy || head < settleBlock, onclick: () => void settle() }, 'Settle')),
      );
    } else {
      const enough = left() >= price;
      panel.append(
        enough
          ? h(
              'div',
              { class: 'row' },
              h('button', { id: 'rdn-pay', disabled: busy, onclick: () => void pay(false) }, `Pay ${amount(price, token)} and open the page`),
            )
          : h(
              'p',
              { id: 'rdn-topup-needed' },
              `Your channel has ${amount(left(), token)} left and this page costs ${amount(price, token)}: top up the channel to continue.`,
            ),
        h(
          'div',
          { class: 'row' },
          h('label', { for: 'rdn-topup-input' }, `Top up (${tokenLoaded ? `${token.symbol} units` : 'token units'})`),
          h('input', {
            id: 'rdn-topup-input',
            type: 'number',
            min: 1,
            step: 1,
            value: ui.topUp,
            oninput: (e: Event) => (ui.topUp = (e.target as HTMLInputElement).value),
          }),
          h('button', { id: 'rdn-topup', class: enough ? 'secondary' : undefined, disabled: busy, onclick: () => void topUp() }, 'Top up'),
        ),
      );
      if (ui.confirmClose) {
        panel.append(
          h('p', {}, `Closing pays the receiver ${amount(channel.balance, token)} and returns ${amount(left(), token)} to you.`),
          h(
            'div',
            { class: 'row' },
            h('button', { id: 'rdn-close-confirm', disabled: busy, onclick: () => void closeCooperatively() }, 'Close the channel'),
            h('button', { class: 'secondary', disabled: busy, onclick: () => toggleClose(false) }, 'Cancel'),
          ),
        );
      } else {
        panel.append(
          h('div', { class: 'row' }, h('button', { id: 'rdn-close', class: 'secondary', disabled: busy, onclick: () => toggleClose(true) }, 'Close channel…')),
        );
      }
      if (ui.offerUncooperative) {
        panel.append(
          h('p', {}, 'Without the receiver, closing takes a challenge period during which the receiver can show your last payment.'),
          h(
            'div',
            { class: 'row' },
            h(
              'button',
              { id: 'rdn-close-alone', class: 'secondary', disabled: busy, onclick: () => void closeUncooperatively() },
              'Close without the receiver',
            ),
          ),
        );
      }
    }
    if (account && channel?.status !== 'closing') panel.append(autoPayRow());
    parts.push(panel);
    root.replaceChildren(...parts);
  }

  /** "Pay automatically for pages costing up to [X] token units per page". */
  function autoPayRow(): HTMLElement {
    return h(
      'div',
      { class: 'row' },
      h('input', {
        id: 'rdn-autopay',
        type: 'checkbox',
        checked: autoPay.enabled,
        onchange: (e: Event) => {
          autoPay = { ...autoPay, enabled: (e.target as HTMLInputElement).checked };
          saveAutoPay();
        },
      }),
      h('label', { for: 'rdn-autopay' }, 'Pay automatically for pages up to'),
      h('input', {
        id: 'rdn-autopay-max',
        class: 'small',
        type: 'number',
        min: 0,
        step: 1,
        value: autoPay.max.toString(),
        'aria-label': 'most to pay automatically per page (token units)',
        oninput: (e: Event) => {
          const text = (e.target as HTMLInputElement).value.trim();
          if (/^[0-9]+$/.test(text)) {
            autoPay = { ...autoPay, max: BigInt(text) };
            saveAutoPay();
          }
        },
      }),
      h('span', {}, 'units each'),
    );
  }

  function toggleClose(confirm: boolean): void {
    ui.confirmClose = confirm;
    render();
  }

  async function switchNetwork(): Promise<void> {
    await run('switch the network', async () => {
      await client.switchChain();
      ui.error = '';
      await connect(true);
    });
  }

  render();
  try {
    await client.checkChain();
  } catch (err) {
    if (err instanceof WrongChainError) {
      ui.error = explain(err, 'connect the wallet', token);
      return render();
    }
  }
  // The token's name and decimals need no account: show the price in them before connecting.
  await loadToken();
  await connect(false);
}
