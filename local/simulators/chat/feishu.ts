import { createHmac } from 'node:crypto';
import { bytes, parseJson, type TargetSim } from './target.js';

/** Feishu / Lark custom bot: `POST /open-apis/bot/v2/hook/<id>`, signature in the body, errors as `code`. */
export const feishuSim: TargetSim = {
  type: 'feishu',
  example: {
    type: 'feishu',
    url: 'https://open.feishu.cn/open-apis/bot/v2/hook/01234567-89ab-cdef-0123-456789abcdef',
    secret: 'exampleFeishuSecret0123',
  },
  prefix: '/feishu/',
  robotId: (req) => req.url.pathname.split('/').at(-1) ?? '',
  violations(req) {
    const body = parseJson(req.body);
    const out: string[] = [];
    if (bytes(req.body) > 20_000) out.push(`body ${bytes(req.body)} bytes > 20 KB`);
    if (body?.msg_type !== 'interactive' || body?.card?.schema !== '2.0' || !Array.isArray(body?.card?.body?.elements))
      out.push('not an interactive card (schema 2.0)');
    if (typeof body?.card?.header?.title?.content !== 'string') out.push('card header without a title');
    return out;
  },
  answer(req, robot, now) {
    const body = parseJson(req.body);
    if (!body) return this.replies.badRequest!;
    if (robot?.secret) {
      const ts = body.timestamp;
      const expected = createHmac('sha256', `${ts}\n${robot.secret}`).update('').digest('base64');
      if (typeof ts !== 'string' || !(Math.abs(Number(ts) * 1000 - now.getTime()) < 3_600_000) || body.sign !== expected) return this.replies.signMismatch!;
    }
    if (robot?.keyword && !req.body.includes(robot.keyword)) return this.replies.keywordMissing!;
    return this.replies.ok;
  },
  tooLarge: { status: 200, body: { code: 9499, msg: 'Bad Request', data: {} } }, // the code for an oversized body is not documented
  replies: {
    ok: { status: 200, body: { StatusCode: 0, StatusMessage: 'success', code: 0, data: {}, msg: 'success' } },
    throttled: { status: 200, body: { code: 11232, msg: 'frequency limited', data: {} } },
    signMismatch: { status: 200, body: { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time', data: {} } },
    ipNotAllowed: { status: 200, body: { code: 19022, msg: 'Ip Not Allowed', data: {} } },
    keywordMissing: { status: 200, body: { code: 19024, msg: 'Key Words Not Found', data: {} } },
    badRequest: { status: 400, body: { code: 9499, msg: 'Bad Request', data: {} } },
  },
};
