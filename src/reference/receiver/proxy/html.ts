/**
 * The browser side of a 402 (§3.2, last paragraph): an HTML paywall page for requests whose
 * Accept prefers text/html, with the RDN-* reply values repeated as cookies. The page explains
 * the payment on its own (no script needed to read it) and loads the web client
 * (assets.ts), which connects a wallet, opens and tops up a channel and pays by cookie (§3.1).
 */
import { ERROR_FLAGS, type ErrorFlag } from '../../../protocol/index.js';
import { WEB_CLIENT_PATH } from './assets.js';
import { PAYMENT_COOKIES } from './cookies.js';

/**
 * Whether `accept` prefers text/html over JSON. Quality values decide; at equal quality JSON wins,
 * so API clients that send `*\/*` (curl, fetch's default) get JSON and browsers, which rank
 * text/html above `*\/*;q=0.8`, get the page.
 */
export function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const html = quality(accept, 'text', 'html');
  return html > 0 && html > quality(accept, 'application', 'json');
}

/** RFC 9110 §12.5.1: the quality of the most specific media range matching type/subtype. */
function quality(accept: string, type: string, subtype: string): number {
  let best = -1; // specificity of the best match so far: 0 */*, 1 type/*, 2 type/subtype
  let q = 0;
  for (const part of accept.split(',')) {
    const [range = '', ...params] = part.split(';');
    const [t = '', s = ''] = range.trim().toLowerCase().split('/');
    const specificity = t === type && s === subtype ? 2 : t === type && s === '*' ? 1 : t === '*' && s === '*' ? 0 : -1;
    if (specificity < 0 || specificity < best) continue;
    let value = 1;
    for (const p of params) {
      const [k, v] = p.split('=');
      if (k?.trim().toLowerCase() === 'q') {
        const n = Number(v?.trim());
        value = Number.isFinite(n) && n >= 0 && n <= 1 ? n : 0; // a malformed q counts as "not acceptable"
      }
    }
    // At equal specificity the larger quality wins (RFC leaves duplicates undefined).
    if (specificity > best || value > q) {
      best = specificity;
      q = value;
    }
  }
  return q;
}

const COOKIE_OCTETS = /[^\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]/g;

/**
 * One `Set-Cookie` value per RDN-* reply header, under the header's name. The values (addresses,
 * decimals, "1", the gateway path) are valid cookie octets as they are, so a script reads the same
 * text as the header; anything else is percent-encoded. Not the payment values (the sender, its
 * registered balance and signature): a cookie of those names *is* a payment (§3.1), and a server
 * that set one would have the browser send the receiver's last proof back (a replay) or half a
 * payment (no open block: a 409) with every later request. The page carries them instead.
 */
export function rdnCookies(headers: Record<string, string>): string[] {
  return Object.entries(headers)
    .filter(([name]) => name.startsWith('RDN-') && !(PAYMENT_COOKIES as readonly string[]).includes(name))
    .map(([name, value]) => `${name}=${value.replace(COOKIE_OCTETS, encodeURIComponent)}; Path=/; SameSite=Lax`);
}

/** Removes the error-flag cookies an earlier 402 set that this one does not carry (a flag is about one answer). */
export function staleFlagCookies(headers: Record<string, string>): string[] {
  return ERROR_FLAGS.filter((flag) => headers[flag] === undefined).map((flag) => `${flag}=; Path=/; SameSite=Lax; Max-Age=0`);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** What the page's script needs besides the reply headers (the receiver's chain and rules). */
export interface PaywallPageInput {
  url: string;
  reason: string;
  headers: Record<string, string>;
  flag?: ErrorFlag | null;
  chainId?: number;
  confirmations?: number;
}

/** The JSON the web client reads from the page (`mountPaywall`); `<` escaped so it cannot end the script element. */
function pageParams(opts: PaywallPageInput): string {
  const h = opts.headers;
  const params = {
    url: opts.url,
    reason: opts.reason,
    flag: opts.flag ?? null,
    price: h['RDN-Price'] ?? null,
    receiver: h['RDN-Receiver-Address'] ?? null,
    contract: h['RDN-Contract-Address'] ?? null,
    token: h['RDN-Token-Address'] ?? null,
    gatewayPath: h['RDN-Gateway-Path'] ?? null,
    sender: h['RDN-Sender-Address'] ?? null,
    senderBalance: h['RDN-Sender-Balance'] ?? null,
    balanceSignature: h['RDN-Balance-Signature'] ?? null,
    chainId: opts.chainId ?? null,
    confirmations: opts.confirmations ?? null,
  };
  return JSON.stringify(params).replace(/</g, '\\u003c');
}

const STYLE = `
  :root { color-scheme: light; --ink: #1d2330; --muted: #5b6474; --line: #dde2ea; --accent: #2457d6; --ok: #17784a; --bad: #b3261e; }
  * { box-sizing: border-box; }
  body { margin: 0; background: #f3f5f9; color: var(--ink); font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
  main { max-width: 40rem; margin: 2.5rem auto; padding: 2rem; background: #fff; border: 1px solid var(--line); border-radius: 12px; }
  .eyebrow { margin: 0; color: var(--muted); font-size: .85rem; letter-spacing: .04em; text-transform: uppercase; }
  h1 { margin: .25rem 0 .75rem; font-size: 1.6rem; line-height: 1.25; }
  h2 { margin: 1.5rem 0 .5rem; font-size: 1.05rem; }
  code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85em; overflow-wrap: anywhere; }
  .lead { color: var(--muted); margin: 0 0 1.25rem; }
  .facts { display: grid; grid-template-columns: max-content 1fr; gap: .35rem 1rem; margin: 0; }
  .facts dt { color: var(--muted); }
  .facts dd { margin: 0; min-width: 0; overflow-wrap: anywhere; font-variant-numeric: tabular-nums; }
  .note { color: var(--muted); font-size: .9rem; }
  .panel { border-top: 1px solid var(--line); padding-top: 1rem; margin-top: 1rem; }
  button { font: inherit; padding: .5rem 1rem; border-radius: 8px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; }
  button.secondary { background: #fff; color: var(--accent); }
  button:disabled { opacity: .5; cursor: default; }
  input[type=number] { font: inherit; width: 8rem; padding: .45rem .5rem; border: 1px solid var(--line); border-radius: 8px; }
  input.small { width: 5rem; }
  .row { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem .75rem; margin: .75rem 0; }
  .status { padding: .6rem .8rem; border-radius: 8px; background: #eef3ff; }
  .error { padding: .6rem .8rem; border-radius: 8px; background: #fdecea; color: var(--bad); }
  .ok { color: var(--ok); }
  progress { width: 100%; height: .75rem; }
  details { margin-top: 1.5rem; color: var(--muted); }
  details table { border-collapse: collapse; margin-top: .5rem; width: 100%; }
  details th, details td { text-align: left; padding: .25rem .5rem .25rem 0; border-bottom: 1px solid var(--line); vertical-align: top; }
  details th { font-weight: 500; white-space: nowrap; }
`;

/**
 * The paywall page: what the resource costs and how to pay, readable without a script; the web
 * client (if it loads) fills `#rdn-app` with the wallet, the channel and the buttons. Every value
 * is escaped.
 */
export function paywallPage(opts: PaywallPageInput): string {
  const rows = Object.entries(opts.headers)
    .filter(([name]) => name.startsWith('RDN-'))
    .map(([name, value]) => `        <tr><th>${escapeHtml(name)}</th><td><code>${escapeHtml(value)}</code></td></tr>`)
    .join('\n');
  const price = opts.headers['RDN-Price'] ?? '?';
  const chain = opts.chainId === undefined ? '' : `\n        <tr><th>chain id</th><td><code>${opts.chainId}</code></td></tr>`;
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Payment required: ${escapeHtml(price)} token units</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <style>${STYLE}</style>
</head>
<body>
  <main>
    <p class="eyebrow">402 · Payment required</p>
    <h1>This page costs <span id="rdn-price">${escapeHtml(price)} token units</span></h1>
    <p class="lead"><code>${escapeHtml(opts.url)}</code> is paid per view through a µRaiden payment channel: you deposit
    tokens into a channel once, then each page is paid by a signature from your wallet, without a transaction.</p>
    <div id="rdn-app"><p class="status">Loading the payment client…</p></div>
    <noscript><p class="error">Paying from this page needs JavaScript and an Ethereum wallet. A script client can pay
    with the values below.</p></noscript>
    <details>
      <summary>Values for script clients</summary>
      <p>${escapeHtml(opts.reason.charAt(0).toUpperCase() + opts.reason.slice(1))}. Retry the request with a balance proof in the <code>RDN-*</code> request headers
      (or, from a browser, the cookies <code>RDN-Sender-Address</code>, <code>RDN-Open-Block</code>,
      <code>RDN-Sender-Balance</code>, <code>RDN-Balance-Signature</code>).</p>
      <table>
${rows}${chain}
      </table>
    </details>
  </main>
  <script type="application/json" id="rdn-paywall-params">${pageParams(opts)}</script>
  <script type="module">
    import(${JSON.stringify(WEB_CLIENT_PATH)})
      .then((m) => m.mountPaywall(document.getElementById('rdn-app'), JSON.parse(document.getElementById('rdn-paywall-params').textContent)))
      .catch((err) => {
        document.getElementById('rdn-app').innerHTML = '<p class="error">The payment client could not be loaded. A script client can pay with the values below.</p>';
        console.error(err);
      });
  </script>
</body>
</html>
`;
}
