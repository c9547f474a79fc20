/**
 * The browser side of a 402 (§3.2, last paragraph): an HTML paywall page for requests whose
 * Accept prefers text/html, with every RDN-* reply header repeated as a cookie so that a script
 * on the page (or a later request from the browser) can read the payment request.
 */

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

/**
 * One `Set-Cookie` value per RDN-* header, under the header's name. The values (addresses,
 * decimals, hex, "1", the gateway path) are valid cookie octets as they are, so a script reads
 * the same text as the header; anything else (a gateway path with a space) is percent-encoded.
 */
export function rdnCookies(headers: Record<string, string>): string[] {
  return Object.entries(headers)
    .filter(([name]) => name.startsWith('RDN-'))
    .map(([name, value]) => `${name}=${value.replace(/[^\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]/g, encodeURIComponent)}; Path=/; SameSite=Lax`);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** The paywall page. Self-contained (no scripts, no external assets); every value is escaped. */
export function paywallPage(opts: { url: string; reason: string; headers: Record<string, string> }): string {
  const rows = Object.entries(opts.headers)
    .filter(([name]) => name.startsWith('RDN-'))
    .map(([name, value]) => `      <tr><th>${escapeHtml(name)}</th><td><code>${escapeHtml(value)}</code></td></tr>`)
    .join('\n');
  const price = opts.headers['RDN-Price'] ?? '?';
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>402 Payment Required</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
</head>
<body>
  <main>
    <h1>Payment required</h1>
    <p><code>${escapeHtml(opts.url)}</code> costs <strong>${escapeHtml(price)}</strong> token units, paid through a µRaiden channel.</p>
    <p>${escapeHtml(opts.reason)}</p>
    <table>
${rows}
    </table>
    <p>Open a channel to the receiver on the contract above, then retry with a balance proof in the
    RDN-* request headers. The same values are set as cookies.</p>
  </main>
</body>
</html>
`;
}
