/**
 * §3.2 step 1 between two polls: noticing at once that the chain's RPC endpoint went away.
 *
 * A poll notices a lost chain only when it next runs (up to a poll interval later), and meanwhile
 * the proxy would take payments it could not defend. So the manager also holds one idle TCP
 * connection to the endpoint — nothing is ever sent on it, so it costs the node nothing — and
 * reconnects the moment it closes. A node that stops (or, like the kit chain's `kit_outage`,
 * stops listening and drops its connections) closes it. From that instant the endpoint is
 * 'checking' (no payment is taken: a request racing the reconnect must not slip through); the
 * reconnect is refused within a millisecond on loopback and the endpoint is 'down', or accepted and
 * it is 'up' again (a node that closes idle connections costs a blip of one connect; one that closes
 * them within a second of opening is reconnected to no faster than every `retryMs`). While down,
 * it retries every `retryMs`. A reconnect that merely times out is not an outage here: a slow node
 * is the polls' business (ReceiverOptions.staleAfterMs).
 *
 * What this cannot see: an endpoint that stops accepting but keeps old connections open, or a path
 * that silently drops packets. The polls and their timeouts still catch those.
 */
import net from 'node:net';

export interface LivenessOptions {
  /** the JSON-RPC endpoint (http: or https:) */
  url: string;
  /** called on every change of state, with the reason for 'checking' and 'down' */
  onChange(state: EndpointState, reason: string): void;
  /** how often to try again while down, and the pause after a connection that lived under a second */
  retryMs?: number;
  /** how long one connection attempt may take before it is abandoned and retried */
  connectTimeoutMs?: number;
}

export type EndpointState = 'up' | 'checking' | 'down';

export interface Liveness {
  readonly state: EndpointState;
  stop(): void;
}

/** Codes of a connection that was refused or cut, as opposed to one still trying. */
const LOST = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL']);
/** A connection that lived at least this long may be re-opened at once when it closes. */
const STEADY_MS = 1000;

export function watchEndpoint(options: LivenessOptions): Liveness {
  const target = new URL(options.url);
  const port = Number(target.port || (target.protocol === 'https:' ? 443 : 80));
  const host = target.hostname.replace(/^\[|\]$/g, '');
  const retryMs = options.retryMs ?? 25;
  const connectTimeoutMs = options.connectTimeoutMs ?? 1000;
  let state: EndpointState = 'up';
  let stopped = false;
  const become = (next: EndpointState, reason: string): void => {
    if (next === state || stopped) return;
    state = next;
    options.onChange(next, reason);
  };
  let socket: net.Socket | undefined;
  let timer: NodeJS.Timeout | undefined;

  const later = (ms: number): void => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(connect, ms);
    timer.unref();
  };

  function connect(): void {
    if (stopped) return;
    const s = net.connect({ host, port });
    socket = s;
    let openedAt: number | undefined;
    s.setTimeout(connectTimeoutMs, () => s.destroy());
    s.on('connect', () => {
      openedAt = Date.now();
      s.setTimeout(0);
      s.setKeepAlive(true);
      become('up', `connected to ${host}:${port}`);
    });
    // Whatever the node sends (an error page, nothing), it is not for us.
    s.on('data', () => undefined);
    s.on('error', (err: NodeJS.ErrnoException) => {
      // Only a connection that could not be made says the endpoint is gone; one that was cut
      // (a reset) is tested again by the reconnect that follows.
      if (openedAt === undefined && err.code !== undefined && LOST.has(err.code)) {
        become('down', `the chain's RPC endpoint refused a connection (${err.code} on ${host}:${port})`);
      }
    });
    s.on('close', () => {
      if (stopped || socket !== s) return;
      if (openedAt === undefined) return later(retryMs); // refused or timed out: try again soon
      // An established connection ended: test the endpoint again at once, unless connections
      // keep ending young (a node that closes idle ones): then not faster than retryMs.
      become('checking', `the connection to the chain's RPC endpoint ${host}:${port} closed; reconnecting`);
      if (Date.now() - openedAt >= STEADY_MS) connect();
      else later(retryMs);
    });
    s.unref();
  }

  connect();
  return {
    get state() {
      return state;
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      socket?.destroy();
    },
  };
}
