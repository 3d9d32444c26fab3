import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../local/stack.js';
import { digestOf } from '../support/events.js';
import { captureOutput, credentialsEnv, eventually, startTestStack } from '../support/stack.js';

/** A sweep of Security Center images end to end: listed from its asset center, within its quota, tasks of up to 10. */
let stack: Stack;
const output = captureOutput();
const IMAGES = 24;
const DAY = 86_400_000;

beforeAll(async () => {
  output.start();
  stack = await startTestStack({
    schedule: false,
    env: credentialsEnv,
    config: (sims: { sasUrl: string; acrUrl: string; chatUrl: string }) => ({
      sources: { acr: { secret: 'integration-test-secret-7c1d9e' } },
      scanners: { sas: { type: 'sas', region: 'cn-hangzhou', endpoint: sims.sasUrl, acrEndpoint: sims.acrUrl } },
      channels: { audit: { type: 'webhook', url: `${sims.chatUrl}/webhook/audit` }, ops: { type: 'webhook', url: `${sims.chatUrl}/webhook/ops` } },
      routes: [{ source: 'acr', namespace: 'sas-w', scanner: 'sas', channels: ['audit'], minSeverity: 'high', watch: {} }],
      opsChannels: ['ops'],
      watch: { schedule: 'rate(1 day)' },
      polling: { initialDelaySeconds: 0, maxDelaySeconds: 1, deadlineMinutes: 1 },
      http: { timeoutMs: 3000, attempts: 4, baseDelayMs: 20, maxDelayMs: 300 },
    }),
  });
  for (let i = 0; i < IMAGES; i++) {
    const asset = {
      registryType: 'acr',
      regionId: 'cn-hangzhou',
      namespace: 'sas-w',
      repo: `svc-${i}`,
      tag: 'v1',
      digest: digestOf(`sas-${i}`).slice(7),
      addedAt: Date.now() - (i + 1) * DAY,
    };
    stack.sas.addAsset(asset, { scanned: true });
  }
  // 20 image-scan authorizations left.
  stack.sas.setQuota(100, 80);
});
afterAll(async () => {
  output.stop();
  await stack?.stop();
});

describe('a sweep of Security Center images', () => {
  it('re-scans what the quota left fits, in tasks of up to 10 images, and says in one line how many it left', async () => {
    await stack.sweep(new Date());
    const ops = await eventually(() => stack.chat.delivered('/webhook/ops')[0], 20_000, 'the ops line');
    expect(JSON.parse(ops.body).outcome.reason).toContain(
      'scanner sas: 4 of 24 images not re-scanned: Security Center has 20 image-scan authorizations left, the pre-check counts 24 for them',
    );
    const scanned = () => stack.sas.tasks.filter((t) => t.action !== 'earlier').reduce((n, t) => n + t.images.length, 0);
    await eventually(() => scanned() >= 20, 30_000, '20 re-scans started');
    await new Promise((r) => setTimeout(r, 2000));
    expect(scanned()).toBe(20);
    expect(stack.sas.tasks.every((t) => t.images.length <= 10)).toBe(true);
    expect(stack.sas.count('PublicCreateImageScanTask') + stack.sas.count('PublicSyncAndCreateImageScanTask')).toBeLessThanOrEqual(4);
  });
});
