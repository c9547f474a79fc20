// The runner's own JSON-RPC relay between a launched target and the chain: every request is passed
// through unchanged, and `outage(ms)` makes the relay refuse connections (and drop the open ones)
// for a while — the "chain RPC goes away" cases (§3.2 step 1) on any chain, kit or not, without
// asking the chain for anything (kit_outage is the kit chain's own).
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Relay {
  /** what the target is given as RDN_RPC_URL */
  url: string;
  outage(ms: number): Promise<void>;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;

export async function startRelay(upstream: string): Promise<Relay> {
  const sockets = new Set<Socket>();
  let closed = false;
  let reopen: NodeJS.Timeout | undefined;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) return void res.writeHead(413, { 'content-type': 'text/plain' }).end('request body too large\n');
      fetch(upstream, {
        method: req.method ?? 'POST',
        headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
        ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body: Buffer.concat(chunks) }),
      })
        .then(async (answer) => {
          const body = Buffer.from(await answer.arrayBuffer());
          res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(body);
        })
        // The chain itself is unreachable: the target sees what it would see without the relay.
        .catch(() => req.socket.destroy());
    });
  });
  server.keepAliveTimeout = 5_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // After the first listen an error (the port taken during an outage) must not crash the runner.
  const listen = (port: number) => new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
  await listen(0);
  server.on('error', () => undefined);
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    async outage(ms) {
      if (closed || !server.listening) return;
      const down = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await down;
      reopen = setTimeout(() => {
        reopen = undefined;
        if (!closed) server.listen(port, '127.0.0.1');
      }, ms);
    },
    async close() {
      closed = true;
      clearTimeout(reopen);
      for (const s of sockets) s.destroy();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
