import type { RateLimit } from '../../shared/channels/channel.js';

/** The longest pause paceOf asks for (DingTalk's and WeCom's 3 s): a queue's visibility timeout must cover it. */
export const LONGEST_PAUSE_MS = 3000;

/** A channel whose whole period is at most this long gets its whole allowance in one batch, then a pause that long. */
const WHOLE_PERIOD_MAX_MS = 2000;

/**
 * How one batch paces a channel with this limit: at most `posts` posts, then nothing to the channel for `gapMs`
 * after the last one's reply. The channel's FIFO group stays locked while the batch runs, so the next batch posts no
 * sooner, and no window of the target's period ever holds more than its limit. A short period (1/s, 5 per 2 s) is
 * given whole; a long one (20 a minute) gives one post and its share of the period (3 s), so no invocation waits long.
 */
export const paceOf = (limit: RateLimit): { posts: number; gapMs: number } => {
  if (limit === 'unlimited') return { posts: Number.POSITIVE_INFINITY, gapMs: 0 };
  const periodMs = limit.perSeconds * 1000;
  return periodMs <= WHOLE_PERIOD_MAX_MS ? { posts: Math.max(1, limit.posts), gapMs: periodMs } : { posts: 1, gapMs: Math.ceil(periodMs / limit.posts) };
};

/**
 * One batch's results for one channel: all singly when they fit, else the first `budget - 1` singly and the rest
 * combined into one summary (so the summary always combines at least two, and nothing is dropped).
 */
export const splitForRateLimit = <T>(items: readonly T[], budget: number): { singles: T[]; combined: T[] } =>
  items.length <= budget ? { singles: [...items], combined: [] } : { singles: items.slice(0, budget - 1), combined: items.slice(budget - 1) };
