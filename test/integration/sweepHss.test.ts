import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HUAWEI_SIM_KEYS, HUAWEI_SIM_PROJECT } from '../../local/simulators/huaweiApig.js';
import type { Stack } from '../../local/stack.js';
import { digestOf } from '../support/events.js';
import { captureOutput, eventually, startTestStack } from '../support/stack.js';

/** A sweep of HSS images end to end: listed from HSS's image list, started many to a call. */
let stack: Stack;
const output = captureOutput();
const REPOSITORIES = 30;
const DAY = 86_400_000;

beforeAll(async () => {
  output.start();
  stack = await startTestStack({
    schedule: false,
    env: { HUAWEICLOUD_SDK_AK: HUAWEI_SIM_KEYS.accessKey, HUAWEICLOUD_SDK_SK: HUAWEI_SIM_KEYS.secretKey },
    config: (sims: { hssUrl: string; chatUrl: string }) => ({
      sources: { acr: { secret: 'integration-test-secret-7c1d9e' } },
      scanners: { hss: { type: 'hss', region: 'cn-north-4', projectId: HUAWEI_SIM_PROJECT, endpoint: sims.hssUrl } },
      channels: { audit: { type: 'webhook', url: `${sims.chatUrl}/webhook/audit` } },
      routes: [{ source: 'acr', namespace: 'hss-w', scanner: 'hss', channels: ['audit'], minSeverity: 'high', watch: {} }],
      watch: { schedule: 'rate(1 day)' },
      polling: { initialDelaySeconds: 0, maxDelaySeconds: 1, deadlineMinutes: 1 },
      http: { timeoutMs: 3000, attempts: 4, baseDelayMs: 20, maxDelayMs: 300 },
    }),
  });
  for (let i = 0; i < REPOSITORIES; i++) {
    stack.hss.setImage('private_image', 'hss-w', `svc-${i}`, 'v1', digestOf(`hss-${i}`), Date.now() - (i + 1) * DAY, { scanned: true });
  }
});
afterAll(async () => {
  output.stop();
  await stack?.stop();
});

describe('a sweep of HSS images', () => {
  it('lists them through HSS and starts their re-scans many to a call; nothing new, nothing posted', async () => {
    await stack.sweep(new Date());
    const started = () =>
      stack.hss.calls.filter((c) => c.operation === 'CreateManualImageScanTask' && c.status === 200).reduce((n, c) => n + c.images.length, 0);
    await eventually(() => started() >= REPOSITORIES, 30_000, 'every re-scan started');
    const calls = stack.hss.calls.filter((c) => c.operation === 'CreateManualImageScanTask').length;
    expect(calls).toBeLessThanOrEqual(3);
    await eventually(() => output.logs().filter((l) => l.message === 'nothing new: no message sent').length >= REPOSITORIES, 30_000, 'every re-scan read');
    expect(stack.chat.delivered('/webhook/')).toHaveLength(0);
  });
});
