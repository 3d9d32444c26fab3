/** The longest a throttled chat post waits before it is tried again. */
export const MAX_THROTTLE_WAIT_MS = 10 * 60_000;
/** The wait when a throttled reply asked for none (or for zero). */
export const DEFAULT_THROTTLE_WAIT_MS = 1000;

/**
 * The wait after a throttled reply: what the target asked for (its Retry-After, or the plugin's figure for its
 * throttling code), doubled for every earlier throttled reply to the same message, at most 10 minutes.
 */
export const throttleWaitMs = (askedMs: number | undefined, throttledBefore: number): number => {
  const base = askedMs && askedMs > 0 ? askedMs : DEFAULT_THROTTLE_WAIT_MS;
  return Math.min(MAX_THROTTLE_WAIT_MS, base * 2 ** Math.min(throttledBefore, 30));
};
