import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dingtalkSim, discordSim, feishuSim, googleChatSim } from '../../local/simulators/chat/index.js';
import type { ChatPost } from '../../local/simulators/chatSink.js';
import type { Stack } from '../../local/stack.js';
import { acrPush, captureOutput, eventually, postWebhook, SOURCE_SECRET, startTestStack, testConfig } from '../support/stack.js';

/** Every chat target through local mode, against the fake chat server, which checks signatures, keyword and limits. */
const CRED = {
  teamsSig: 'teams-sig-secret-4f1c',
  dingToken: 'ding-token-secret-9a2b',
  dingSecret: 'SECding-signing-secret-77e0',
  feishuHook: 'feishu-hook-secret-31d5',
  feishuSecret: 'feishu-signing-secret-c8a6',
  wecomKey: 'wecom-key-secret-5b7e',
  discordToken: 'discord-token-secret-02f9',
  gchatKey: 'gchat-key-secret-6d3a',
  gchatToken: 'gchat-token-secret-e41f',
  badDingToken: 'ding-bad-token-secret-1c9d',
  badDingSecret: 'SECwrong-signing-secret-aa31',
  badFeishuHook: 'feishu-bad-hook-secret-8e27',
  badFeishuSecret: 'feishu-wrong-secret-5f60',
};
const TARGETS = ['teams', 'dingtalk', 'feishu', 'wecom', 'discord', 'googlechat'];

const config = (sims: { acrUrl: string; chatUrl: string }) => {
  const base = testConfig(sims);
  const u = sims.chatUrl;
  return {
    ...base,
    channels: {
      teams: { type: 'teams', url: `${u}/teams/workflows/0a1b/triggers/manual/paths/invoke?api-version=2016-06-01&sig=${CRED.teamsSig}` },
      ding: { type: 'dingtalk', url: `${u}/dingtalk/robot/send?access_token=${CRED.dingToken}`, secret: CRED.dingSecret, keyword: '镜像扫描' },
      feishu: { type: 'feishu', url: `${u}/feishu/open-apis/bot/v2/hook/${CRED.feishuHook}`, secret: CRED.feishuSecret, locale: 'zh-CN' },
      wecom: { type: 'wecom', url: `${u}/wecom/cgi-bin/webhook/send?key=${CRED.wecomKey}` },
      discord: { type: 'discord', url: `${u}/discord/api/webhooks/123456/${CRED.discordToken}` },
      gchat: { type: 'googlechat', url: `${u}/googlechat/v1/spaces/AAAA/messages?key=${CRED.gchatKey}&token=${CRED.gchatToken}` },
      dingBad: { type: 'dingtalk', url: `${u}/dingtalk/robot/send?access_token=${CRED.badDingToken}`, secret: CRED.badDingSecret },
      feishuBad: { type: 'feishu', url: `${u}/feishu/open-apis/bot/v2/hook/${CRED.badFeishuHook}`, secret: CRED.badFeishuSecret },
    },
    routes: [
      { source: 'acr', namespace: 'team-a', repository: 'signed-wrong*', scanner: 'acr-hz', channels: ['dingBad', 'feishuBad', 'wecom'] },
      { source: 'acr', namespace: 'team-a', repository: '*', scanner: 'acr-hz', channels: ['teams', 'ding', 'feishu', 'wecom', 'discord', 'gchat'] },
    ],
  };
};

/** Everything the functions log while this file runs. */
const output = captureOutput();

let stack: Stack;
beforeAll(async () => {
  output.start();
  stack = await startTestStack({ config });
  stack.chat.robot(CRED.dingToken, { secret: CRED.dingSecret, keyword: '镜像扫描' });
  stack.chat.robot(CRED.feishuHook, { secret: CRED.feishuSecret });
  stack.chat.robot(CRED.badDingToken, { secret: 'SECthe-robots-real-secret' });
  stack.chat.robot(CRED.badFeishuHook, { secret: 'the-bots-real-secret' });
});
afterAll(async () => {
  await stack?.stop();
  output.stop();
});

/** Posts to a target that mention a repository. */
const postsFor = (target: string, repo: string): ChatPost[] => stack.chat.posts.filter((p) => p.target === target && p.body.includes(repo));
const deliveredFor = (target: string, repo: string) => postsFor(target, repo).filter((p) => p.delivered);
const allDelivered = (repo: string) =>
  eventually(() => TARGETS.every((t) => deliveredFor(t, repo).length >= 1), 25_000, `a message on every target for ${repo}`);

describe('every chat target through local mode', () => {
  it('a scan result reaches each target once, signed, with the keyword, within limits, in the channel’s language', async () => {
    const push = acrPush('chat-api', '2.0.1');
    expect((await postWebhook(stack, push)).status).toBe(202);
    await allDelivered('chat-api');
    await new Promise((r) => setTimeout(r, 1000));
    for (const t of TARGETS) {
      const posts = postsFor(t, 'chat-api');
      expect(
        posts.map((p) => [p.status, p.violations]),
        t,
      ).toEqual([[posts[0]!.status, []]]);
      expect(posts[0]!.delivered, t).toBe(true);
    }
    const ding = JSON.parse(deliveredFor('dingtalk', 'chat-api')[0]!.body);
    expect(ding.msgtype).toBe('actionCard');
    expect(ding.actionCard.text).toContain('镜像扫描');
    expect(ding.actionCard.text).toContain('High 3 · Medium 5 · Low 7 · Unknown 1');
    const feishu = JSON.parse(deliveredFor('feishu', 'chat-api')[0]!.body);
    expect(feishu.card.header.template).toBe('red');
    expect(feishu.card.body.elements[0].content).toContain('发现 16 个漏洞，最高高危');
    const gchat = deliveredFor('googlechat', 'chat-api')[0]!;
    expect(JSON.parse(gchat.body).thread).toEqual({ threadKey: push.push_data.digest });
    expect(new URL(gchat.path, 'http://x').searchParams.has('threadKey')).toBe(false);
    expect(new URL(gchat.path, 'http://x').searchParams.get('messageReplyOption')).toBe('REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD');
    expect(deliveredFor('teams', 'chat-api')[0]!.status).toBe(202);
    expect(deliveredFor('discord', 'chat-api')[0]!.status).toBe(204);
  });

  it('failed and timed-out scans reach every target with their own wording', async () => {
    await postWebhook(stack, acrPush('chat-broken'));
    await postWebhook(stack, acrPush('chat-slow'));
    await allDelivered('chat-broken');
    await allDelivered('chat-slow');
    expect(deliveredFor('wecom', 'chat-broken')[0]!.body).toContain('Scan failed');
    expect(deliveredFor('feishu', 'chat-broken')[0]!.body).toContain('扫描失败');
    expect(deliveredFor('discord', 'chat-slow')[0]!.body).toContain('polling.deadlineMinutes');
    expect(deliveredFor('dingtalk', 'chat-slow')[0]!.body).toContain('stopped waiting');
  });

  it('throttled replies are retried and the message is delivered once: Discord (retry_after), Feishu 11232, Teams 429', async () => {
    stack.chat.script(discordSim.prefix, discordSim.replies.throttled);
    stack.chat.script(feishuSim.prefix, feishuSim.replies.throttled);
    stack.chat.script('/teams/', { status: 429, body: '' });
    await postWebhook(stack, acrPush('chat-busy'));
    await allDelivered('chat-busy');
    await new Promise((r) => setTimeout(r, 1000));
    for (const t of ['discord', 'feishu', 'teams']) {
      expect(
        postsFor(t, 'chat-busy').map((p) => p.delivered),
        t,
      ).toEqual([false, true]);
    }
    // Feishu asks for 2 s after 11232; Discord's retry_after (50 ms) is honoured in the same invocation.
    const [first, second] = postsFor('feishu', 'chat-busy');
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1900);
    const [d1, d2] = postsFor('discord', 'chat-busy');
    expect(d2!.at - d1!.at).toBeGreaterThanOrEqual(45);
  });

  it('Google Chat: a 500 is retried with the same requestId, so the result posts once', async () => {
    stack.chat.script(googleChatSim().prefix, googleChatSim().replies.internal!);
    await postWebhook(stack, acrPush('chat-flaky-gchat'));
    await eventually(() => deliveredFor('googlechat', 'chat-flaky-gchat').length === 1, 25_000, 'google chat message');
    const posts = postsFor('googlechat', 'chat-flaky-gchat');
    expect(posts).toHaveLength(2);
    const ids = posts.map((p) => new URL(p.path, 'http://x').searchParams.get('requestId'));
    expect(ids[0]).toMatch(/^scanhook-[0-9a-f]{32}$/);
    expect(ids[1]).toBe(ids[0]);
  });

  it('a reply that may mean delivered is never resent (DingTalk 200 without errcode)', async () => {
    stack.chat.script(dingtalkSim.prefix, { status: 200, body: '<html>gateway</html>' });
    await postWebhook(stack, acrPush('chat-maybe'));
    const dead = await eventually(
      () =>
        stack
          .drainDeadLetters('notify')
          .then((m) => m.filter((d) => d.body.includes('chat-maybe')))
          .then((m) => (m.length ? m : undefined)),
      25_000,
      'notify DLQ',
    );
    expect(dead[0]!.reason).toContain('NoErrcode');
    expect(postsFor('dingtalk', 'chat-maybe')).toHaveLength(1);
  });

  it('a bad signature goes to the DLQ with the target’s code and no secret; other channels still get the message', async () => {
    await postWebhook(stack, acrPush('signed-wrong'));
    const dead: { body: string; reason?: string | undefined }[] = [];
    await eventually(
      async () => {
        dead.push(...(await stack.drainDeadLetters('notify')).filter((d) => d.body.includes('signed-wrong')));
        return dead.length >= 2 || undefined;
      },
      25_000,
      'two dead letters',
    );
    const reasons = dead.map((d) => d.reason ?? '').sort();
    expect(reasons[0]).toMatch(/^19021: Feishu error 19021/);
    expect(reasons[1]).toMatch(/^310000: DingTalk error 310000/);
    expect(dead.map((d) => JSON.parse(d.body).channel).sort()).toEqual(['dingBad', 'feishuBad']);
    // Refused once each: a bad signature is not retried.
    expect(postsFor('dingtalk', 'signed-wrong')).toHaveLength(1);
    expect(postsFor('feishu', 'signed-wrong')).toHaveLength(1);
    await eventually(() => deliveredFor('wecom', 'signed-wrong').length === 1, 10_000, 'wecom message');
    for (const secret of Object.values(CRED)) for (const d of dead) expect(d.reason).not.toContain(secret);
  });

  it('never logs a chat URL token, key, hook id or signing secret', () => {
    const log = output.text();
    expect(log).toContain('dead-lettered'); // the capture saw the functions' logs
    for (const secret of [...Object.values(CRED), SOURCE_SECRET]) expect(log).not.toContain(secret);
  });
});
