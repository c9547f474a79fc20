/**
 * Errors of the paywalled proxy. Like the protocol layer's, each has a stable `code` and carries
 * the offending value, so the CLI can print one line and a test can assert on what was refused.
 */
import { UraidenError } from '../../../protocol/errors.js';

/**
 * The proxy was configured with something unusable (a negative price, a gateway path without a
 * leading slash, a port out of range). Thrown at configuration time where possible; a price
 * function that returns garbage at request time answers 500, since that is the operator's bug.
 */
export class ProxyConfigError extends UraidenError {
  readonly option: string;
  readonly value: unknown;

  constructor(option: string, value: unknown, reason: string) {
    super('PROXY_CONFIG', `${option}: ${reason}: ${safeJson(value)}`);
    this.option = option;
    this.value = value;
  }
}

/**
 * Thrown by a resource's price function or handler to answer with a client error (e.g. 400 for a
 * query parameter the price depends on). Before payment it costs nothing; after payment the
 * payment headers stay on the reply so the client sees it was charged.
 */
export class ResourceError extends UraidenError {
  readonly status: number;
  readonly value: unknown;

  constructor(status: number, message: string, value?: unknown) {
    super('RESOURCE_ERROR', message);
    if (!Number.isInteger(status) || status < 400 || status > 599) throw new ProxyConfigError('ResourceError.status', status, 'not an HTTP error status');
    this.status = status;
    this.value = value;
  }
}

/** The upstream of a forwarding resource could not be reached or timed out (answered 502). */
export class UpstreamError extends UraidenError {
  readonly url: string;

  constructor(url: string, reason: string, options?: ErrorOptions) {
    super('UPSTREAM_UNREACHABLE', `upstream ${url}: ${reason}`, options);
    this.url = url;
  }
}

function safeJson(value: unknown): string {
  try {
    return typeof value === 'bigint' ? `${value}n` : (JSON.stringify(value) ?? String(value));
  } catch {
    return String(value);
  }
}
