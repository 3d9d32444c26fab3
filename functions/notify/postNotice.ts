import type { ChannelPlugin, RenderInput } from '../../shared/channels/channel.js';
import type { PluginEntry } from '../../shared/config/config.js';
import { asRepeatable, CallError } from '../../shared/http/callError.js';
import { withRetry } from '../../shared/http/retry.js';
import type { HttpRuntime } from '../../shared/runtime/withHttp.js';
import { DEFAULT_THROTTLE_WAIT_MS, throttleWaitMs } from './throttle.js';

export interface ChatTarget {
  /** The channel's config key: the only name logs give it (its URL is a secret). */
  key: string;
  config: PluginEntry;
  plugin: ChannelPlugin;
}

/** What became of one post: the caller deletes, re-sends, dead-letters or hands back the messages it stands for. */
export type Delivery =
  | { result: 'delivered' }
  /** Try again `delayMs` from now. */
  | { result: 'deferred'; delayMs: number; code: string }
  /** Cannot succeed, or may have been posted (`ambiguous`): never sent again. */
  | { result: 'dead'; error: CallError }
  /** Still failing after the retries (an outage): SQS redelivers. */
  | { result: 'failed'; error: unknown };

/** The invocation has too little time left to start another request. */
class OutOfTime extends Error {}
/** The `code` of a post deferred for want of time, not because the target asked. */
export const OUT_OF_TIME = 'OutOfTime';
const OUT_OF_TIME_DELAY_MS = 2000;

/**
 * Posts one notice to one channel. Outages are retried with backoff; a throttled reply waits what the target asked
 * for, doubled for each earlier throttled reply to this message. A wait longer than the invocation may sleep
 * (http.maxDelayMs, or what is left of its time) is not slept: the post is deferred to a new delayed message.
 */
export const postNotice = async (
  rt: HttpRuntime,
  target: ChatTarget,
  input: RenderInput,
  throttledBefore: number,
  timeLeftMs: () => number,
  onRetry: (err: CallError, attempt: number, delayMs: number) => void,
): Promise<Delivery> => {
  const request = target.plugin.render(target.config, input);
  // Room for one more request, so the invocation never times out after a post that went through.
  const reserveMs = rt.config.http.timeoutMs + 1000;
  const policy = { ...rt.retry, maxDelayMs: Math.max(0, Math.min(rt.retry.maxDelayMs, timeLeftMs() - reserveMs)) };
  let throttled = throttledBefore;
  try {
    await withRetry(
      policy,
      async () => {
        if (timeLeftMs() < reserveMs) throw new OutOfTime();
        const res = await rt.http.send({ method: 'POST', ...request }, `channel "${target.key}"`).catch((err: unknown) => {
          // A summary's requestId depends on which results it combines, which a redelivery may change.
          throw target.plugin.idempotent && input.notice.kind !== 'summary' ? asRepeatable(err) : err;
        });
        const failure = target.plugin.check(res);
        if (failure?.kind === 'throttled') {
          const waitMs = throttleWaitMs(failure.retryAfterMs, throttled++);
          throw new CallError({ kind: 'throttled', code: failure.code, status: failure.status, message: failure.message, retryAfterMs: waitMs });
        }
        if (failure) throw failure;
      },
      onRetry,
    );
    return { result: 'delivered' };
  } catch (err) {
    // A short delay, so that a message never comes straight back to an invocation short of time.
    if (err instanceof OutOfTime) return { result: 'deferred', delayMs: OUT_OF_TIME_DELAY_MS, code: OUT_OF_TIME };
    if (err instanceof CallError && err.kind === 'throttled') {
      return { result: 'deferred', delayMs: err.retryAfterMs ?? DEFAULT_THROTTLE_WAIT_MS, code: err.code };
    }
    if (err instanceof CallError && !err.retryable) return { result: 'dead', error: err };
    return { result: 'failed', error: err };
  }
};
