import * as z from 'zod/mini';
import { strictObject } from '../config/strictObject.js';
import { channelFields, defineChannel, jsonReply, localNotice, replyCode, statusFailure } from './channel.js';
import { clip, fitNotice, jsonBytes } from './fit.js';
import { changeText, countsText, escapeMarkdown, facts, listLines, markdown } from './markup.js';
import { type Palette, verdictOf } from './notice.js';

const RETIRED_CONNECTOR = /(^|\.)webhook\.office\.com$|^outlook\.office\.com$/;

const TeamsChannelConfig = strictObject({
  type: z.literal('teams'),
  /** A Workflows "When a Teams webhook request is received" URL: its `sig` makes it the credential. */
  url: channelFields.url.check(
    z.refine((u) => !RETIRED_CONNECTOR.test(new URL(u).hostname), 'Office 365 connector URLs are retired: use a Teams Workflows webhook URL'),
  ),
  locale: channelFields.locale,
});

/** "The message size limit is 28 KB"; one client library measured about 21 KB in practice, so stay under that. */
const BODY_BUDGET = 20_000;

const COLOUR: Palette = { critical: 'attention', high: 'attention', medium: 'warning', low: 'warning', unknown: 'default', none: 'good', failure: 'warning' };

/** TextBlock markdown; backslash escapes as in CommonMark (unconfirmed for Teams). No code spans. */
const m = markdown({ escape: escapeMarkdown, codeSpans: false });
const text = (value: string, extra: Record<string, unknown> = {}) => ({ type: 'TextBlock', text: value, wrap: true, ...extra });

export const teamsChannel = defineChannel({
  type: 'teams',
  rateLimit: { posts: 4, perSeconds: 1 },
  configSchema: TeamsChannelConfig,
  render(config, { notice: raw }) {
    const { locale, t, notice } = localNotice(config, raw);
    const counts = countsText(notice, locale);
    const body = fitNotice(
      notice,
      (shown, hidden) => {
        const list = listLines(notice, t, m, shown, hidden);
        return {
          type: 'message',
          attachments: [
            {
              contentType: 'application/vnd.microsoft.card.adaptive',
              contentUrl: null,
              content: {
                $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
                type: 'AdaptiveCard',
                version: '1.4',
                msteams: { width: 'Full' },
                body: [
                  text(m.text(clip(`${notice.emoji} ${notice.image}`, 400)), { size: 'Large', weight: 'Bolder' }),
                  text(m.bold(m.text(notice.headline)), { color: COLOUR[verdictOf(notice)] }),
                  { type: 'FactSet', facts: facts(notice, t).map((f) => ({ title: f.label, value: m.text(f.value) })) },
                  ...(counts ? [text(m.text(counts))] : []),
                  ...changeText(notice, locale).map((line) => text(m.text(line))),
                  ...(list.length ? [text(list.join('\n\n'))] : []),
                  ...(notice.advice ? [text(m.text(notice.advice), { isSubtle: true })] : []),
                ],
                ...(notice.consoleUrl && notice.kind !== 'summary'
                  ? { actions: [{ type: 'Action.OpenUrl', title: t.openReport, url: notice.consoleUrl }] }
                  : {}),
              },
            },
          ],
        };
      },
      (b) => jsonBytes(b) <= BODY_BUDGET,
    );
    return { url: config.url, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  },
  check(res) {
    if (res.status >= 200 && res.status < 300) return undefined;
    // Power Automate errors are JSON `{"error":{"code":"…","message":"…"}}` (third-party reports).
    const error = jsonReply(res)?.error as { code?: unknown } | undefined;
    const code = replyCode(error?.code);
    return statusFailure('Teams', res, code ? { code } : {});
  },
});
