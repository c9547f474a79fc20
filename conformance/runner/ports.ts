// The runner's own endpoints (the chain, the RPC relay the target talks to, the target's port)
// are on free ports that change from run to run. A target may name one in what it answers (a 502
// saying which RPC endpoint it lost); in the report such a `127.0.0.1:<port>` is written with a
// placeholder, so that two runs against the same target write the same report.
import type { Exchange } from './http.js';

export interface Endpoint {
  /** an http URL on this machine, or undefined when there is none */
  url: string | undefined;
  /** how the report names its port */
  name: string;
}

export type Mask = (text: string) => string;

export function portMask(endpoints: readonly Endpoint[]): Mask {
  const pairs: [RegExp, string][] = [];
  for (const { url, name } of endpoints) {
    if (!url) continue;
    const { hostname, port } = new URL(url);
    if (!port) continue;
    for (const host of new Set([hostname, 'localhost', '127.0.0.1']))
      pairs.push([new RegExp(`\\b${host.replace(/\./g, '\\.')}:${port}\\b`, 'g'), `${host}:<${name}>`]);
  }
  return (text) => pairs.reduce((t, [re, to]) => t.replace(re, to), text);
}

export function maskExchange(x: Exchange, mask: Mask): Exchange {
  const headers = (h: Record<string, string | string[]>) =>
    Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Array.isArray(v) ? v.map(mask) : mask(v)])) as Record<string, string>;
  const out: Exchange = {
    request: {
      ...x.request,
      path: mask(x.request.path),
      headers: headers(x.request.headers),
      ...(x.request.body !== undefined && { body: mask(x.request.body) }),
    },
  };
  if (x.response)
    out.response = { ...x.response, headers: headers(x.response.headers), setCookies: x.response.setCookies.map(mask), body: mask(x.response.body) };
  if (x.error !== undefined) out.error = mask(x.error);
  return out;
}
