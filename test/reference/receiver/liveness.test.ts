/**
 * The receiver's watch on its chain endpoint (liveness.ts), against a real TCP server: an endpoint
 * that drops its connections and stops listening is 'down' at once; one that comes back is 'up'
 * again; one that merely closes idle connections costs a 'checking' blip, never a 'down'.
 */
import { expect } from 'chai';
import net from 'node:net';
import { type EndpointState, watchEndpoint } from '../../../src/reference/receiver/manager/liveness.js';

interface Endpoint {
  port: number;
  sockets: Set<net.Socket>;
  stop(): Promise<void>;
}

async function listen(port = 0, onSocket: (s: net.Socket) => void = () => undefined): Promise<Endpoint> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    onSocket(s);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    sockets,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

const until = async (what: string, ok: () => boolean, ms = 2000): Promise<void> => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`${what} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
};

describe('receiver: the watch on the chain endpoint (liveness)', () => {
  it('down the moment the endpoint drops its connections and refuses new ones; up again when it is back', async () => {
    const endpoint = await listen();
    const changes: { state: EndpointState; at: number }[] = [];
    const watch = watchEndpoint({ url: `http://127.0.0.1:${endpoint.port}`, retryMs: 10, onChange: (state) => changes.push({ state, at: performance.now() }) });
    try {
      await until('connected', () => endpoint.sockets.size === 1);
      expect(watch.state).to.equal('up');
      await new Promise((r) => setTimeout(r, 1100)); // a steady connection, reopened at once when it closes
      const stoppedAt = performance.now();
      await endpoint.stop();
      await until('down', () => watch.state === 'down');
      expect(changes.map((c) => c.state)).to.deep.equal(['checking', 'down']);
      // 'checking' stops payments as soon as the close is read; 'down' follows the refused connect.
      console.log(`      checking after ${(changes[0]!.at - stoppedAt).toFixed(1)} ms, down after ${(changes[1]!.at - stoppedAt).toFixed(1)} ms`);
      const back = await listen(endpoint.port);
      try {
        await until('up again', () => watch.state === 'up');
        expect(changes.map((c) => c.state)).to.deep.equal(['checking', 'down', 'up']);
      } finally {
        watch.stop();
        await back.stop();
      }
    } finally {
      watch.stop();
    }
  });

  it('an endpoint that closes idle connections costs a blip, never a down', async () => {
    // Closes every connection after 1.1 s: long enough to count as steady, so each close is
    // re-tested at once; the endpoint is listening all along.
    const endpoint = await listen(0, (s) => setTimeout(() => s.destroy(), 1100));
    const changes: EndpointState[] = [];
    const watch = watchEndpoint({ url: `http://127.0.0.1:${endpoint.port}`, retryMs: 10, onChange: (state) => changes.push(state) });
    try {
      await new Promise((r) => setTimeout(r, 3500));
      expect(changes).to.not.include('down');
      expect(changes.filter((s) => s === 'checking').length).to.be.at.least(2);
      expect(watch.state).to.equal('up');
    } finally {
      watch.stop();
      await endpoint.stop();
    }
  });

  it('an endpoint that closes every connection at once is not hammered, and not taken for down (only for checking)', async () => {
    let accepted = 0;
    const endpoint = await listen(0, (s) => {
      accepted++;
      s.destroy();
    });
    const changes: EndpointState[] = [];
    const watch = watchEndpoint({ url: `http://127.0.0.1:${endpoint.port}`, retryMs: 50, onChange: (state) => changes.push(state) });
    try {
      await new Promise((r) => setTimeout(r, 500));
      // One connect per retryMs at most (about 10 in 500 ms), not a busy loop.
      expect(accepted).to.be.within(2, 12);
      expect(changes).to.not.include('down');
    } finally {
      watch.stop();
      await endpoint.stop();
    }
  });
});
