import type { TargetSim } from './target.js';
import { parseJson } from './target.js';

/** A Slack incoming webhook: plain-text replies, Block Kit limits. */
export const slackSim: TargetSim = {
  type: 'slack',
  example: { type: 'slack', url: 'https://hooks.slack.com/services/T0EXAMPLE/B0EXAMPLE/exampleSlackToken0123' },
  prefix: '/slack/',
  robotId: (req) => req.url.pathname,
  violations(req) {
    const body = parseJson(req.body);
    const blocks: any[] = body?.blocks ?? [];
    const out: string[] = [];
    const len = (s: unknown) => (typeof s === 'string' ? s.length : 0);
    if (!len(body?.text) && !blocks.length) out.push('no text and no blocks');
    if (len(body?.text) > 40_000) out.push('text > 40000');
    if (blocks.length > 50) out.push('more than 50 blocks');
    blocks.forEach((b, i) => {
      if (b.type === 'header' && len(b.text?.text) > 150) out.push(`blocks[${i}] header > 150`);
      if (b.type === 'section' && len(b.text?.text) > 3000) out.push(`blocks[${i}] section text > 3000`);
      if ((b.fields ?? []).length > 10 || (b.fields ?? []).some((f: any) => len(f.text) > 2000)) out.push(`blocks[${i}] fields over 10 or 2000`);
      if (b.type === 'context' && (b.elements ?? []).some((e: any) => len(e.text) > 3000)) out.push(`blocks[${i}] context text > 3000`);
    });
    return out;
  },
  answer() {
    return this.replies.ok;
  },
  tooLarge: { status: 400, body: 'invalid_blocks' },
  replies: {
    ok: { status: 200, body: 'ok' },
    throttled: { status: 429, headers: { 'retry-after': '1' }, body: 'rate_limited' },
    channelNotFound: { status: 404, body: 'channel_not_found' },
  },
};
