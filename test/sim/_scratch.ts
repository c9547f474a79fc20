import { startChain } from '../../src/sim/index.ts';
let t = Date.now();
const c = await startChain();
console.log('start', Date.now() - t);
for (let i = 0; i < 3; i++) { t = Date.now(); await c.mine(500); console.log('mine500', Date.now() - t); }
for (let i = 0; i < 2; i++) { t = Date.now(); await c.ganache.request({method:'evm_mine', params:[{blocks:500}]}); console.log('gw mine500', Date.now() - t); }
await c.close();
