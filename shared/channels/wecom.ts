import * as z from 'zod/mini';
import { strictObject } from '../config/strictObject.js';
import { channelFields, chatUrl, codeFailure, codeReply, defineChannel, jsonReply, type KnownCodes, localNotice, replyCode, statusFailure } from './channel.js';
import { fitNotice, utf8Bytes } from './fit.js';
import { lookAlikes, markdown, noticeText } from './markup.js';
import { type Palette, verdictOf } from './notice.js';

const WeComChannelConfig = strictObject({
  type: z.literal('wecom'),
  /** `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`: the key is the credential. */
  url: chatUrl((u) => u.searchParams.has('key'), 'expected a WeCom group-robot URL with ?key='),
  locale: channelFields.locale,
});

/** Markdown content may hold 4096 bytes; keep a margin. */
const CONTENT_BUDGET = 3800;

/** WeCom markdown has three font colours: info (green), comment (grey), warning (orange-red). */
const COLOUR: Palette = { critical: 'warning', high: 'warning', medium: 'warning', low: 'comment', unknown: 'comment', none: 'info', failure: 'comment' };

/** No documented escape: angle brackets, which open `<font>` and `<@user>`, become look-alikes. */
const m = markdown({ escape: lookAlikes, codeSpans: true });

const CODES: KnownCodes = {
  '45009': { kind: 'throttled', hint: 'more than 20 messages a minute', retryAfterMs: 60_000 },
  '-1': { kind: 'unavailable', hint: 'system busy' },
  '93000': { kind: 'auth', hint: 'the webhook key is not valid' }, // unconfirmed code
  '45002': { kind: 'invalid', hint: 'content too large' },
};

export const wecomChannel = defineChannel({
  type: 'wecom',
  rateLimit: { posts: 20, perSeconds: 60 }, // Failed sends count too.
  configSchema: WeComChannelConfig,
  render(config, { notice: raw }) {
    const { locale, notice } = localNotice(config, raw);
    const colour = COLOUR[verdictOf(notice)];
    const content = fitNotice(
      notice,
      (shown, hidden) =>
        noticeText(
          notice,
          locale,
          m,
          { lineBreak: '\n', heading: (s) => `### ${s}`, headline: (s) => `<font color="${colour}">**${s}**</font>`, facts: true, link: true },
          shown,
          hidden,
        ),
      (text) => utf8Bytes(text) <= CONTENT_BUDGET,
    );
    return {
      url: config.url,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ msgtype: 'markdown', markdown: { content } }),
    };
  },
  check(res) {
    if (res.status !== 200) return statusFailure('WeCom', res);
    const code = replyCode(jsonReply(res)?.errcode);
    // A 200 that is not WeCom's JSON may have come after the post was taken.
    if (code === undefined) return codeFailure('WeCom', 'NoErrcode', 'ambiguous', { hint: 'the reply carried no errcode' });
    return codeReply('WeCom', code, CODES, res);
  },
});
