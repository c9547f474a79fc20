/**
 * Bundles the browser client for the reference receiver to serve (/_rdn/web-client.js): the
 * compiled dist/src/browser/web-client.js and what it imports, as one minified ES module for
 * browsers. It bundles the compiled files as any consumer's bundler would, so the package's
 * "browser" map (the protocol core's native backend → native-browser.js) is what keeps Node out;
 * with platform "browser" esbuild refuses any Node built-in that would slip through.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** esbuild options for an entry of dist/src/browser; bench/browser.ts measures with the same. */
export function browserBundleOptions(entry: string): BuildOptions {
  return {
    entryPoints: [path.join(root, 'dist', 'src', 'browser', entry)],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    // BigInt literals and ?? need ES2020; every browser with EIP-1193 wallets has it.
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
  };
}

export const WEB_CLIENT_BUNDLE = path.join(root, 'dist', 'browser', 'web-client.js');

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await build({ ...browserBundleOptions('web-client.js'), outfile: WEB_CLIENT_BUNDLE });
}
