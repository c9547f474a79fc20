/**
 * The §5 REST API under the gateway path. Amounts are decimal strings (they exceed 2^53); counts
 * and block numbers are JSON numbers. Bad input (an address, a block number, the JSON body) is a
 * 400 with the reason, never a 5xx: the error handler below makes sure of it.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { MAX_UINT192, toChecksumAddress } from '../../../protocol/index.js';
import type { Address } from '../../../protocol/index.js';
import type { ChannelView, ReceiverManager } from '../manager/types.js';
import { ResourceError } from './errors.js';

/** The ABIs GET /stats shows as `manager_abi` and `token_abi` (null: not shown). */
export interface ContractAbis {
  manager: readonly unknown[] | null;
  token: readonly unknown[] | null;
}

export interface RestOptions {
  manager: ReceiverManager;
  abis: ContractAbis;
}

export function channelJson(c: ChannelView): Record<string, unknown> {
  return {
    sender_address: c.sender,
    receiver_address: c.receiver,
    open_block: c.openBlock,
    deposit: c.deposit.toString(),
    balance: c.balance.toString(),
    withdrawn: c.withdrawn.toString(),
    state: c.state,
    ...(c.settleBlock !== undefined && { settle_block: c.settleBlock }),
  };
}

/** 400 with a reason: the request, not the server, is at fault. */
function badRequest(message: string, value?: unknown): ResourceError {
  return new ResourceError(400, message, value);
}

/**
 * A value from the request as a reason may quote it: scalars as JSON (strings clipped), arrays and
 * objects by their kind only — never serialised whole (a body nested thousands deep would
 * overflow the stack in JSON.stringify, and a 5xx for the client's own mistake).
 */
function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return Array.isArray(value) ? 'an array' : `a JSON ${typeof value}`;
}

function parseSender(value: string): Address {
  try {
    return toChecksumAddress(value);
  } catch {
    // Stryker disable next-line StringLiteral: wording (§5 fixes the status, not the text)
    throw badRequest(`invalid sender address ${shown(value)}: expected 0x and 40 hex digits`, value);
  }
}

function parseOpenBlock(value: string): number {
  // Decimal only, as in the headers (§3.1); uint32 because the contract's open block is one.
  if (!/^[0-9]{1,10}$/.test(value) || Number(value) > 0xffffffff) {
    // Stryker disable next-line StringLiteral: wording (§5 fixes the status, not the text)
    throw badRequest(`invalid open block ${shown(value)}: expected a decimal uint32`, value);
  }
  return Number(value);
}

type StatusFilter = 'open' | 'closed' | 'all';

function parseStatus(value: unknown): StatusFilter {
  // Default 'open' and the alias 'opened' as in the original API, so its clients see what they saw.
  if (value === undefined || value === 'open' || value === 'opened') return 'open';
  if (value === 'closed' || value === 'all') return value;
  throw badRequest(`invalid status ${shown(value)}: expected open, closed or all`, value);
}

/** `balance` as a JSON number or a decimal string (§5: the original clients send numbers). */
function parseBalance(value: unknown): bigint {
  if (typeof value === 'number') {
    // A number above 2^53 has already lost digits in JSON.parse: refuse it rather than sign for a
    // balance nobody sent. Strings carry any uint192.
    if (!Number.isSafeInteger(value) || value < 0) {
      // Stryker disable next-line StringLiteral: wording (§5 fixes the status, not the text)
      throw badRequest(`invalid balance ${value}: not a non-negative safe integer (send a decimal string)`, value);
    }
    return BigInt(value);
  }
  if (typeof value === 'string' && /^[0-9]+$/.test(value)) {
    const n = BigInt(value);
    if (n <= MAX_UINT192) return n;
  }
  // Stryker disable next-line StringLiteral: wording (§5 fixes the status, not the text)
  throw badRequest(`invalid balance ${shown(value)}: expected a decimal string or an integer`, value);
}

function parseCloseBody(raw: unknown): { balance: bigint; senderSignature: string } {
  if (typeof raw !== 'string' || raw.trim() === '') {
    // Stryker disable next-line StringLiteral: wording (§5 fixes the status, not the text)
    throw badRequest('missing JSON body {"balance", "sender_signature"}');
  }
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch (err) {
    // Stryker disable next-line StringLiteral: wording (§5 fixes the status, not the text)
    throw badRequest(`invalid JSON body: ${(err as Error).message}`, raw);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    // Stryker disable next-line StringLiteral: wording (§5 fixes the status, not the text)
    throw badRequest('the body must be a JSON object {"balance", "sender_signature"}', raw);
  }
  const { balance, sender_signature: senderSignature } = body as Record<string, unknown>;
  if (balance === undefined) {
    // Stryker disable next-line StringLiteral: wording (§5 fixes the status, not the text)
    throw badRequest('missing "balance"');
  }
  const parsed = parseBalance(balance);
  // The signature's syntax is the manager's to judge (it answers 400 with the §1.4 reason); here
  // only that one was sent: without it anyone could freeze a sender's channel (§5).
  if (typeof senderSignature !== 'string' || senderSignature === '') {
    // Stryker disable next-line StringLiteral: wording (§5 fixes the status, not the text)
    throw badRequest('missing "sender_signature": the sender\'s signature over the closing message (§5)');
  }
  return { balance: parsed, senderSignature };
}

function sendError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send({ error: message });
}

/** Registers §5 on `app`, which fastify has already prefixed with the gateway path. */
export async function restApi(app: FastifyInstance, opts: RestOptions): Promise<void> {
  const { manager } = opts;

  // Bodies are parsed here, not by fastify: a missing content type or bad JSON must be a 400 with
  // our reason, not fastify's 415/500-ish variants. Encapsulated: the resources keep the defaults.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
    if (err instanceof ResourceError) return sendError(reply, err.status, err.message);
    const status = err.statusCode;
    // fastify's own 4xx (body too large, bad URL encoding): keep the status, give the reason.
    if (status !== undefined && status >= 400 && status < 500) return sendError(reply, status, err.message);
    reply.log.error(err);
    return sendError(reply, 500, 'internal error');
  });

  app.get('/stats', async () => {
    const s = manager.stats();
    const abis = opts.abis;
    return {
      deposit_sum: s.depositSum.toString(),
      balance_sum: s.balanceSum.toString(),
      open_channels: s.openChannels,
      pending_channels: s.pendingChannels,
      unique_senders: s.uniqueSenders,
      liquid_balance: s.liquidBalance.toString(),
      token_address: s.token,
      contract_address: s.contract,
      receiver_address: s.receiver,
      sync_block: s.syncBlock,
      confirmed_block: s.confirmedBlock,
      confirmations: s.confirmations,
      manager_abi: abis.manager,
      token_abi: abis.token,
    };
  });

  app.get('/channels', async (req) => {
    const status = parseStatus((req.query as Record<string, unknown>).status);
    return manager.channels({ status }).map(channelJson);
  });

  app.get('/channels/:sender', async (req) => {
    const { sender } = req.params as { sender: string };
    const status = parseStatus((req.query as Record<string, unknown>).status);
    return manager.channels({ status, sender: parseSender(sender) }).map(channelJson);
  });

  app.get('/channels/:sender/:openBlock', async (req, reply) => {
    const { sender, openBlock } = req.params as { sender: string; openBlock: string };
    const channel = manager.channel(parseSender(sender), parseOpenBlock(openBlock));
    if (!channel) return sendError(reply, 404, 'unknown channel');
    return channelJson(channel);
  });

  app.delete('/channels/:sender/:openBlock', async (req, reply) => {
    const { sender, openBlock } = req.params as { sender: string; openBlock: string };
    const address = parseSender(sender);
    const block = parseOpenBlock(openBlock);
    const { balance, senderSignature } = parseCloseBody(req.body);
    const outcome = manager.cooperativeClose(address, block, balance, senderSignature);
    if (!outcome.ok) return sendError(reply, outcome.status, outcome.reason);
    return { close_signature: outcome.closeSignature };
  });
}
