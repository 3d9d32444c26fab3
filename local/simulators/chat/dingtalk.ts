import { createHmac } from 'node:crypto';
import { bytes, parseJson, type TargetSim } from './target.js';

const more = ', more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]';

/** DingTalk custom robot: `POST /robot/send?access_token=…[&timestamp=…&sign=…]`, errors as HTTP 200 + errcode. */
export const dingtalkSim: TargetSim = {
  type: 'dingtalk',
  example: {
    type: 'dingtalk',
    url: 'https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    secret: 'SECexampleDingTalkSecret0123456789abcdef',
    keyword: 'scanhook',
  },
  prefix: '/dingtalk/',
  robotId: (req) => req.url.searchParams.get('access_token') ?? '',
  violations(req) {
    const body = parseJson(req.body);
    const out: string[] = [];
    if (bytes(req.body) > 20_000) out.push(`body ${bytes(req.body)} bytes > 20000`);
    const message = body?.[body?.msgtype];
    if (!['markdown', 'actionCard'].includes(body?.msgtype) || typeof message?.title !== 'string' || typeof message?.text !== 'string')
      out.push('not a markdown or actionCard message');
    if (body?.msgtype === 'actionCard' && !/^https?:\/\//.test(message?.singleURL ?? '')) out.push('actionCard without singleURL');
    return out;
  },
  answer(req, robot, now) {
    if (!this.robotId(req)) return this.replies.noToken!;
    if (robot?.secret) {
      const ts = req.url.searchParams.get('timestamp') ?? '';
      const sign = req.url.searchParams.get('sign') ?? '';
      const expected = createHmac('sha256', robot.secret).update(`${ts}\n${robot.secret}`).digest('base64');
      if (!(Math.abs(Number(ts) - now.getTime()) < 3_600_000) || sign !== expected) return this.replies.signMismatch!;
    }
    if (robot?.keyword && !req.body.includes(robot.keyword)) return this.replies.keywordMissing!;
    return this.replies.ok;
  },
  tooLarge: { status: 200, body: { errcode: 460101, errmsg: 'message too long, exceed 20000 bytes' } }, // code from third-party reports
  replies: {
    ok: { status: 200, body: { errcode: 0, errmsg: 'ok' } },
    throttled: { status: 200, body: { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' } },
    signMismatch: { status: 200, body: { errcode: 310000, errmsg: `sign not match${more}` } },
    keywordMissing: { status: 200, body: { errcode: 310000, errmsg: `keywords not in content${more}` } },
    noToken: { status: 200, body: { errcode: 300001, errmsg: 'token is not exist' } },
    busy: { status: 200, body: { errcode: -1, errmsg: '系统繁忙' } },
  },
};
