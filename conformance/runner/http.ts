// A deliberately plain HTTP/1.1 client: one connection per request (no keep-alive, so a restarted
// target never sees a stale socket; a fuzz stream passes its own keep-alive agent for the
// hundreds of requests it sends back to back), arbitrary header values sent verbatim, a hard
// timeout, and every exchange recorded for the report. Transport failures become TransportError, which the
// runner turns into an `error` outcome (§6: target unreachable or timed out).
import http from 'node:http';

export interface HttpRequest {
  method: string;
  path: string;
  /** a list sends the header once per value (a malformed request may repeat one) */
  headers: Record<string, string | string[]>;
  body?: string;
}

export interface HttpResponse {
  status: number;
  /** lower-case names; repeated headers joined with ", " except set-cookie */
  headers: Record<string, string>;
  setCookies: string[];
  body: string;
}

export interface Exchange {
  request: HttpRequest;
  response?: HttpResponse;
  error?: string;
}

/** The target could not be talked to: refused, reset, timed out, or not speaking HTTP. */
export class TransportError extends Error {
  readonly request: HttpRequest;
  readonly reason: string;
  constructor(request: HttpRequest, reason: string) {
    super(`${request.method} ${request.path}: ${reason}`);
    this.name = 'TransportError';
    this.request = request;
    this.reason = reason;
  }
}

/** Response headers that change from run to run and say nothing about conformance. */
const VOLATILE = new Set(['date', 'connection', 'keep-alive']);
const MAX_BODY = 256 * 1024;

export function send(baseUrl: URL, req: HttpRequest, timeoutMs: number, signal?: AbortSignal, keepAlive?: http.Agent): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const fail = (reason: string) => reject(new TransportError(req, reason));
    if (signal?.aborted) return fail('aborted');
    const r = http.request(
      {
        host: baseUrl.hostname,
        port: baseUrl.port,
        method: req.method,
        path: req.path,
        headers: {
          ...req.headers,
          ...(keepAlive ? {} : { Connection: 'close' }),
          ...(req.body !== undefined ? { 'Content-Length': String(Buffer.byteLength(req.body)) } : {}),
        },
        agent: keepAlive ?? false,
        signal,
        insecureHTTPParser: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= MAX_BODY) chunks.push(c);
        });
        res.on('error', (e) => fail(describe(e)));
        res.on('end', () => {
          clearTimeout(timer);
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) {
            if (k === 'set-cookie' || VOLATILE.has(k) || v === undefined) continue;
            headers[k] = Array.isArray(v) ? v.join(', ') : v;
          }
          resolve({ status: res.statusCode ?? 0, headers, setCookies: res.headers['set-cookie'] ?? [], body: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    const timer = setTimeout(() => {
      r.destroy();
      fail(`no complete answer within ${timeoutMs} ms`);
    }, timeoutMs);
    r.on('error', (e) => {
      clearTimeout(timer);
      fail(describe(e));
    });
    if (req.body !== undefined) r.write(req.body);
    r.end();
  });
}

function describe(e: Error & { code?: string }): string {
  if (e.code === 'ECONNREFUSED') return 'connection refused';
  if (e.code === 'ECONNRESET') return 'connection reset by the target';
  if (e.code === 'HPE_INVALID_CONSTANT' || e.code?.startsWith('HPE_')) return `not a valid HTTP answer (${e.code})`;
  if (e.name === 'AbortError') return 'aborted (case timeout)';
  return e.code ? `${e.code}: ${e.message}` : e.message;
}
