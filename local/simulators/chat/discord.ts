import { parseJson, type TargetSim } from './target.js';

const invalidForm = (errors: unknown) => ({ status: 400, body: { code: 50035, errors, message: 'Invalid Form Body' } });

/** A Discord webhook: 204 No Content; limits counted in characters (UTF-16 units here). */
export const discordSim: TargetSim = {
  type: 'discord',
  example: { type: 'discord', url: 'https://discord.com/api/webhooks/123456789012345678/exampleDiscordToken0123456789' },
  prefix: '/discord/',
  robotId: (req) => req.url.pathname.split('/').slice(-2).join('/'),
  violations(req) {
    const body = parseJson(req.body);
    const embeds: any[] = body?.embeds ?? [];
    const out: string[] = [];
    if (!embeds.length && !body?.content) out.push('neither content nor embeds');
    if (embeds.length > 10) out.push('more than 10 embeds');
    if ((body?.content ?? '').length > 2000) out.push('content > 2000');
    let total = 0;
    embeds.forEach((e, i) => {
      const len = (s: unknown) => (typeof s === 'string' ? s.length : 0);
      if (len(e.title) > 256) out.push(`embeds[${i}].title > 256`);
      if (len(e.description) > 4096) out.push(`embeds[${i}].description > 4096`);
      if ((e.fields ?? []).length > 25) out.push(`embeds[${i}] has more than 25 fields`);
      for (const f of e.fields ?? []) {
        if (len(f.name) > 256 || len(f.value) > 1024) out.push(`embeds[${i}] field over 256/1024`);
        if (!len(f.name) || !len(f.value)) out.push(`embeds[${i}] field with an empty name or value`);
        total += len(f.name) + len(f.value);
      }
      total += len(e.title) + len(e.description) + len(e.footer?.text) + len(e.author?.name);
    });
    if (total > 6000) out.push(`embeds hold ${total} characters > 6000`);
    return out;
  },
  answer() {
    return this.replies.ok;
  },
  tooLarge: invalidForm({ embeds: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 6000 or fewer in length.' }] } }),
  replies: {
    ok: { status: 204, body: '' },
    throttled: { status: 429, headers: { 'retry-after': '1' }, body: { message: 'You are being rate limited.', retry_after: 0.05, global: false } },
    unknownWebhook: { status: 404, body: { message: 'Unknown Webhook', code: 10015 } },
    invalidToken: { status: 401, body: { message: 'Invalid Webhook Token', code: 50027 } },
  },
};
