import type { TargetSim } from './target.js';

/** Any HTTP endpoint (channel type `webhook`): it takes every post and answers 200. */
export const httpEndpointSim: TargetSim = {
  type: 'webhook',
  example: { type: 'webhook', url: 'https://scans.example.com/hooks/scanhook', headers: { authorization: 'Bearer example-receiver-token' } },
  prefix: '/webhook/',
  robotId: (req) => req.url.pathname,
  violations: () => [],
  answer() {
    return this.replies.ok;
  },
  tooLarge: { status: 413, body: 'payload too large' },
  replies: {
    ok: { status: 200, body: { received: true } },
    throttled: { status: 429, headers: { 'retry-after': '1' }, body: 'slow down' },
  },
};
