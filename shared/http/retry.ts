import { CallError } from './callError.js';

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Exponential backoff with full jitter, floored by the wait the server asked for. */
export const backoffDelay = (policy: RetryPolicy, attempt: number, askedMs?: number, random = Math.random): number => {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  const jittered = Math.round(random() * ceiling);
  return askedMs !== undefined ? Math.max(askedMs, jittered) : jittered;
};

/**
 * Runs `call` until it succeeds, throws a non-retryable error, or the attempts run out. A server that asks for a
 * longer wait than `maxDelayMs` gets its error thrown at once: the queue's redelivery waits instead of the invocation.
 * `call` is invoked afresh each time, so a signed request is re-signed with a new date and nonce.
 * (undici's RetryAgent replays the same headers, which a signed API rejects, hence this loop.)
 */
export const withRetry = async <T>(
  policy: RetryPolicy,
  call: (attempt: number) => Promise<T>,
  onRetry?: (err: CallError, attempt: number, delayMs: number) => void,
): Promise<T> => {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call(attempt);
    } catch (err) {
      if (!(err instanceof CallError) || !err.retryable || attempt + 1 >= policy.attempts) throw err;
      if ((err.retryAfterMs ?? 0) > policy.maxDelayMs) throw err;
      const delayMs = backoffDelay(policy, attempt, err.retryAfterMs);
      onRetry?.(err, attempt + 1, delayMs);
      await sleep(delayMs);
    }
  }
};
