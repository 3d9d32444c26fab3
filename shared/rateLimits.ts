/**
 * Each chat target's posting limit, keyed by channel type (see /work/shared/reference/chat.md). scanhook keeps no
 * state between invocations, so it respects a limit as far as one SQS batch allows: a batch makes at most `posts`
 * posts to one channel, and combines what does not fit into one summary. A type missing here has no known limit.
 */
export interface RateLimit {
  posts: number;
  perSeconds: number;
}

export const CHANNEL_RATE_LIMITS: Readonly<Record<string, RateLimit>> = {
  slack: { posts: 1, perSeconds: 1 }, // "1 per second, short bursts allowed"
  teams: { posts: 4, perSeconds: 1 },
  dingtalk: { posts: 20, perSeconds: 60 }, // over it, the robot is throttled for 10 minutes
  wecom: { posts: 20, perSeconds: 60 }, // failed sends count too
  feishu: { posts: 5, perSeconds: 1 }, // and 100 a minute
  discord: { posts: 5, perSeconds: 2 }, // undocumented per webhook (plus ~30 a minute per channel): unconfirmed
  googlechat: { posts: 1, perSeconds: 1 }, // 60 writes a minute per space, shared by all apps (older quota table)
};

/** How many posts one batch may make to one channel of this type. */
export const postsPerBatch = (type: string): number => Math.max(1, CHANNEL_RATE_LIMITS[type]?.posts ?? Number.POSITIVE_INFINITY);

/**
 * One batch's results for one channel: all singly when they fit, else the first `budget - 1` singly and the rest
 * combined into one summary (so the summary always combines at least two, and nothing is dropped).
 */
export const splitForRateLimit = <T>(items: readonly T[], budget: number): { singles: T[]; combined: T[] } =>
  items.length <= budget ? { singles: [...items], combined: [] } : { singles: items.slice(0, budget - 1), combined: items.slice(budget - 1) };
