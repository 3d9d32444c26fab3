import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const CheckConfig = require('../../local/serverless/checkConfig.cjs') as new (sls: unknown) => { check(): void };
const serviceDir = fileURLToPath(new URL('../..', import.meta.url));

const config = (watch?: Record<string, unknown>) => ({
  sources: { acr: { secret: 'ssm:/scanhook/dev/acr-secret' } },
  scanners: { 'acr-hz': { type: 'acr', region: 'cn-hangzhou', instanceId: 'cri-test' } },
  channels: { sec: { type: 'slack', url: 'ssm:/scanhook/dev/slack-url' } },
  routes: [{ source: 'acr', scanner: 'acr-hz', channels: ['sec'], ...(watch ? { watch: {} } : {}) }],
  ...(watch ? { watch } : {}),
});

/** The Framework's service as the plugin sees it: the environment and the watch schedule resource of serverless.yml. */
const service = () => ({
  serviceDir,
  classes: { Error },
  cli: { log: () => {} },
  service: {
    provider: { environment: {} as Record<string, string> },
    resources: { Resources: { WatchSchedule: { Properties: { ScheduleExpression: 'rate(1 day)' } } } },
  },
});

let dir: string | undefined;
const saved = process.env.SCANHOOK_CONFIG;
afterEach(async () => {
  process.env.SCANHOOK_CONFIG = saved;
  if (saved === undefined) delete process.env.SCANHOOK_CONFIG;
  if (dir) await rm(dir, { recursive: true, force: true });
});

const packageWith = async (doc: unknown) => {
  dir = await mkdtemp(join(tmpdir(), 'scanhook-plugin-'));
  const file = join(dir, 'scanhook.json');
  await writeFile(file, JSON.stringify(doc));
  process.env.SCANHOOK_CONFIG = file;
  const sls = service();
  new CheckConfig(sls).check();
  return sls.service;
};

describe('the deploy-time config check sets the watch schedule', () => {
  it("a config file's watch.schedule becomes the schedule's expression", async () => {
    const svc = await packageWith(config({ schedule: 'cron(0 3 * * ? *)' }));
    expect(svc.resources.Resources.WatchSchedule.Properties.ScheduleExpression).toBe('cron(0 3 * * ? *)');
    expect(JSON.parse(svc.provider.environment.SCANHOOK_CONFIG!).watch.schedule).toBe('cron(0 3 * * ? *)');
  }, 60_000);

  it('a config without watch leaves the default', async () => {
    const svc = await packageWith(config());
    expect(svc.resources.Resources.WatchSchedule.Properties.ScheduleExpression).toBe('rate(1 day)');
  }, 60_000);

  it('a schedule out of range refuses the deploy, naming it', async () => {
    await expect(packageWith(config({ schedule: 'cron(0 25 * * ? *)' }))).rejects.toThrow(/watch\.schedule: .*25/);
  }, 60_000);
});
