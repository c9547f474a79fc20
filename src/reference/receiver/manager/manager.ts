/**
 * openReceiver(): the receiver's channel manager (SPEC §4) assembled from its parts — state
 * (SQLite), sync (chain following), payments (§3.2 steps 5–10), closing (§5 DELETE), disputes and
 * operator commands — behind the ReceiverManager interface the proxy and REST API use.
 *
 * It never crashes once started: every poll catches its own errors, logs them and lets health()
 * report them; the next poll tries again.
 */
import { channelKey, privateKeyToAddress, toChecksumAddress, type Address, type Hex } from '../../../protocol/index.js';
import { channelsInterface, tokenInterface } from './abi.js';
import { decideCooperativeClose, type ClosingContext } from './closing.js';
import { runDisputes, type DisputeContext } from './disputes.js';
import { ReceiverConfigError, ReceiverStoppedError, RpcError, SyncTimeoutError } from './errors.js';
import { consoleLogger } from './log.js';
import { emptyUnconfirmed, type ChainChannel, type ChannelKey, type Logger } from './model.js';
import { closeAllChannels, withdrawChannels, type CloseAllResult, type OperationsContext, type WithdrawResult } from './operations.js';
import { closingReason, decidePayment, PAYMENT_RULES, type PaymentContext, type PaymentRules } from './payments.js';
import { balanceOf, blockNumber, chainId as readChainId, describe, ethCall, httpRpc, providerRpc, type InjectedProvider, type Rpc } from './rpc.js';
import { watchEndpoint } from './liveness.js';
import { openState, type StateStore } from './state.js';
import { pollOnce, type ChainView, type SyncContext } from './sync.js';
import { txSender } from './transactions.js';
import type { ChannelState, ChannelView, Health, ReceiverManager, Stats } from './types.js';

export interface ReceiverOptions {
  /** JSON-RPC endpoint of the chain (HTTP). One of rpcUrl / provider is required. */
  rpcUrl?: string;
  /** an in-process provider instead (ethers JsonRpcApiProvider `send`, or EIP-1193 `request`) */
  provider?: InjectedProvider;
  receiverPrivateKey: string;
  /** the RaidenMicroTransferChannels address; the token address is read from it */
  contract: string;
  /** SQLite file; created with mode 0600 */
  stateFile: string;
  /** blocks on top before an event counts (SPEC §4 kit default 5) */
  confirmations?: number;
  pollIntervalMs?: number;
  /** first block to read events from on a fresh state (and on a re-sync); default 0 */
  startBlock?: number;
  /** wei; below it health() reports eth-below-floor (default 0.01 ETH: a few disputes' gas) */
  ethFloor?: bigint;
  /** SQLite synchronous: NORMAL survives a killed process, FULL also a power cut (default NORMAL) */
  synchronous?: 'NORMAL' | 'FULL';
  /** per JSON-RPC call over HTTP (default 1000 ms: an outage shows within one poll) */
  rpcTimeoutMs?: number;
  /** health() fails when no poll succeeded for this long (default max(3 × poll interval, 2000) ms) */
  staleAfterMs?: number;
  /** blocks per eth_getLogs (default 5000) */
  logChunkSize?: number;
  /** how long withdraw() / closeAll() wait for each receipt (default 60 s) */
  receiptTimeoutMs?: number;
  /** whether openReceiver waits for the first poll (default true) */
  waitForFirstSync?: boolean;
  logger?: Logger;
  /**
   * Dispute close requests that claim less than the registered balance (§4 MUST; default true).
   * false: never dispute — what a careless or offline receiver does, for simulations of one.
   */
  disputes?: boolean;
}

/**
 * @internal The parts of a receiver that can be replaced: the conformance self-test builds
 * deliberately broken receivers from broken parts (src/reference/faults.ts). Not exported.
 */
export interface ReceiverParts {
  paymentRules: PaymentRules;
}

export interface Receiver extends ReceiverManager {
  readonly stateFile: string;
  readonly challengePeriod: number;
  /** the chain head seen by the last successful poll */
  readonly headBlock: number;
  /** withdraw(open_block, balance, sig) for open channels whose balance − withdrawn ≥ minimum */
  withdraw(minimum?: bigint): Promise<WithdrawResult[]>;
  /** cooperative close of every open channel with payments; reports the ones skipped and why */
  closeAll(): Promise<CloseAllResult>;
  /** one poll now (after any poll in progress); rejects with the poll's error */
  syncOnce(): Promise<void>;
  /** resolves once a poll has seen the chain head as it was at the call (retrying failed polls) */
  waitForSync(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const DEFAULTS = {
  confirmations: 5,
  pollIntervalMs: 1000,
  startBlock: 0,
  ethFloor: 10n ** 16n,
  rpcTimeoutMs: 1000,
  logChunkSize: 5000,
  receiptTimeoutMs: 60_000,
};

function checkOptions(o: ReceiverOptions): void {
  if (!o.rpcUrl && !o.provider) throw new ReceiverConfigError('rpcUrl', o.rpcUrl, 'give rpcUrl or provider');
  const nonNegInt = (name: string, v: number | undefined): void => {
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 0)) throw new ReceiverConfigError(name, v, 'must be a non-negative integer');
  };
  nonNegInt('confirmations', o.confirmations);
  nonNegInt('startBlock', o.startBlock);
  if (o.pollIntervalMs !== undefined && !(o.pollIntervalMs > 0)) throw new ReceiverConfigError('pollIntervalMs', o.pollIntervalMs, 'must be > 0');
  if (o.logChunkSize !== undefined && !(Number.isSafeInteger(o.logChunkSize) && o.logChunkSize > 0)) {
    throw new ReceiverConfigError('logChunkSize', o.logChunkSize, 'must be a positive integer');
  }
  if (o.synchronous !== undefined && o.synchronous !== 'NORMAL' && o.synchronous !== 'FULL') {
    throw new ReceiverConfigError('synchronous', o.synchronous, 'must be NORMAL or FULL');
  }
  if (!o.stateFile) throw new ReceiverConfigError('stateFile', o.stateFile, 'required');
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function openReceiver(options: ReceiverOptions): Promise<Receiver> {
  return openReceiverWith(options, { paymentRules: PAYMENT_RULES });
}

/** @internal openReceiver with replaced parts (src/reference/faults.ts). */
export async function openReceiverWith(options: ReceiverOptions, parts: ReceiverParts): Promise<Receiver> {
  checkOptions(options);
  const log = options.logger ?? consoleLogger();
  const confirmations = options.confirmations ?? DEFAULTS.confirmations;
  const pollMs = options.pollIntervalMs ?? DEFAULTS.pollIntervalMs;
  const staleAfterMs = options.staleAfterMs ?? Math.max(3 * pollMs, 2000);
  const ethFloor = options.ethFloor ?? DEFAULTS.ethFloor;
  const disputes = options.disputes ?? true;
  const rpc: Rpc = options.provider ? providerRpc(options.provider) : httpRpc(options.rpcUrl!, options.rpcTimeoutMs ?? DEFAULTS.rpcTimeoutMs);

  const receiverKey = options.receiverPrivateKey as Hex;
  const receiver = privateKeyToAddress(receiverKey);
  const contract = toChecksumAddress(options.contract);

  // What the chain says about itself; the chain must be reachable to start at all.
  const chainId = await readChainId(rpc);
  let token: Address;
  let challengePeriod: number;
  try {
    const [t, cp] = await Promise.all([
      ethCall(rpc, contract, channelsInterface.encodeFunctionData('token')),
      ethCall(rpc, contract, channelsInterface.encodeFunctionData('challenge_period')),
    ]);
    token = toChecksumAddress(channelsInterface.decodeFunctionResult('token', t)[0] as string);
    challengePeriod = Number(channelsInterface.decodeFunctionResult('challenge_period', cp)[0] as bigint);
  } catch (err) {
    throw new ReceiverConfigError('contract', contract, `not a channels contract on chain ${chainId}: ${describe(err)}`);
  }

  const store = openState({
    path: options.stateFile,
    identity: { chainId, contract, receiver },
    synchronous: options.synchronous ?? 'NORMAL',
    startBlock: options.startBlock ?? DEFAULTS.startBlock,
  });
  if (options.startBlock !== undefined && options.startBlock !== store.startBlock) {
    log.warn(`state file was started at block ${store.startBlock}; ignoring startBlock ${options.startBlock}`);
  }

  let view: ChainView;
  let proofs: ReturnType<StateStore['loadProofs']>;
  let closes: ReturnType<StateStore['loadCloses']>;
  try {
    view = { chain: store.loadChannels(), unconfirmed: emptyUnconfirmed(), head: store.head().block };
    proofs = store.loadProofs();
    closes = store.loadCloses();
  } catch (err) {
    store.close(); // release the lock: a later attempt must not find it held by a dead manager
    throw err;
  }
  const withdrawing = new Map<ChannelKey, bigint>();
  const tx = txSender(rpc, receiverKey, receiver, chainId);
  const persistClose: ClosingContext['persistClose'] = (s, b, r) => store.saveClose(s, b, r);

  // Contexts read the current maps through getters: a re-sync swaps view.chain wholesale.
  const payCtx: PaymentContext = {
    receiver,
    contract,
    get chain() {
      return view.chain;
    },
    get unconfirmed() {
      return view.unconfirmed;
    },
    proofs,
    closes,
    persist: (s, b, p) => store.saveProof(s, b, p),
    rules: parts.paymentRules,
  };
  const closeCtx: ClosingContext = {
    receiver,
    contract,
    receiverKey,
    proofs,
    closes,
    persistClose,
    get chain() {
      return view.chain;
    },
    get unconfirmed() {
      return view.unconfirmed;
    },
  };
  const syncCtx: SyncContext = {
    rpc,
    contract,
    receiver,
    confirmations,
    challengePeriod,
    chunkSize: options.logChunkSize ?? DEFAULTS.logChunkSize,
    store,
    view,
    log,
  };
  const disputeCtx: DisputeContext = {
    rpc,
    receiver,
    receiverKey,
    contract,
    proofs,
    closes,
    tx,
    persistClose,
    log,
    get chain() {
      return view.chain;
    },
    get head() {
      return view.head;
    },
  };
  const opsCtx: OperationsContext = {
    receiver,
    receiverKey,
    contract,
    proofs,
    closes,
    withdrawing,
    tx,
    persistClose,
    log,
    pollMs,
    receiptTimeoutMs: options.receiptTimeoutMs ?? DEFAULTS.receiptTimeoutMs,
    get chain() {
      return view.chain;
    },
    get unconfirmed() {
      return view.unconfirmed;
    },
  };

  // ------------------------------------------------------------ polling
  let lastSuccessAt = 0;
  let lastError: string | undefined = 'not synced yet';
  let ethBalance: bigint | undefined;
  let tokenBalance = 0n;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> = Promise.resolve();

  const doPoll = async (): Promise<void> => {
    // Success dates from the poll's start: a poll under way when the chain came back tells
    // nothing about the blocks mined while it was gone.
    const startedAt = Date.now();
    try {
      const result = await pollOnce(syncCtx);
      if (result.resynced) {
        // The dispute transactions may have been in the replaced blocks: look at them again.
        for (const [key, rec] of closes) {
          if (rec.dispute?.status === 'mined') closes.set(key, { ...rec, dispute: { ...rec.dispute, status: 'sent' } });
        }
      }
      for (const key of result.touched) {
        const w = withdrawing.get(key);
        const c = view.chain.get(key);
        if (w !== undefined && (!c || c.withdrawn >= w)) withdrawing.delete(key);
      }
      // Balances only change with blocks.
      if (!result.unchanged || ethBalance === undefined) {
        const [eth, tok] = await Promise.all([balanceOf(rpc, receiver), ethCall(rpc, token, tokenInterface.encodeFunctionData('balanceOf', [receiver]))]);
        ethBalance = eth;
        tokenBalance = tokenInterface.decodeFunctionResult('balanceOf', tok)[0] as bigint;
      }
      lastSuccessAt = startedAt;
      lastError = undefined;
    } catch (err) {
      // A refused or failed call means the chain is gone: unhealthy at once. A call that merely
      // timed out may be a slow node under load; health() then waits for staleAfterMs without a
      // successful poll before it answers 502, so one slow answer does not refuse payments.
      if (!(err instanceof RpcError && err.timedOut)) lastError = describe(err);
      log.warn(`poll failed: ${describe(err)}`);
      throw err;
    }
    // Disputes after the poll counts as a success: a failing dispute is not an unreachable chain.
    if (disputes) await runDisputes(disputeCtx);
  };

  /** Polls run one at a time; a caller gets the outcome of the poll it queued. */
  const queuePoll = (): Promise<void> => {
    const run = polling.then(() => (stopped ? undefined : doPoll()));
    polling = run.catch(() => undefined);
    return run;
  };

  // §3.2 step 1 between polls (liveness.ts): the endpoint's connection closing stops payments at
  // once; a refused reconnect is an outage, after which the receiver waits for a poll that started
  // after the chain came back.
  let endpointDown: string | undefined;
  let wasDown = false;
  let reconnectedAt = 0;
  const liveness = options.rpcUrl
    ? watchEndpoint({
        url: options.rpcUrl,
        onChange(state, reason) {
          if (state !== 'up') {
            // One answer for both states (the detail is in the log): what a client reads must not
            // depend on which of the two it arrived in.
            endpointDown = `the chain's RPC endpoint ${new URL(options.rpcUrl!).host} is unreachable`;
            if (state === 'down') {
              wasDown = true;
              log.warn(`${reason}: refusing payments until it is back`);
            }
            return;
          }
          endpointDown = undefined;
          if (!wasDown) return; // a closed idle connection, reopened at once: nothing was missed
          wasDown = false;
          reconnectedAt = Date.now();
          log.info("the chain's RPC endpoint accepts connections again; polling");
          queuePoll().catch(() => undefined);
        },
      })
    : undefined;

  const loop = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      queuePoll()
        .catch(() => undefined)
        .finally(loop);
    }, pollMs);
  };

  if (options.waitForFirstSync ?? true) await queuePoll().catch(() => undefined);
  loop();
  log.info(`receiver ${receiver} on chain ${chainId}, contract ${contract}, token ${token}, ${confirmations} confirmations`);

  // ------------------------------------------------------------ views
  const stateOf = (key: ChannelKey, c: ChainChannel): ChannelState => (c.settled ? 'closed' : closingReason(payCtx, key, c) ? 'closing' : 'open');
  const toView = (key: ChannelKey, c: ChainChannel): ChannelView => {
    const proof = proofs.get(key);
    const v: ChannelView = {
      sender: c.sender,
      receiver,
      openBlock: c.openBlock,
      deposit: c.deposit,
      balance: proof?.balance ?? 0n,
      withdrawn: c.withdrawn,
      state: stateOf(key, c),
    };
    if (c.closeRequest) v.settleBlock = c.closeRequest.settleBlock;
    if (proof) v.lastSignature = proof.signature;
    return v;
  };

  const manager: Receiver = {
    receiver,
    contract,
    token,
    chainId,
    stateFile: options.stateFile,
    confirmations,
    challengePeriod,
    get headBlock() {
      return view.head;
    },

    health(): Health {
      if (stopped) return { ok: false, reason: 'chain-unreachable', detail: 'receiver stopped' };
      if (endpointDown !== undefined) return { ok: false, reason: 'chain-unreachable', detail: endpointDown };
      if (lastSuccessAt < reconnectedAt) return { ok: false, reason: 'chain-unreachable', detail: 'the chain is back; waiting for a poll to catch up' };
      if (lastError !== undefined) return { ok: false, reason: 'chain-unreachable', detail: lastError };
      const age = Date.now() - lastSuccessAt;
      if (age > staleAfterMs) return { ok: false, reason: 'chain-unreachable', detail: `no successful poll for ${age} ms` };
      if (ethBalance !== undefined && ethBalance < ethFloor) {
        return { ok: false, reason: 'eth-below-floor', detail: `receiver holds ${ethBalance} wei, floor is ${ethFloor}` };
      }
      return { ok: true };
    },

    pay(payment, price) {
      // After stop() the state is closed: nothing could be registered, so nothing is served.
      if (stopped) return { accepted: false, flag: null, reason: 'receiver stopped' };
      return decidePayment(payCtx, payment, price);
    },

    cooperativeClose(sender, openBlock, balance, senderSignature) {
      if (stopped) throw new ReceiverStoppedError('cooperativeClose');
      return decideCooperativeClose(closeCtx, sender, openBlock, balance, senderSignature);
    },

    channels(filter = {}) {
      const status = filter.status ?? 'all';
      const sender = filter.sender?.toLowerCase();
      const out: ChannelView[] = [];
      for (const [key, c] of view.chain) {
        if (sender && c.sender.toLowerCase() !== sender) continue;
        const v = toView(key, c);
        if (status === 'open' && v.state !== 'open') continue;
        if (status === 'closed' && v.state === 'open') continue;
        out.push(v);
      }
      return out.sort((a, b) => a.openBlock - b.openBlock || a.sender.localeCompare(b.sender));
    },

    channel(sender, openBlock) {
      const key = channelKey(sender, receiver, openBlock);
      const c = view.chain.get(key);
      return c ? toView(key, c) : undefined;
    },

    stats(): Stats {
      let depositSum = 0n;
      let balanceSum = 0n;
      let openChannels = 0;
      let pendingChannels = 0;
      const senders = new Set<string>();
      for (const [key, c] of view.chain) {
        const state = stateOf(key, c);
        if (state === 'closed') continue;
        // As the original REST API defined them: deposits and senders of open channels; spent
        // balances of every channel not yet settled (closing ones too).
        balanceSum += proofs.get(key)?.balance ?? 0n;
        if (state === 'open') {
          openChannels++;
          depositSum += c.deposit;
          senders.add(c.sender);
        } else pendingChannels++; // closing: waiting to be settled
      }
      return {
        depositSum,
        balanceSum,
        openChannels,
        pendingChannels,
        uniqueSenders: senders.size,
        liquidBalance: tokenBalance,
        token,
        contract,
        receiver,
        syncBlock: store.startBlock,
        confirmedBlock: store.head().block,
        confirmations,
      };
    },

    async withdraw(minimum = 0n) {
      if (stopped) throw new ReceiverStoppedError('withdraw');
      return withdrawChannels(opsCtx, minimum);
    },

    async closeAll() {
      if (stopped) throw new ReceiverStoppedError('closeAll');
      return closeAllChannels(opsCtx);
    },

    syncOnce() {
      return queuePoll();
    },

    async waitForSync(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let target: number | undefined;
      for (;;) {
        try {
          target ??= await blockNumber(rpc);
          await queuePoll();
          if (view.head >= target) return;
        } catch (err) {
          if (Date.now() > deadline) throw new SyncTimeoutError(target, timeoutMs, { cause: err });
        }
        if (Date.now() > deadline) throw new SyncTimeoutError(target, timeoutMs);
        await sleep(Math.min(pollMs, 100));
      }
    },

    async stop() {
      if (stopped) return;
      stopped = true;
      if (timer) clearTimeout(timer);
      liveness?.stop();
      await polling;
      store.close();
      log.info('receiver stopped');
    },
  };
  return manager;
}
