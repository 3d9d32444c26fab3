import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { maskUrl } from '../../local/maskSecrets.js';
import { preview } from '../../local/preview.js';
import { EXAMPLE_CHANNELS } from '../../local/simulators/chat/index.js';
import { channels } from '../../shared/channels/index.js';

const NOW = new Date('2026-11-22T06:30:00.000Z');
const REPORT = 'events/sqs/notify-findings.json';
/** Every credential in the example entries: URL query values, long path segments, secrets and header values. */
const SECRETS = Object.values(EXAMPLE_CHANNELS).flatMap((e) =>
  [...new URL(String(e.url)).searchParams.entries()]
    .filter(([k]) => !['api-version', 'sp', 'sv'].includes(k))
    .map(([, v]) => v)
    .concat(new URL(String(e.url)).pathname.split('/').filter((s) => /\d/.test(s) && s.length >= 10))
    .concat(typeof e.secret === 'string' ? [e.secret] : [], Object.values((e.headers as Record<string, string>) ?? {})),
);

const parse = (out: string) => {
  const [head, ...rest] = out.split('\n\n');
  const [requestLine, ...headers] = head!.split('\n');
  return { requestLine: requestLine!, headers, body: JSON.parse(rest.join('\n\n')) };
};

describe('npm run preview', () => {
  it.each(Object.keys(channels))('%s: method, masked URL, headers and the pretty body, no secret anywhere', async (type) => {
    const out = await preview(['--channel', type, REPORT], NOW);
    const { requestLine, headers, body } = parse(out);
    expect(requestLine).toMatch(/^POST https:\/\//);
    expect(headers.some((h) => h.startsWith('content-type: application/json'))).toBe(true);
    expect(body).toBeTypeOf('object');
    expect(out).toContain('\n  '); // pretty-printed
    for (const secret of SECRETS) expect(out, `${type} leaks ${secret}`).not.toContain(secret);
  });

  it('--show-secrets prints the exact URL and signature', async () => {
    const out = await preview(['--channel', 'dingtalk', REPORT, '--show-secrets'], NOW);
    expect(parse(out).requestLine).toBe(
      `POST ${String(EXAMPLE_CHANNELS.dingtalk!.url)}&timestamp=${NOW.getTime()}&sign=tH28f6M7s%2FnN%2BjnRxMjZE4L5O63m%2FFVXivVleRtxGvs%3D`,
    );
    const feishu = parse(await preview(['--channel', 'feishu', REPORT, '--show-secrets'], NOW));
    expect(feishu.body.sign).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(parse(await preview(['--channel', 'feishu', REPORT], NOW)).body.sign).toBe('••••');
  });

  it('masks every part of a chat URL that grants access, keeping the shape', () => {
    expect(maskUrl(String(EXAMPLE_CHANNELS.googlechat!.url))).toBe('https://chat.googleapis.com/v1/spaces/••••/messages?key=••••&token=••••');
    expect(maskUrl(String(EXAMPLE_CHANNELS.discord!.url))).toBe('https://discord.com/api/webhooks/••••/••••');
    expect(maskUrl(String(EXAMPLE_CHANNELS.teams!.url))).toBe(
      'https://prod-42.westeurope.logic.azure.com/workflows/••••/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=••••',
    );
    expect(maskUrl('https://hooks.slack.com/services/T0/B0/plainwordtoken')).toBe('https://hooks.slack.com/services/••••/••••/••••');
  });

  it('--locale renders in Simplified Chinese', async () => {
    const out = await preview(['--channel', 'wecom', REPORT, '--locale', 'zh-CN'], NOW);
    expect(parse(out).body.markdown.content).toContain('发现 57 个漏洞，最高高危');
  });

  it('--config takes a channel from a config document by name, standing in for ssm: values', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'preview-'));
    const file = join(dir, 'scanhook.json');
    writeFileSync(
      file,
      JSON.stringify({
        channels: {
          'team-ding': { type: 'dingtalk', url: 'ssm:/scanhook/prod/ding-url', secret: 'ssm:/scanhook/prod/ding-secret', keyword: '镜像扫描', locale: 'zh-CN' },
        },
      }),
    );
    const out = await preview(['--channel', 'team-ding', REPORT, '--config', file], NOW);
    const body = parse(out).body;
    expect(body.actionCard.text).toContain('镜像扫描');
    expect(body.actionCard.text).toContain('发现 57 个漏洞');
    expect(parse(out).requestLine).toContain('https://oapi.dingtalk.com/robot/send?access_token=••••&timestamp=');
  });

  it.each([
    [['--channel', 'telegram', REPORT], 'unknown channel type "telegram"'],
    [['--channel', 'slack'], 'usage: npm run preview'],
    [['--channel', 'slack', 'events/sqs/nope.json'], 'cannot read report "events/sqs/nope.json": ENOENT'],
    [['--channel', 'slack', 'events/acr/push.json'], 'events/acr/push.json is not a notify job: kind:'],
    [['--channel', 'slack', REPORT, '--locale', 'fr'], '--locale: expected one of en, zh-CN'],
  ])('bad input %j: a clear message', async (args, message) => {
    await expect(preview(args as string[], NOW)).rejects.toThrow(message);
  });

  it.each(Object.keys(channels))('%s: the delta sample, in both locales: since which tag, new and fixed counts, new findings first', async (type) => {
    for (const [locale, words] of [
      ['en', ['1.4.1 (3f2a9c1b0d4e)', 'New 3 (High 1 · Medium 1 · Low 1) · Fixed 3 (Medium 1 · Low 2)', '🆕 new']],
      ['zh-CN', ['1.4.1 (3f2a9c1b0d4e)', '新增 3（高危 1 · 中危 1 · 低危 1） · 已修复 3（中危 1 · 低危 2）', '🆕 新增']],
    ] as const) {
      const out = await preview(['--channel', type, 'events/sqs/notify-delta.json', '--locale', locale], NOW);
      const { body } = parse(out);
      if (type === 'webhook') {
        expect(body.delta).toMatchObject({ status: 'compared', baseline: { tag: '1.4.1' }, new: { high: 1, medium: 1, low: 1 } });
        continue;
      }
      const text = JSON.stringify(body);
      for (const word of words) expect(text, `${type} ${locale}`).toContain(JSON.stringify(word).slice(1, -1));
      expect(text.indexOf('CVE-2026-0142'), 'the new high first').toBeLessThan(text.indexOf('CVE-2024-6119'));
    }
  });
});
