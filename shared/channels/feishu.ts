import { createHmac } from 'node:crypto';
import * as z from 'zod/mini';
import { strictObject } from '../config/strictObject.js';
import { channelFields, chatUrl, codeFailure, codeReply, defineChannel, jsonReply, type KnownCodes, localNotice, replyCode, statusFailure } from './channel.js';
import { clip, fitNotice, jsonBytes } from './fit.js';
import { markdown, neutraliseLinks, noticeText } from './markup.js';
import { type Palette, verdictOf } from './notice.js';

const FeishuChannelConfig = strictObject({
  type: z.literal('feishu'),
  /** `https://open.feishu.cn/open-apis/bot/v2/hook/<id>` (Lark: `open.larksuite.com`): the hook id is the credential. */
  url: chatUrl((u) => /\/open-apis\/bot\/v2\/hook\/[^/]+$/.test(u.pathname), 'expected a Feishu or Lark custom-bot URL ending in /open-apis/bot/v2/hook/<id>'),
  locale: channelFields.locale,
  /** The bot's signing secret (签名校验), when it has one. */
  secret: z.optional(z.string().check(z.minLength(1))),
});

/** "请求体的数据大小不能超过 20 KB"; keep a margin. */
const BODY_BUDGET = 19_000;

/** Header colours by verdict (card `header.template`). */
const TEMPLATE: Palette = { critical: 'purple', high: 'red', medium: 'orange', low: 'yellow', unknown: 'grey', none: 'green', failure: 'indigo' };

/** Card markdown reads HTML entities for the characters that would start a tag (unconfirmed here); links are disarmed by look-alikes. */
const m = markdown({ escape: (s) => neutraliseLinks(s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')), codeSpans: true });

const CODES: KnownCodes = {
  '11232': { kind: 'throttled', hint: 'too many messages', retryAfterMs: 2000 },
  '19021': { kind: 'auth', hint: 'signature mismatch or timestamp more than an hour off' },
  '19022': { kind: 'permission', hint: "the bot's IP allowlist refused the message" },
  '19024': { kind: 'invalid', hint: "the message lacks the bot's keyword" },
};

/** `sign` = Base64(HMAC-SHA256(key = timestamp + "\n" + secret, empty message)), timestamp in seconds; both in the body. */
export const feishuSign = (secret: string, timestampSeconds: number): string =>
  createHmac('sha256', `${timestampSeconds}\n${secret}`).update('').digest('base64');

export const feishuChannel = defineChannel({
  type: 'feishu',
  rateLimit: { posts: 5, perSeconds: 1 }, // And 100 a minute.
  configSchema: FeishuChannelConfig,
  render(config, { notice: raw, now }) {
    const { locale, t, notice } = localNotice(config, raw);
    const ts = Math.floor(now.getTime() / 1000);
    const signature = config.secret ? { timestamp: String(ts), sign: feishuSign(config.secret, ts) } : {};
    const button =
      notice.kind !== 'summary' && notice.consoleUrl
        ? [
            {
              tag: 'button',
              text: { tag: 'plain_text', content: t.openReport },
              type: 'primary',
              behaviors: [{ type: 'open_url', default_url: notice.consoleUrl }],
            },
          ]
        : [];
    const body = fitNotice(
      notice,
      (shown, hidden) => ({
        ...signature,
        msg_type: 'interactive',
        card: {
          schema: '2.0',
          header: { title: { tag: 'plain_text', content: clip(`${notice.emoji} ${notice.image}`, 400) }, template: TEMPLATE[verdictOf(notice)] },
          body: { elements: [{ tag: 'markdown', content: noticeText(notice, locale, m, { lineBreak: '\n', facts: true }, shown, hidden) }, ...button] },
        },
      }),
      (b) => jsonBytes(b) <= BODY_BUDGET,
    );
    return { url: config.url, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) };
  },
  check(res) {
    const code = replyCode(jsonReply(res)?.code);
    if (code === undefined) {
      // A 200 that is not Feishu's JSON may have come after the post was taken.
      return res.status === 200 ? codeFailure('Feishu', 'NoCode', 'ambiguous', { hint: 'the reply carried no code' }) : statusFailure('Feishu', res);
    }
    return res.status >= 500 ? statusFailure('Feishu', res, { code }) : codeReply('Feishu', code, CODES, res);
  },
});
