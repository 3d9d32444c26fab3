import { createHmac } from 'node:crypto';
import * as z from 'zod/mini';
import { strictObject } from '../config/strictObject.js';
import { channelFields, chatUrl, codeFailure, codeReply, defineChannel, jsonReply, type KnownCodes, localNotice, replyCode, statusFailure } from './channel.js';
import { clip, fitNotice, jsonBytes } from './fit.js';
import { lookAlikes, markdown, noticeText } from './markup.js';

const DingTalkChannelConfig = strictObject({
  type: z.literal('dingtalk'),
  /** `https://oapi.dingtalk.com/robot/send?access_token=…`: the token is the credential. */
  url: chatUrl((u) => u.searchParams.has('access_token'), 'expected a DingTalk robot URL with ?access_token='),
  locale: channelFields.locale,
  /** The robot's signing secret (加签, `SEC…`), when it has one. */
  secret: z.optional(z.string().check(z.minLength(1))),
  /** One of the robot's custom keywords (自定义关键词), when it uses them: every message then contains it. */
  keyword: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
});

/** 20 000 bytes is a third-party figure (the official one was not found); keep a margin. */
const BODY_BUDGET = 19_000;
/** DingTalk's markdown has no documented escape, and wants a blank line between lines. */
const m = markdown({ escape: lookAlikes, codeSpans: false });
const layout = { lineBreak: '\n\n', heading: (s: string) => `### ${s}`, facts: true };

const CODES: KnownCodes = {
  '130101': { kind: 'throttled', hint: 'more than 20 messages a minute', retryAfterMs: 60_000 },
  '-1': { kind: 'unavailable', hint: 'system busy' },
  '310000': { kind: 'auth', hint: "the robot's keyword, signature or IP allowlist refused the message" },
  '300001': { kind: 'auth', hint: 'the access_token is not valid' }, // "token is not exist" (third-party reports)
};

/** `timestamp` (ms) and `sign` = Base64(HMAC-SHA256(key = secret, timestamp + "\n" + secret)), both in the query. */
export const dingtalkSign = (secret: string, timestampMs: number): string => createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');

export const dingtalkChannel = defineChannel({
  type: 'dingtalk',
  rateLimit: { posts: 20, perSeconds: 60 }, // Over it, the robot is throttled for 10 minutes.
  configSchema: DingTalkChannelConfig,
  render(config, { notice: raw, now }) {
    const { locale, t, notice } = localNotice(config, raw);
    const title = clip(`${notice.emoji} ${notice.image}: ${notice.headline}`, 200);
    const button = notice.kind !== 'summary' ? notice.consoleUrl : undefined;
    const body = fitNotice(
      notice,
      (shown, hidden) => {
        const text = [noticeText(notice, locale, m, { ...layout, link: !button }, shown, hidden), ...(config.keyword ? [config.keyword] : [])].join('\n\n');
        return button
          ? { msgtype: 'actionCard', actionCard: { title, text, singleTitle: t.openReport, singleURL: button, btnOrientation: '0' } }
          : { msgtype: 'markdown', markdown: { title, text } };
      },
      (b) => jsonBytes(b) <= BODY_BUDGET,
    );
    const url = new URL(config.url);
    if (config.secret) {
      url.searchParams.set('timestamp', String(now.getTime()));
      url.searchParams.set('sign', dingtalkSign(config.secret, now.getTime()));
    }
    return { url: url.href, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) };
  },
  check(res) {
    if (res.status !== 200) return statusFailure('DingTalk', res);
    const code = replyCode(jsonReply(res)?.errcode);
    // A 200 that is not DingTalk's JSON may have come after the post was taken.
    if (code === undefined) return codeFailure('DingTalk', 'NoErrcode', 'ambiguous', { hint: 'the reply carried no errcode' });
    return codeReply('DingTalk', code, CODES, res);
  },
});
