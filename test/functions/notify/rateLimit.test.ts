import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LONGEST_PAUSE_MS, paceOf, splitForRateLimit } from '../../../functions/notify/rateLimit.js';
import { channels } from '../../../shared/channels/index.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
/** Posts one batch makes: the singles, plus one summary if anything was combined. */
const posts = (split: { singles: unknown[]; combined: unknown[] }) => split.singles.length + (split.combined.length > 0 ? 1 : 0);

describe('each target states its rate limit in its defineChannel', () => {
  it('holds each documented limit, keyed by channel type', () => {
    const limits = Object.fromEntries(Object.entries(channels).map(([type, plugin]) => [type, plugin.rateLimit]));
    expect(limits).toEqual({
      slack: { posts: 1, perSeconds: 1 },
      teams: { posts: 4, perSeconds: 1 },
      dingtalk: { posts: 20, perSeconds: 60 },
      wecom: { posts: 20, perSeconds: 60 },
      feishu: { posts: 5, perSeconds: 1 },
      discord: { posts: 5, perSeconds: 2 },
      googlechat: { posts: 1, perSeconds: 1 },
      webhook: 'unlimited',
    });
  });

  it('gives a target that declares no limit (the generic HTTP channel) no budget and no pause', () => {
    expect(paceOf('unlimited')).toEqual({ posts: Number.POSITIVE_INFINITY, gapMs: 0 });
  });

  it('gives a short period whole, then pauses for it; a long period one post at a time, each its share', () => {
    const paces = Object.fromEntries(Object.entries(channels).map(([type, plugin]) => [type, paceOf(plugin.rateLimit)]));
    expect(paces).toEqual({
      slack: { posts: 1, gapMs: 1000 },
      teams: { posts: 4, gapMs: 1000 },
      dingtalk: { posts: 1, gapMs: 3000 },
      wecom: { posts: 1, gapMs: 3000 },
      feishu: { posts: 5, gapMs: 1000 },
      discord: { posts: 5, gapMs: 2000 },
      googlechat: { posts: 1, gapMs: 1000 },
      webhook: { posts: Number.POSITIVE_INFINITY, gapMs: 0 },
    });
    expect(Math.max(...Object.values(paces).map((p) => p.gapMs))).toBe(LONGEST_PAUSE_MS);
  });

  it('batches kept to their pace never put more posts in any window of the period than the limit', () => {
    const limited = Object.values(channels).flatMap((p) => (p.rateLimit === 'unlimited' ? [] : [p.rateLimit]));
    // Each batch: its posts' arrival times, each request taking a while; the next batch starts after the pause.
    const batches = fc.array(fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 1, maxLength: 10 }), { minLength: 1, maxLength: 30 });
    fc.assert(
      fc.property(fc.constantFrom(...limited), batches, fc.array(fc.integer({ min: 0, max: 5000 })), (limit, durations, idle) => {
        const pace = paceOf(limit);
        const arrivals: number[] = [];
        let now = 0;
        durations.forEach((requests, b) => {
          for (const ms of requests.slice(0, pace.posts)) {
            arrivals.push(now + ms / 2); // the target counts the post before its reply comes back
            now += ms;
          }
          now += pace.gapMs + (idle[b] ?? 0);
        });
        const periodMs = limit.perSeconds * 1000;
        for (const start of arrivals) expect(arrivals.filter((t) => t >= start && t < start + periodMs).length).toBeLessThanOrEqual(limit.posts);
      }),
    );
  });
});

describe('splitForRateLimit: how many singly, how many in the summary', () => {
  it.each([
    // type, results in the batch, singly, combined into one summary
    ['slack', 1, 1, 0],
    ['slack', 2, 0, 2],
    ['slack', 12, 0, 12],
    ['teams', 4, 4, 0],
    ['teams', 5, 3, 2],
    ['teams', 20, 3, 17],
    ['feishu', 5, 5, 0],
    ['feishu', 6, 4, 2],
    ['dingtalk', 1, 1, 0],
    ['dingtalk', 20, 0, 20],
    ['wecom', 3, 0, 3],
    ['webhook', 100, 100, 0],
  ] as const)('%s, %i results → %i singly, %i combined', (type, n, singly, combined) => {
    const split = splitForRateLimit(range(n), paceOf(channels[type]!.rateLimit).posts);
    expect(split.singles).toHaveLength(singly);
    expect(split.combined).toHaveLength(combined);
  });

  it('keeps every result exactly once, in order; never posts more than the budget; a summary combines at least two', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 25 }), (n, budget) => {
        const split = splitForRateLimit(range(n), budget);
        expect([...split.singles, ...split.combined]).toEqual(range(n));
        expect(posts(split)).toBeLessThanOrEqual(budget);
        expect(posts(split)).toBe(Math.min(n, budget));
        expect(split.combined.length === 0 || split.combined.length >= 2).toBe(true);
      }),
    );
  });
});
