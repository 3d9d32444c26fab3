import type { SimulatorUrls } from '../local/demoConfig.js';
import { ALIBABA_SIM_CREDENTIALS } from '../local/simulators/acs3Verifier.js';
import { HUAWEI_SIM_KEYS } from '../local/simulators/huaweiApig.js';
import type { Stack } from '../local/stack.js';
import { benchScanners } from './fixtures.js';
import { pushWebhook, startQuietStack } from './quietStack.js';

const SECRET = 'bench-secret-0123456789';

const config = ({ acrUrl, sasUrl, hssUrl, chatUrl }: SimulatorUrls) => ({
  sources: { acr: { secret: SECRET } },
  scanners: benchScanners({ acrUrl, sasUrl, hssUrl }),
  channels: { sink: { type: 'webhook', url: `${chatUrl}/webhook/bench` } },
  routes: ['acr', 'sas', 'hss'].map((scanner) => ({ source: 'acr', namespace: `${scanner}-*`, scanner, channels: ['sink'] })),
  // Long scans: only the start calls are counted here.
  polling: { initialDelaySeconds: 300, deadlineMinutes: 30 },
});

/** Start calls made so far, and the images they covered, as each simulator counted them. */
const counters: Record<string, (stack: Stack) => { calls: number; images: number }> = {
  acr: (stack) => {
    const creates = stack.acr.calls.filter((c) => c.action === 'CreateRepoTagScanTask');
    return { calls: creates.length, images: creates.filter((c) => c.status === 200).length };
  },
  sas: (stack) => ({
    calls: stack.sas.count('PublicCreateImageScanTask') + stack.sas.count('PublicSyncAndCreateImageScanTask'),
    images: stack.sas.tasks.reduce((n, t) => n + t.images.length, 0),
  }),
  hss: (stack) => {
    const creates = stack.hss.calls.filter((c) => c.operation === 'CreateManualImageScanTask');
    return { calls: creates.length, images: creates.filter((c) => c.status === 200).reduce((n, c) => n + c.images.length, 0) };
  },
};

/**
 * Start calls per `pushes` webhooks spread evenly over `spreadSeconds`, to as many repositories, end to end through
 * local mode with the deployed queue settings (the scan queue's 10 s batching window). ACR starts each image on
 * its own: it is the anchor, one call per push.
 */
export const coalescedStartCalls = async (pushes = 100, spreadSeconds = 10) => {
  const stack = await startQuietStack({
    config,
    env: {
      ALIBABA_CLOUD_ACCESS_KEY_ID: ALIBABA_SIM_CREDENTIALS.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: ALIBABA_SIM_CREDENTIALS.accessKeySecret,
      HUAWEICLOUD_SDK_AK: HUAWEI_SIM_KEYS.accessKey,
      HUAWEICLOUD_SDK_SK: HUAWEI_SIM_KEYS.secretKey,
    },
  });
  const rows = [];
  try {
    for (const scanner of ['sas', 'hss', 'acr']) {
      const count = () => counters[scanner]!(stack);
      const started = Date.now();
      for (let i = 0; i < pushes; i++) {
        const at = started + (i * spreadSeconds * 1000) / pushes;
        await new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));
        const digest = `sha256:${`${scanner}${i}`
          .padStart(8, '0')
          .replace(/[^0-9a-f]/g, 'e')
          .padEnd(64, 'c')}`;
        const body = {
          push_data: { digest, tag: '1.0.0' },
          repository: { name: `svc-${i}`, namespace: `${scanner}-team`, region: scanner === 'hss' ? 'cn-north-4' : 'cn-hangzhou' },
        };
        await pushWebhook(stack.url, 'acr', SECRET, body);
      }
      while (count().images < pushes) {
        if (Date.now() - started > 120_000) throw new Error(`${scanner}: only ${count().images} of ${pushes} scans started`);
        await new Promise((r) => setTimeout(r, 100));
      }
      rows.push({ scanner, pushes, spreadSeconds, startCalls: count().calls, seconds: (Date.now() - started) / 1000 });
    }
  } finally {
    await stack.stop();
  }
  return rows;
};
