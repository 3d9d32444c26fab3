import * as z from 'zod/mini';
import { strictObject } from '../config/strictObject.js';
import { channelFields, defineChannel, replyCode, statusFailure } from './channel.js';
import { clip, clipNotice, fitNotice } from './fit.js';
import { type Locale, texts } from './i18n.js';
import { changeText, countsText, facts, listLines, slackMrkdwn as m } from './markup.js';
import type { Notice } from './notice.js';

const SlackChannelConfig = strictObject({
  type: z.literal('slack'),
  /** An incoming-webhook URL: it is the credential. */
  ...channelFields,
});

const SECTION_LIMIT = 2900; // section text may hold 3000 characters; keep a margin
/** Escaped text cut to a limit, never inside an entity. */
const cut = (escaped: string, max: number) => clip(escaped, max).replace(/&[a-z]{0,3}…$/, '…');

/** As many finding (or summary) lines as fit in one section, then "+N more". */
export const findingsText = (notice: Notice, limit = SECTION_LIMIT, locale: Locale = 'en'): string =>
  fitNotice(
    notice,
    (shown, hidden) => listLines(notice, texts(locale), m, shown, hidden).join('\n'),
    (text) => text.length <= limit,
  );

export const slackMessage = (raw: Notice, locale: Locale = 'en') => {
  const t = texts(locale);
  const notice = clipNotice(raw);
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(`${notice.emoji} ${notice.image}`, 150), emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: m.bold(cut(m.text(notice.headline), SECTION_LIMIT)) } },
    {
      type: 'section',
      fields: facts(notice, t, { image: true }).map((f) => ({
        type: 'mrkdwn',
        text: cut(`${m.bold(m.text(f.label))}\n${f.code ? m.code(f.value) : m.text(f.value)}`, 1900),
      })),
    },
  ];
  const counts = countsText(notice, locale);
  if (counts) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: counts } });
  const changes = changeText(notice, locale);
  if (changes.length > 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cut(changes.map((line) => m.text(line)).join('\n'), SECTION_LIMIT) } });
  if (notice.findings.length > 0 || notice.items?.length)
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: findingsText(notice, SECTION_LIMIT, locale) } });
  if (notice.advice) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: cut(m.text(notice.advice), SECTION_LIMIT) }] });
  if (notice.consoleUrl) {
    blocks.push({ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: t.openReport }, url: notice.consoleUrl }] });
  }
  return { text: cut(m.text(`${notice.emoji} ${notice.image}: ${notice.headline}`), SECTION_LIMIT), blocks };
};

export const slackChannel = defineChannel({
  type: 'slack',
  rateLimit: { posts: 1, perSeconds: 1 }, // Slack: "1 per second, short bursts allowed".
  configSchema: SlackChannelConfig,
  render: (config, { notice }) => ({
    url: config.url,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(slackMessage(notice, config.locale)),
  }),
  check(res) {
    if (res.status === 200) return undefined;
    // Slack answers webhooks in plain text: `invalid_payload`, `channel_not_found`, `no_service`, ...
    return statusFailure('Slack', res, { code: replyCode(res.body.trim()) ?? `HTTP${res.status}` });
  },
});
