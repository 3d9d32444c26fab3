import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConfigFile } from '../../local/checkConfig.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scanhook-check-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const write = async (name: string, content: unknown) => {
  const file = join(dir, name);
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
};

const good = () => ({
  sources: { acr: { secret: 'ssm:/scanhook/prod/acr-secret' } },
  scanners: {
    'acr-hz': {
      type: 'acr',
      region: 'cn-hangzhou',
      instanceId: 'cri-1',
      credentials: { accessKeyId: 'ssm:/scanhook/prod/ak', accessKeySecret: 'ssm:/scanhook/prod/sk' },
    },
  },
  channels: {
    sec: { type: 'slack', url: 'ssm:/scanhook/prod/slack-url' },
    ding: { type: 'dingtalk', url: 'ssm:/scanhook/prod/ding-url', secret: 'ssm:/scanhook/prod/ding-secret' },
  },
  routes: [{ source: 'acr', scanner: 'acr-hz', channels: ['sec', 'ding'] }],
});

describe('npm run check-config', () => {
  it('passes a good file offline, listing its ssm: references without reading them', async () => {
    const { ok, report } = await checkConfigFile(await write('good.json', good()));
    expect(ok).toBe(true);
    expect(report).toContain('valid (1 sources, 1 scanners, 2 channels, 1 routes)');
    expect(report).toContain('channels.ding.secret → ssm:/scanhook/prod/ding-secret');
    expect(report).toContain('scanners.acr-hz.credentials.accessKeySecret → ssm:/scanhook/prod/sk');
  });

  it('names every mistake on its own line, with the field meant', async () => {
    const d: Record<string, any> = good();
    d.routes[0].minSeverty = 'high';
    d.pollling = {};
    d.scanners['acr-hz'].endpiont = 'https://cr.example.com';
    d.channels.sec.locle = 'zh-CN';
    d.channels.ding.url = 'http://oapi.dingtalk.com/robot/send?access_token=tok-12345';
    const { ok, report } = await checkConfigFile(await write('bad.json', d));
    expect(ok).toBe(false);
    const lines = report.split('\n');
    expect(lines[0]).toMatch(/bad\.json: 5 mistakes$/);
    expect(lines).toEqual(
      expect.arrayContaining([
        '  routes[0].minSeverty: unknown field (did you mean "minSeverity"?)',
        '  pollling: unknown field (did you mean "polling"?)',
        '  scanners.acr-hz.endpiont: unknown field (did you mean "endpoint"?)',
        '  channels.sec.locle: unknown field (did you mean "locale"?)',
        '  channels.ding.url: sends its credentials over plain http: use https (plain http only to this machine)',
      ]),
    );
    expect(report).not.toContain('tok-12345');
  });

  it('a syntax error names where it is, never the text around it', async () => {
    const { ok, report } = await checkConfigFile(await write('broken.json', '{\n  "sources": { "acr": { "secret": hunter2-secret-value } }\n}'));
    expect(ok).toBe(false);
    expect(report).toMatch(/line 2/);
    expect(report).not.toContain('hunter2');
  });

  it('an unreadable file says so', async () => {
    expect(await checkConfigFile(join(dir, 'missing.json'))).toEqual({ ok: false, report: `${join(dir, 'missing.json')}: cannot read: ENOENT` });
  });
});
