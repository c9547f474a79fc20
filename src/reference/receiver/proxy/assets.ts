/**
 * The browser client (`uraiden-kit/browser` with the paywall page's script, bundled by
 * scripts/bundle-browser.ts into dist/browser/web-client.js), served at one fixed path so that the
 * HTML paywall of the proxy, the fastify plugin and the express middleware all load it the same
 * way. `/_rdn/` is outside the gateway path (which the operator may move) and unlikely to clash
 * with a merchant's own routes.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../../package.js';

export const WEB_CLIENT_PATH = '/_rdn/web-client.js';

export const WEB_CLIENT_FILE = path.join(PACKAGE_ROOT, 'dist', 'browser', 'web-client.js');

export interface Asset {
  status: 200 | 404;
  headers: Record<string, string>;
  body: Buffer | string;
}

let script: Buffer | undefined;

/** The reply for GET WEB_CLIENT_PATH: the bundle, or a 404 saying how to build it. */
export function webClientAsset(): Asset {
  if (script === undefined) {
    try {
      script = readFileSync(WEB_CLIENT_FILE);
    } catch {
      return {
        status: 404,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: `the web client is not built (${WEB_CLIENT_FILE}): run npm run build\n`,
      };
    }
  }
  // Short-lived caching: a kit upgrade replaces the file under the same name.
  return { status: 200, headers: { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=300' }, body: script };
}
