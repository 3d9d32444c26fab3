import { bytes, parseJson, type TargetSim } from './target.js';

/** WeCom group robot: `POST /cgi-bin/webhook/send?key=…`, errors as HTTP 200 + errcode. */
export const wecomSim: TargetSim = {
  type: 'wecom',
  example: { type: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=01234567-89ab-cdef-0123-456789abcdef' },
  prefix: '/wecom/',
  robotId: (req) => req.url.searchParams.get('key') ?? '',
  violations(req) {
    const body = parseJson(req.body);
    const content = body?.markdown?.content;
    if (body?.msgtype !== 'markdown' || typeof content !== 'string' || !content) return ['not a markdown message with content'];
    return bytes(content) > 4096 ? [`markdown content ${bytes(content)} bytes > 4096`] : [];
  },
  answer(req) {
    return this.robotId(req) ? this.replies.ok : this.replies.invalidKey!;
  },
  tooLarge: { status: 200, body: { errcode: 45002, errmsg: 'content exceed max length' } },
  replies: {
    ok: { status: 200, body: { errcode: 0, errmsg: 'ok' } },
    throttled: { status: 200, body: { errcode: 45009, errmsg: 'api freq out of limit' } },
    invalidKey: { status: 200, body: { errcode: 93000, errmsg: 'invalid webhook url' } },
    busy: { status: 200, body: { errcode: -1, errmsg: 'system busy' } },
  },
};
