import type { RateLimit } from '../../shared/channels/channel.js';

/** How many posts one batch may make to one channel with this limit. */
export const postsPerBatch = (limit: RateLimit): number => (limit === 'unlimited' ? Number.POSITIVE_INFINITY : Math.max(1, limit.posts));

/**
 * One batch's results for one channel: all singly when they fit, else the first `budget - 1` singly and the rest
 * combined into one summary (so the summary always combines at least two, and nothing is dropped).
 */
export const splitForRateLimit = <T>(items: readonly T[], budget: number): { singles: T[]; combined: T[] } =>
  items.length <= budget ? { singles: [...items], combined: [] } : { singles: items.slice(0, budget - 1), combined: items.slice(budget - 1) };
