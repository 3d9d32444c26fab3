import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTargetSims, EXAMPLE_CHANNELS } from '../../../local/simulators/chat/index.js';
import type { SimResponse } from '../../../local/simulators/server.js';
import { dingtalkSign } from '../../../shared/channels/dingtalk.js';
import { feishuSign } from '../../../shared/channels/feishu.js';
import { googleChatRequestId } from '../../../shared/channels/googlechat.js';
import { ChannelConfig, channelPlugin, channels } from '../../../shared/channels/index.js';
import { buildNotice, summaryNotice } from '../../../shared/channels/notice.js';
import { formatIssues } from '../../../shared/config/zodIssues.js';
import { CallError } from '../../../shared/http/callError.js';
import type { HttpResponse } from '../../../shared/http/client.js';
import { NotifyJob } from '../../../shared/messages/jobs.js';
import { jobOf } from '../../support/events.js';

const report = (name: string) => NotifyJob.parse(jobOf(`sqs/notify-${name}.json`));
const NOW = new Date('2026-11-22T06:30:00.000Z');
const sims = createTargetSims();
const CHAT_TYPES = Object.keys(channels).filter((t) => t !== 'webhook');

const render = (type: string, over: Record<string, unknown> = {}, job = report('findings')) => {
  const config = ChannelConfig.parse({ ...EXAMPLE_CHANNELS[type], ...over });
  return channelPlugin(type).render(config, { job, notice: buildNotice(job, 'Alibaba Cloud ACR', (over.locale as 'en') ?? 'en'), now: NOW });
};
const asResponse = (r: SimResponse): HttpResponse => ({
  status: r.status,
  headers: r.headers ?? {},
  body: typeof r.body === 'string' ? r.body : JSON.stringify(r.body),
});
const checked = (type: string, r: SimResponse): CallError | undefined => channelPlugin(type).check(asResponse(r));
const failure = (type: string, r: SimResponse): CallError => {
  const err = checked(type, r);
  expect(err).toBeInstanceOf(CallError);
  return err!;
};
const SECRETS = Object.values(EXAMPLE_CHANNELS).flatMap((e) => [
  ...[...new URL(String(e.url)).searchParams.values()],
  ...new URL(String(e.url)).pathname.split('/').filter((s) => s.length >= 16),
  ...(typeof e.secret === 'string' ? [e.secret] : []),
]);

describe('a chat target is one file, one index line and its fake target', () => {
  it('every channel type has a fake target for local mode, with an example entry its schema accepts', () => {
    const sims = createTargetSims();
    expect(Object.keys(sims).sort()).toEqual(Object.keys(channels).sort());
    for (const [type, sim] of Object.entries(sims)) {
      expect(sim.type).toBe(type);
      expect(ChannelConfig.safeParse(sim.example).error?.issues ?? [], type).toEqual([]);
    }
  });
});

describe('channel config: each target checks its URL shape, and no error repeats a URL', () => {
  it.each([
    ['dingtalk', 'https://oapi.dingtalk.com/robot/send?token=secret-token-value', 'expected a DingTalk robot URL with ?access_token='],
    ['feishu', 'https://open.feishu.cn/open-apis/bot/v2/secret-token-value', 'expected a Feishu or Lark custom-bot URL'],
    ['wecom', 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?k=secret-token-value', 'expected a WeCom group-robot URL with ?key='],
    ['discord', 'https://discord.com/api/secret-token-value', 'expected a Discord webhook URL'],
    ['googlechat', 'https://chat.googleapis.com/v1/spaces/S/messages?key=secret-token-value', 'expected a Google Chat webhook URL with ?key=…&token=…'],
    ['teams', 'https://contoso.webhook.office.com/webhookb2/secret-token-value', 'Office 365 connector URLs are retired'],
    ['slack', 'ftp://hooks.slack.com/secret-token-value', 'expected an http(s) URL'],
  ])('%s rejects a wrong URL and says what it expects', (type, url, message) => {
    const result = ChannelConfig.safeParse({ type, url });
    expect(result.success).toBe(false);
    const text = formatIssues(result.error!, ['channels', 'x']);
    expect(text).toContain('channels.x.url');
    expect(text).toContain(message);
    expect(text).not.toContain('secret-token-value');
  });

  it('Lark (open.larksuite.com) is the same target on another host', () => {
    const req = render('feishu', { url: 'https://open.larksuite.com/open-apis/bot/v2/hook/abc-123' });
    expect(req.url).toBe('https://open.larksuite.com/open-apis/bot/v2/hook/abc-123');
  });

  it('locale is en or zh-CN on every target', () => {
    for (const type of Object.keys(channels)) {
      expect(ChannelConfig.safeParse({ ...EXAMPLE_CHANNELS[type], locale: 'zh-CN' }).success, type).toBe(true);
      const bad = ChannelConfig.safeParse({ ...EXAMPLE_CHANNELS[type], locale: 'fr' });
      expect(formatIssues(bad.error!)).toMatch(/^locale: /);
    }
  });
});

describe('signatures', () => {
  it('DingTalk: timestamp in ms and the URL-encoded Base64 HMAC-SHA256(secret, ts + "\\n" + secret) in the query', () => {
    const url = new URL(render('dingtalk').url);
    const secret = String(EXAMPLE_CHANNELS.dingtalk!.secret);
    expect(url.searchParams.get('timestamp')).toBe(String(NOW.getTime()));
    const expected = createHmac('sha256', secret).update(`${NOW.getTime()}\n${secret}`).digest('base64');
    expect(url.searchParams.get('sign')).toBe(expected);
    expect(url.search).toContain(`sign=${encodeURIComponent(expected)}`);
    expect(url.searchParams.get('access_token')).toBe(new URL(String(EXAMPLE_CHANNELS.dingtalk!.url)).searchParams.get('access_token'));
    expect(dingtalkSign(secret, 1)).not.toBe(dingtalkSign(secret, 2));
  });

  it('DingTalk without a secret sends no timestamp or sign', () => {
    const url = new URL(render('dingtalk', { secret: undefined }).url);
    expect([...url.searchParams.keys()]).toEqual(['access_token']);
  });

  it('Feishu: timestamp in seconds as a string and Base64 HMAC-SHA256(key = ts + "\\n" + secret, "") in the body', () => {
    const body = JSON.parse(render('feishu').body);
    const secret = String(EXAMPLE_CHANNELS.feishu!.secret);
    const ts = Math.floor(NOW.getTime() / 1000);
    expect(body.timestamp).toBe(String(ts));
    expect(body.sign).toBe(createHmac('sha256', `${ts}\n${secret}`).update('').digest('base64'));
    expect(feishuSign(secret, ts)).not.toBe(dingtalkSign(secret, ts)); // the two algorithms differ
    expect(JSON.parse(render('feishu', { secret: undefined }).body)).not.toHaveProperty('sign');
  });

  it('the fake servers accept exactly these signatures and refuse others', () => {
    for (const type of ['dingtalk', 'feishu']) {
      const req = render(type);
      const sim = sims[type]!;
      const simReq = { method: 'POST', url: new URL(req.url), headers: req.headers, body: req.body };
      const robot = { secret: String(EXAMPLE_CHANNELS[type]!.secret) };
      expect(sim.answer(simReq, robot, NOW), type).toBe(sim.replies.ok);
      expect(sim.answer(simReq, { secret: 'another-secret' }, NOW), type).toBe(sim.replies.signMismatch);
      expect(sim.answer(simReq, robot, new Date(NOW.getTime() + 2 * 3_600_000)), `${type} an hour later`).toBe(sim.replies.signMismatch);
    }
  });
});

describe('DingTalk keyword', () => {
  it('every message contains the keyword, whatever the outcome', () => {
    for (const name of ['findings', 'clean', 'failed', 'timed-out', 'error-permission']) {
      const req = render('dingtalk', { keyword: '安全告警' }, report(name));
      const body = JSON.parse(req.body);
      expect(body[body.msgtype].text, name).toContain('安全告警');
      expect(sims.dingtalk!.answer({ method: 'POST', url: new URL(req.url), headers: {}, body: req.body }, { keyword: '安全告警' }, NOW)).toBe(
        sims.dingtalk!.replies.ok,
      );
    }
  });
});

describe('Google Chat threads and idempotency', () => {
  const job = report('findings');
  it('threads by image digest (thread.threadKey in the body) and sends a requestId per scan result', () => {
    const req = render('googlechat');
    const url = new URL(req.url);
    expect(JSON.parse(req.body).thread).toEqual({ threadKey: job.image.digest });
    expect(url.searchParams.has('threadKey')).toBe(false); // the deprecated query parameter
    expect(url.searchParams.get('messageReplyOption')).toBe('REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD');
    expect(url.searchParams.get('requestId')).toBe(googleChatRequestId(job, buildNotice(job, 'x')));
    expect(url.searchParams.get('key')).toBe('exampleGoogleKey0123');
  });
  it('the requestId is the same for the same result and differs for another route, digest or scan', () => {
    const id = (j: NotifyJob) => googleChatRequestId(j, buildNotice(j, 'x'));
    expect(id(job)).toBe(id({ ...job, channel: 'other', jobId: 'other' }));
    expect(id({ ...job, route: 1 })).not.toBe(id(job));
    expect(id({ ...job, image: { ...job.image, digest: `sha256:${'e'.repeat(64)}` } })).not.toBe(id(job));
    expect(id({ ...job, finishedAt: '2026-11-22T06:30:00.000Z' })).not.toBe(id(job));
  });
  it('the fake reads the thread key from the body, and flags the deprecated query parameter', () => {
    const req = render('googlechat');
    const sim = sims.googlechat!;
    const asSent = (url: string, body = req.body) => ({ method: 'POST', url: new URL(url), headers: req.headers, body });
    expect(sim.violations(asSent(req.url))).toEqual([]);
    expect((sim.answer(asSent(req.url), {}, NOW).body as { thread?: { name: string } }).thread?.name).toBe(`spaces/AAAAsim/threads/${job.image.digest}`);
    const legacy = new URL(req.url);
    legacy.searchParams.set('threadKey', job.image.digest);
    const { thread: _, ...noThread } = JSON.parse(req.body);
    expect(sim.violations(asSent(legacy.href, JSON.stringify(noThread)))).toEqual(['threadKey in the query (deprecated): send thread.threadKey in the body']);
    const noOption = new URL(req.url);
    noOption.searchParams.delete('messageReplyOption');
    expect(sim.violations(asSent(noOption.href))).toEqual(['thread.threadKey without messageReplyOption: Chat ignores it']);
  });

  it('a summary starts its own thread', () => {
    const notice = summaryNotice([buildNotice(job, 'x'), buildNotice(report('failed'), 'x')]);
    const req = channelPlugin('googlechat').render(ChannelConfig.parse(EXAMPLE_CHANNELS.googlechat), { job, notice, now: NOW });
    expect(JSON.parse(req.body)).not.toHaveProperty('thread');
    expect(new URL(req.url).searchParams.has('threadKey')).toBe(false);
    expect(new URL(req.url).searchParams.has('messageReplyOption')).toBe(false);
    expect(new URL(req.url).searchParams.get('requestId')).not.toBe(googleChatRequestId(job, buildNotice(job, 'x')));
  });
});

describe('reading replies: each target’s real success and error bodies', () => {
  it.each(CHAT_TYPES)('%s: its success reply is success', (type) => {
    expect(checked(type, sims[type]!.replies.ok)).toBeUndefined();
  });

  it.each([
    ['dingtalk', 60_000, '130101'],
    ['wecom', 60_000, '45009'],
    ['feishu', 2_000, '11232'],
    ['discord', 50, 'HTTP429'], // retry_after 0.05 s in the body
    ['teams', 1_000, 'TooManyRequests'], // Retry-After: 1
    ['googlechat', 1_000, 'RESOURCE_EXHAUSTED'],
    ['slack', 1_000, 'rate_limited'],
  ])('%s: throttled, retried after %i ms, code %s', (type, ms, code) => {
    const err = failure(type, sims[type]!.replies.throttled);
    expect(err.kind).toBe('throttled');
    expect(err.retryable).toBe(true);
    expect(err.retryAfterMs).toBe(ms);
    expect(err.code).toBe(code);
  });

  it('a throttling code honours a Retry-After header when the target sends one', () => {
    expect(failure('dingtalk', { ...sims.dingtalk!.replies.throttled, headers: { 'retry-after': '30' } }).retryAfterMs).toBe(30_000);
    expect(failure('feishu', { ...sims.feishu!.replies.throttled, headers: { 'retry-after': '5' } }).retryAfterMs).toBe(5_000);
  });

  it('a bare 429 waits a second; Retry-After is honoured where given', () => {
    expect(failure('teams', { status: 429, body: '' }).retryAfterMs).toBe(1000);
    expect(failure('googlechat', { status: 429, headers: { 'retry-after': '7' }, body: '' }).retryAfterMs).toBe(7000);
    expect(failure('discord', { status: 429, headers: { 'retry-after': '3' }, body: '' }).retryAfterMs).toBe(3000);
    expect(failure('discord', { status: 429, headers: { 'retry-after': '3' }, body: { retry_after: 1.5, global: false } }).retryAfterMs).toBe(1500);
  });

  it.each([
    ['dingtalk', 'signMismatch', 'auth', '310000'],
    ['dingtalk', 'keywordMissing', 'auth', '310000'],
    ['dingtalk', 'noToken', 'auth', '300001'],
    ['feishu', 'signMismatch', 'auth', '19021'],
    ['feishu', 'ipNotAllowed', 'permission', '19022'],
    ['feishu', 'keywordMissing', 'invalid', '19024'],
    ['feishu', 'badRequest', 'invalid', '9499'],
    ['wecom', 'invalidKey', 'auth', '93000'],
    ['teams', 'unauthorized', 'auth', 'DirectApiAuthorizationRequired'],
    ['teams', 'notFound', 'not_found', 'WorkflowNotFound'],
    ['discord', 'unknownWebhook', 'not_found', '10015'],
    ['discord', 'invalidToken', 'auth', '50027'],
    ['googlechat', 'unauthenticated', 'auth', 'UNAUTHENTICATED'],
    ['slack', 'channelNotFound', 'not_found', 'channel_not_found'],
  ])('%s %s: %s, not retried, with the target’s code %s and nothing else of the reply', (type, reply, kind, code) => {
    const err = failure(type, sims[type]!.replies[reply]!);
    expect(err.kind).toBe(kind);
    expect(err.retryable).toBe(false);
    expect(err.code).toBe(code);
    expect(err.message).toMatch(new RegExp(`^(DingTalk|Feishu|WeCom|Teams|Discord|Google Chat|Slack)\\b.*${code}`));
    expect(err.message).not.toMatch(/http|more:|sign not match|Ip Not/i);
  });

  it.each(CHAT_TYPES)('%s: its reply to an oversized message is a permanent failure', (type) => {
    const err = failure(type, sims[type]!.tooLarge);
    expect(err.retryable).toBe(false);
  });

  it('DingTalk and WeCom "system busy" (-1) are retried', () => {
    expect(failure('dingtalk', sims.dingtalk!.replies.busy!).kind).toBe('unavailable');
    expect(failure('wecom', sims.wecom!.replies.busy!).kind).toBe('unavailable');
  });

  it.each(CHAT_TYPES.filter((t) => t !== 'googlechat'))('%s: a 500 may have posted: ambiguous, never resent; a 503 is retried', (type) => {
    expect(failure(type, { status: 500, body: 'oops' }).kind).toBe('ambiguous');
    expect(failure(type, { status: 503, body: '' }).kind).toBe('unavailable');
  });

  it('Google Chat dedupes by requestId, so even a 500 is retried', () => {
    const err = failure('googlechat', sims.googlechat!.replies.internal!);
    expect(err.kind).toBe('unavailable');
    expect(err.code).toBe('INTERNAL');
  });

  it.each(['dingtalk', 'wecom', 'feishu'])('%s: a 200 that is not its JSON may mean delivered: ambiguous', (type) => {
    expect(failure(type, { status: 200, body: '<html>proxy</html>' }).kind).toBe('ambiguous');
  });

  it('an unknown code of a target is permanent, named by that code', () => {
    const err = failure('dingtalk', { status: 200, body: { errcode: 400013, errmsg: '群已被解散' } });
    expect(err).toMatchObject({ kind: 'invalid', code: '400013', message: 'DingTalk error 400013' });
  });

  it('no error message carries a URL, token or secret', () => {
    const replies = CHAT_TYPES.flatMap((type) =>
      [...Object.values(sims[type]!.replies), sims[type]!.tooLarge, { status: 500, body: SECRETS.join(' ') }].map((r) => [type, r] as const),
    );
    for (const [type, r] of replies) {
      const err = checked(type, r);
      for (const secret of SECRETS) expect(err?.message ?? '').not.toContain(secret);
    }
  });
});

describe('scanner text cannot format, link or mention', () => {
  const nasty = '<at id=all></at> <@U1> <!channel> [x](javascript:alert(1)) <font color="red">**bold**</font>';
  const job = NotifyJob.parse({
    ...report('findings'),
    outcome: {
      status: 'complete',
      report: {
        counts: { critical: 0, high: 1, medium: 0, low: 0, unknown: 0 },
        total: 1,
        findings: [{ id: nasty, severity: 'high', package: nasty, installedVersion: nasty, fixCommand: nasty, link: 'javascript:alert(1)' }],
        consoleUrl: 'javascript:alert(2)',
      },
    },
  });
  it.each(CHAT_TYPES)('%s', (type) => {
    const all = render(type, {}, job).body;
    // no link to the scanner's javascript: URLs ...
    expect(all).not.toMatch(/href=\\"javascript|"(url|singleURL|default_url)":"javascript|<javascript:/i);
    // ... and no live markdown link written by scanner text, outside code spans (Slack and Google Chat have no markdown links)
    if (!['slack', 'googlechat'].includes(type)) expect(all.replace(/`[^`]*`/g, '')).not.toMatch(/(?<!\\\\)\]\(javascript:/);
    expect(all).not.toMatch(/<at id=all>|<@U1>|<!channel>|<font color=\\"red\\">/);
  });
});
