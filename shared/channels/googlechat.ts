import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { strictObject } from '../config/strictObject.js';
import type { NotifyJob } from '../messages/jobs.js';
import { channelFields, chatUrl, defineChannel, jsonReply, localNotice, replyCode, statusFailure } from './channel.js';
import { clip, fitNotice, jsonBytes } from './fit.js';
import { changeText, countsText, facts, listLines, chatHtml as m } from './markup.js';
import { type Notice, SEVERITY_COLOUR, verdictOf } from './notice.js';

const GoogleChatChannelConfig = strictObject({
  type: z.literal('googlechat'),
  /** `https://chat.googleapis.com/v1/spaces/<space>/messages?key=…&token=…`: key and token are the credential. */
  url: chatUrl((u) => u.searchParams.has('key') && u.searchParams.has('token'), 'expected a Google Chat webhook URL with ?key=…&token=…'),
  locale: channelFields.locale,
});

/** "The maximum message size, including text and cards, is 32,000 bytes"; keep a margin. */
const BODY_BUDGET = 30_000;

/**
 * Google Chat returns the message already created for a known `requestId` instead of posting again, so one scan
 * result posts once however often it is sent: route + digest + scan finish (a summary: its results).
 */
export const googleChatRequestId = (job: NotifyJob, notice: Notice): string => {
  const key =
    notice.kind === 'summary'
      ? `summary|${job.jobId}|${job.finishedAt}|${JSON.stringify(notice.items ?? [])}`
      : `${job.route}|${job.image.digest}|${job.finishedAt}`;
  return `scanhook-${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
};

const paragraph = (text: string) => ({ textParagraph: { text } });

export const googleChatChannel = defineChannel({
  type: 'googlechat',
  rateLimit: { posts: 1, perSeconds: 1 }, // 60 writes a minute per space, shared by all apps (older quota table).
  configSchema: GoogleChatChannelConfig,
  render(config, { job, notice: raw }) {
    const { locale, t, notice } = localNotice(config, raw);
    const counts = countsText(notice, locale);
    // One thread per image digest; a summary starts its own. The key goes in the body's `thread.threadKey`: the
    // `threadKey` query parameter is deprecated ("Use thread.thread_key instead",
    // https://developers.google.com/workspace/chat/api/reference/rest/v1/spaces.messages/create).
    const thread = notice.kind !== 'summary' ? { thread: { threadKey: job.image.digest } } : {};
    const body = fitNotice(
      notice,
      (shown, hidden) => ({
        fallbackText: clip(`${notice.emoji} ${notice.image}: ${notice.headline}`, 1000),
        cardsV2: [
          {
            cardId: 'scan-result',
            card: {
              header: { title: clip(`${notice.emoji} ${notice.image}`, 400), subtitle: notice.scanner },
              sections: [
                {
                  widgets: [
                    paragraph(`<font color="${SEVERITY_COLOUR[verdictOf(notice)]}">${m.bold(m.text(notice.headline))}</font>`),
                    ...facts(notice, t).map((f) => ({ decoratedText: { topLabel: f.label, text: m.text(f.value) } })),
                    ...(counts ? [paragraph(m.text(counts))] : []),
                    ...changeText(notice, locale).map((line) => paragraph(m.text(line))),
                  ],
                },
                ...(shown + hidden > 0 ? [{ widgets: [paragraph(listLines(notice, t, m, shown, hidden).join('<br>'))] }] : []),
                {
                  widgets: [
                    ...(notice.advice ? [paragraph(m.italic(m.text(notice.advice)))] : []),
                    ...(notice.consoleUrl && notice.kind !== 'summary'
                      ? [{ buttonList: { buttons: [{ text: t.openReport, onClick: { openLink: { url: notice.consoleUrl } } }] } }]
                      : []),
                  ],
                },
              ].filter((s) => s.widgets.length > 0),
            },
          },
        ],
        ...thread,
      }),
      (b) => jsonBytes(b) <= BODY_BUDGET,
    );
    const url = new URL(config.url);
    // `messageReplyOption` and `requestId` stay query parameters (same page). Without a reply option Chat starts a new
    // thread and ignores the key; this one replies in the key's thread, or starts it when there is none
    // (https://developers.google.com/workspace/chat/api/reference/rest/v1/spaces.messages/create#messagereplyoption).
    if (notice.kind !== 'summary') url.searchParams.set('messageReplyOption', 'REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD');
    url.searchParams.set('requestId', googleChatRequestId(job, notice));
    return { url: url.href, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) };
  },
  idempotent: true,
  check(res) {
    if (res.status === 200) return undefined;
    // Google API errors: `{"error":{"code":400,"message":"…","status":"INVALID_ARGUMENT"}}`.
    const error = jsonReply(res)?.error as { status?: unknown } | undefined;
    const code = replyCode(error?.status);
    // The requestId makes a resend safe, so a 500 is retried like a 503.
    return statusFailure('Google Chat', res, { ...(code ? { code } : {}), idempotent: true });
  },
});
