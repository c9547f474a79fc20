/**
 * ganache, loaded without the noise of its bundled µWebSockets. ganache requires
 * @trufflesuite/uws-js-unofficial when it loads; that package has native builds for a few Node
 * ABIs only, and on any other (Node 24, say) it prints "This version of µWS is not compatible with
 * your Node.js build … Falling back to a NodeJS implementation" with console.warn. The kit never
 * uses ganache's own server (src/sim/rpc-server.ts serves the chain), so the fallback changes
 * nothing for it: the package is loaded once here, from ganache's own location, with that one
 * warning held back, and ganache then finds it in the module cache.
 */
import { createRequire } from 'node:module';
import type Ganache from 'ganache';

const require = createRequire(import.meta.url);
const ganacheRequire = createRequire(require.resolve('ganache'));

const warn = console.warn;
console.warn = (...args: unknown[]) => {
  if (typeof args[0] === 'string' && /µWS/.test(args[0])) return;
  if (typeof args[0] === 'string' && args[0].startsWith('Falling back to a NodeJS implementation')) return;
  warn(...args);
};
try {
  ganacheRequire('@trufflesuite/uws-js-unofficial');
} finally {
  console.warn = warn;
}

const ganache = require('ganache') as typeof Ganache;
export default ganache;
