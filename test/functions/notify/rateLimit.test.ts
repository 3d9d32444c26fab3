import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { postsPerBatch, splitForRateLimit } from '../../../functions/notify/rateLimit.js';
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

  it('gives a target that declares no limit (the generic HTTP channel) no budget', () => {
    expect(postsPerBatch('unlimited')).toBe(Number.POSITIVE_INFINITY);
    expect(postsPerBatch(channels.slack!.rateLimit)).toBe(1);
    expect(postsPerBatch(channels.dingtalk!.rateLimit)).toBe(20);
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
    ['dingtalk', 20, 20, 0],
    ['dingtalk', 25, 19, 6],
    ['wecom', 21, 19, 2],
    ['webhook', 100, 100, 0],
  ] as const)('%s, %i results → %i singly, %i combined', (type, n, singly, combined) => {
    const split = splitForRateLimit(range(n), postsPerBatch(channels[type]!.rateLimit));
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
