// A user's plain-Node script: signs and verifies a balance proof with uraiden-kit/protocol, then
// checks what that import loaded — the protocol core must not bring in the chain (ganache),
// SQLite, fastify or ethers. ESM loads are seen by a resolve hook, CommonJS ones in require.cache.
import { createRequire, register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';

const { port1, port2 } = new MessageChannel();
const loaded = [];
port1.on('message', (url) => loaded.push(url));
port1.unref();
const hooks = `let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) { const r = await next(specifier, context); port.postMessage(r.url); return r; }`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`, { data: { port: port2 }, transferList: [port2] });

const { signBalanceProof, recoverBalanceProofSigner, privateKeyToAddress, encodePaymentHeaders } = await import('uraiden-kit/protocol');
const key = `0x${'42'.repeat(32)}`;
const proof = { receiver: `0x${'22'.repeat(20)}`, openBlock: 7, balance: 15n, contract: `0x${'33'.repeat(20)}` };
const signature = signBalanceProof(key, proof);
const signer = recoverBalanceProofSigner(proof, signature);
if (signer !== privateKeyToAddress(key)) throw new Error(`recovered ${signer}, expected ${privateKeyToAddress(key)}`);
encodePaymentHeaders({ sender: signer, receiver: proof.receiver, contract: proof.contract, openBlock: 7, balance: 15n, signature });

await new Promise((resolve) => setTimeout(resolve, 100)); // the hook thread's last messages
loaded.push(...Object.keys(createRequire(import.meta.url).cache));
const heavy = new Set(loaded.flatMap((u) => /node_modules\/(ganache|better-sqlite3|fastify|ethers|memdown)\//.exec(u)?.[1] ?? []));
if (heavy.size > 0) {
  console.error(`uraiden-kit/protocol loaded ${[...heavy].join(', ')}`);
  process.exit(1);
}
if (!loaded.some((u) => u.includes('uraiden-kit/dist/src/protocol/'))) throw new Error('the protocol entry was not seen loading: the check itself is broken');
console.log(`protocol-only: signed and recovered ${signer}; ${loaded.length} modules loaded, none of ganache, SQLite, fastify, ethers`);
