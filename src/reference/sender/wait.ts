/**
 * Bounded waiting with exponential backoff, for the time a server needs to see a deposit with
 * enough confirmations (§3.3: clients MUST bound retries and back off).
 */

export interface WaitContext {
  /** 1 for the first wait */
  attempt: number;
  /** the backoff delay for this attempt */
  delayMs: number;
  /** why the client waits: the §3.1 flag of the last answer, or a short phrase */
  reason: string;
  url: string;
}

export interface RetryPolicy {
  /** waits before giving up (ConfirmationsTimeoutError) */
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  factor: number;
  /**
   * Replaces the plain sleep. Tests on the kit chain mine blocks here (`await chain.mine(n)`), so
   * the server gets its confirmations without the test waiting for wall-clock blocks.
   */
  wait?: (ctx: WaitContext) => Promise<void>;
}

/** About 40 s in total before giving up: 0.25, 0.5, 1, 2, 4, 4 … s. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 12, initialDelayMs: 250, maxDelayMs: 4000, factor: 2 };

export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxDelayMs, Math.round(policy.initialDelayMs * policy.factor ** (attempt - 1)));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits once per the policy; returns the delay used. */
export async function backoff(policy: RetryPolicy, ctx: Omit<WaitContext, 'delayMs'>): Promise<number> {
  const delayMs = backoffDelay(policy, ctx.attempt);
  if (policy.wait) await policy.wait({ ...ctx, delayMs });
  else await sleep(delayMs);
  return delayMs;
}
