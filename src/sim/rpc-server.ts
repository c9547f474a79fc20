/**
 * JSON-RPC 2.0 over HTTP on 127.0.0.1, so a target (or a test driver) in another process or
 * language can use the simulated chain. Every method not handled here is forwarded to ganache;
 * `kit_outage` is the server's own: it answers, then refuses connections for a while (the "chain
 * RPC goes away" scenario a receiver must survive, §3.2 step 1).
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { UraidenError } from '../protocol/errors.js';

export type RpcHandler = (params: unknown[]) => Promise<unknown>;

export interface RpcServerOptions {
  port?: number;
  /** Everything not in `methods`. */
  forward(method: string, params: unknown): Promise<unknown>;
  methods?: Record<string, RpcHandler>;
}

export interface RpcServer {
  url: string;
  port: number;
  /** Outage on demand, as kit_outage does, for in-process tests. Resolves when it starts. */
  outage(ms: number): Promise<void>;
  close(): Promise<void>;
}

/** A JSON-RPC error with its standard code, raised by the kit's own methods. */
export class RpcRequestError extends UraidenError {
  readonly rpcCode: number;
  readonly value: unknown;

  constructor(rpcCode: number, message: string, value?: unknown) {
    super('RPC_REQUEST_ERROR', message);
    this.rpcCode = rpcCode;
    this.value = value;
  }
}

export const INVALID_PARAMS = -32602;
const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;
const METHOD_NOT_FOUND = -32601;
const INTERNAL_ERROR = -32603;
/** Server-defined range: a kit method that failed for a reason of its own (e.g. a reorg refused). */
const KIT_ERROR = -32000;
const MAX_BODY_BYTES = 16 * 1024 * 1024;
const MAX_OUTAGE_MS = 10 * 60_000;

type Id = string | number | null;
interface ErrorObject {
  code: number;
  message: string;
  data?: unknown;
}
type Reply = { jsonrpc: '2.0'; id: Id; result: unknown } | { jsonrpc: '2.0'; id: Id; error: ErrorObject };

export async function startRpcServer(options: RpcServerOptions): Promise<RpcServer> {
  const sockets = new Set<Socket>();
  let closed = false;
  let outageTimer: NodeJS.Timeout | undefined;
  /** Set by kit_outage; the outage starts once the reply carrying its acknowledgement is sent. */
  let requestedOutageMs: number | undefined;

  const methods: Record<string, RpcHandler> = {
    ...options.methods,
    kit_outage: async (params) => {
      const ms = params[0] === undefined ? 1000 : Number(params[0]);
      if (!Number.isSafeInteger(ms) || ms < 0 || ms > MAX_OUTAGE_MS) {
        throw new RpcRequestError(INVALID_PARAMS, `kit_outage: milliseconds must be an integer in [0, ${MAX_OUTAGE_MS}]`, params[0]);
      }
      requestedOutageMs = ms;
      return { ms };
    },
  };

  const server = http.createServer((req, res) => {
    void handle(req, res).then(() => {
      if (requestedOutageMs === undefined) return;
      const ms = requestedOutageMs;
      requestedOutageMs = undefined;
      // Destroying the sockets before the reply is flushed would lose the acknowledgement.
      if (res.writableFinished) void goDown(ms);
      else res.once('finish', () => void goDown(ms));
    });
  });
  server.keepAliveTimeout = 5_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST', 'content-type': 'text/plain' }).end('JSON-RPC over POST only\n');
      return;
    }
    let body: string;
    try {
      body = await readBody(req);
    } catch {
      res.writeHead(413, { 'content-type': 'text/plain' }).end('request body too large\n');
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return send(res, errorReply(null, PARSE_ERROR, 'Parse error'));
    }
    if (Array.isArray(parsed)) {
      if (parsed.length === 0) return send(res, errorReply(null, INVALID_REQUEST, 'Invalid Request: empty batch'));
      // Batch members run one after the other: their order is the order ganache sees them in.
      const replies: Reply[] = [];
      for (const item of parsed) {
        const reply = await dispatch(item);
        if (reply) replies.push(reply);
      }
      if (replies.length === 0) return void res.writeHead(204).end();
      return send(res, replies);
    }
    const reply = await dispatch(parsed);
    if (!reply) return void res.writeHead(204).end();
    send(res, reply);
  }

  /** One request object; undefined for a notification (no id), which gets no reply. */
  async function dispatch(item: unknown): Promise<Reply | undefined> {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      return errorReply(null, INVALID_REQUEST, 'Invalid Request');
    }
    const r = item as { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown };
    const id = validId(r.id) ? r.id : null;
    if (r.jsonrpc !== '2.0' || typeof r.method !== 'string' || (r.id !== undefined && !validId(r.id))) {
      return errorReply(id, INVALID_REQUEST, 'Invalid Request');
    }
    if (r.params !== undefined && (r.params === null || typeof r.params !== 'object')) {
      return errorReply(id, INVALID_REQUEST, 'Invalid Request: params must be an array or an object');
    }
    const isNotification = r.id === undefined;
    let reply: Reply;
    try {
      const own = Object.hasOwn(methods, r.method) ? methods[r.method] : undefined;
      const result = own ? await own(Array.isArray(r.params) ? r.params : []) : await options.forward(r.method, r.params ?? []);
      reply = { jsonrpc: '2.0', id, result: result ?? null };
    } catch (err) {
      reply = { jsonrpc: '2.0', id, error: toErrorObject(err) };
    }
    return isNotification ? undefined : reply;
  }

  async function goDown(ms: number): Promise<void> {
    if (closed || !server.listening) return;
    const closing = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closing;
    if (closed) return;
    outageTimer = setTimeout(() => {
      outageTimer = undefined;
      if (!closed) server.listen(port, '127.0.0.1');
    }, ms);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  // After the first listen, errors (e.g. the port taken during an outage) must not crash the
  // process that hosts the chain; the server simply stays down.
  server.on('error', () => undefined);

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    outage: async (ms) => {
      await goDown(ms);
    },
    close: async () => {
      if (closed) return;
      closed = true;
      clearTimeout(outageTimer);
      const done = server.listening ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
      for (const socket of sockets) socket.destroy();
      await done;
    },
  };
}

function validId(id: unknown): id is string | number | null {
  return id === null || typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));
}

function errorReply(id: Id, code: number, message: string): Reply {
  return { jsonrpc: '2.0', id, error: { code, message } };
}

/** Ganache's errors carry a numeric `code` (and `data` for reverts); ours an RpcRequestError or a kit code. */
function toErrorObject(err: unknown): ErrorObject {
  if (err instanceof RpcRequestError) {
    return { code: err.rpcCode, message: err.message, ...(err.value === undefined ? {} : { data: err.value }) };
  }
  if (err instanceof UraidenError) return { code: KIT_ERROR, message: err.message, data: { code: err.code } };
  if (err instanceof Error) {
    const { code, data } = err as Error & { code?: unknown; data?: unknown };
    // Ganache throws a plain Error, without a code, for a method it does not have.
    const unknownMethod = /^The method \S+ does not exist\/is not available/.test(err.message);
    return {
      code: typeof code === 'number' && Number.isInteger(code) ? code : unknownMethod ? METHOD_NOT_FOUND : INTERNAL_ERROR,
      message: err.message,
      ...(data === undefined ? {} : { data }),
    };
  }
  return { code: INTERNAL_ERROR, message: String(err) };
}

function send(res: http.ServerResponse, payload: unknown): void {
  const text = JSON.stringify(payload, (_key, value: unknown) => (typeof value === 'bigint' ? `0x${value.toString(16)}` : value));
  res.writeHead(200, { 'content-type': 'application/json' }).end(text);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
