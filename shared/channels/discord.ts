import * as z from 'zod/mini';
import { strictObject } from '../config/strictObject.js';
import { channelFields, chatUrl, defineChannel, jsonReply, localNotice, replyCode, statusFailure } from './channel.js';
import { clip, fitNotice } from './fit.js';
import { escapeMarkdown, facts, markdown, noticeText } from './markup.js';
import { SEVERITY_COLOUR, verdictOf } from './notice.js';

const DiscordChannelConfig = strictObject({
  type: z.literal('discord'),
  /** `https://discord.com/api/webhooks/<id>/<token>`: id and token are the credential. */
  url: chatUrl((u) => /\/webhooks\/[^/]+\/[^/]+\/?$/.test(u.pathname), 'expected a Discord webhook URL ending in /webhooks/<id>/<token>'),
  locale: channelFields.locale,
});

/** Embeds may hold 6000 characters in all, a description 4096, a title 256, a field 256 + 1024; keep margins. */
const TOTAL_BUDGET = 5500;
const DESCRIPTION_BUDGET = 4000;

const m = markdown({ escape: escapeMarkdown, codeSpans: true });

interface Embed {
  title: string;
  url?: string;
  description: string;
  color: number;
  fields: { name: string; value: string; inline: boolean }[];
}

/** What Discord counts towards the 6000 characters. */
const embedChars = (e: Embed) => e.title.length + e.description.length + e.fields.reduce((n, f) => n + f.name.length + f.value.length, 0);

export const discordChannel = defineChannel({
  type: 'discord',
  rateLimit: { posts: 5, perSeconds: 2 }, // Undocumented per webhook (plus about 30 a minute per channel): unconfirmed.
  configSchema: DiscordChannelConfig,
  render(config, { notice: raw }) {
    const { locale, t, notice } = localNotice(config, raw);
    const fields = facts(notice, t).map((f) => ({
      name: clip(f.label, 250),
      value: clip(f.code ? m.code(f.value) : m.text(f.value), 1000),
      inline: true,
    }));
    const embed = fitNotice(
      notice,
      (shown, hidden): Embed => ({
        title: clip(`${notice.emoji} ${notice.image}`, 250),
        ...(notice.consoleUrl && notice.kind !== 'summary' ? { url: notice.consoleUrl } : {}),
        description: noticeText(notice, locale, m, { lineBreak: '\n' }, shown, hidden),
        color: Number.parseInt(SEVERITY_COLOUR[verdictOf(notice)].slice(1), 16),
        fields,
      }),
      (e) => e.description.length <= DESCRIPTION_BUDGET && embedChars(e) <= TOTAL_BUDGET,
    );
    // No @everyone, role or user mention from scanner text can ping anyone.
    return { url: config.url, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ embeds: [embed], allowed_mentions: { parse: [] } }) };
  },
  check(res) {
    if (res.status === 204 || res.status === 200) return undefined;
    const reply = jsonReply(res);
    const code = replyCode(reply?.code);
    // `retry_after` (seconds, fractional) in the body is more precise than the Retry-After header.
    const retryAfter = typeof reply?.retry_after === 'number' && reply.retry_after >= 0 ? Math.ceil(reply.retry_after * 1000) : undefined;
    return statusFailure('Discord', res, { ...(code ? { code } : {}), ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}) });
  },
});
