import type { SimulatorUrls } from '../local/demoConfig.js';
import { ALIBABA_SIM_CREDENTIALS } from '../local/simulators/acs3Verifier.js';
import { HUAWEI_SIM_KEYS, HUAWEI_SIM_PROJECT } from '../local/simulators/huaweiApig.js';
import { startQuietStack } from './quietStack.js';

const REPOSITORIES = 100;
const TAGS = 3;
/** The images that gain a finding between their last scan and the sweep: the bar is exactly this many messages per channel. */
const GAINED = [7, 23, 42, 61, 88].map((i) => ({ repo: `bench/svc-${String(i).padStart(3, '0')}`, tag: 'v2' }));
const DAY = 86_400_000;

const config = ({ acrUrl, chatUrl }: SimulatorUrls) => ({
  sources: { acr: { secret: 'bench-secret-0123456789' } },
  scanners: { acr: { type: 'acr', region: 'cn-hangzhou', instanceId: 'cri-bench', endpoint: acrUrl } },
  channels: {
    feishu: { type: 'feishu', url: `${chatUrl}/feishu/open-apis/bot/v2/hook/bench-hook` },
    slack: { type: 'slack', url: `${chatUrl}/slack/T0BENCH/B0BENCH/bench-token` },
    sink: { type: 'webhook', url: `${chatUrl}/webhook/bench` },
  },
  routes: [
    { source: 'acr', namespace: 'bench', scanner: 'acr', channels: ['feishu', 'slack', 'sink'], minSeverity: 'high', watch: { tagsPerRepository: TAGS } },
  ],
  watch: { schedule: 'rate(1 day)', maxImagesPerSweep: REPOSITORIES * TAGS },
  polling: { initialDelaySeconds: 1, maxDelaySeconds: 2, deadlineMinutes: 10 },
});

/**
 * One sweep of 100 repositories × 3 tags, all scanned before, end to end through local mode with the deployed queue
 * settings: vendor calls by API, start calls, messages per channel when 5 of the 300 images gained a finding, and the
 * time from the sweep job to the last re-scan read and the last message.
 */
export const sweepCosts = async () => {
  const stack = await startQuietStack({
    config,
    schedule: false,
    env: {
      ALIBABA_CLOUD_ACCESS_KEY_ID: ALIBABA_SIM_CREDENTIALS.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: ALIBABA_SIM_CREDENTIALS.accessKeySecret,
    },
  });
  try {
    const now = Date.now();
    for (let r = 0; r < REPOSITORIES; r++) {
      const repo = `bench/svc-${String(r).padStart(3, '0')}`;
      for (let t = 1; t <= TAGS; t++) {
        const digest = `sha256:${Buffer.from(`${repo}:${t}`).toString('hex').padEnd(64, '0').slice(0, 64)}`;
        stack.acr.pushTag(repo, `v${t}`, digest, now - (40 - t * 10) * DAY - r * 60_000, { scanned: true });
      }
    }
    for (const { repo, tag } of GAINED) stack.acr.publishAdvisory(repo, 'CVE-2031-0042', { tag });
    const calls = stack.acr.calls.length;
    const started = Date.now();
    await stack.sweep(new Date(started));
    const posts = (path: string) => stack.chat.delivered(path).length;
    const reports = () => stack.acr.calls.slice(calls).filter((c) => c.action === 'GetRepoTagScanSummary' && c.status === 200).length;
    let lastChange = Date.now();
    let seen = '';
    // Done: every re-scan's report read and nothing new for 5 s (the notify batching window).
    for (;;) {
      const state = `${reports()}|${posts('/feishu/')}|${posts('/slack/')}|${posts('/webhook/')}`;
      if (state !== seen) {
        seen = state;
        lastChange = Date.now();
      }
      if (reports() >= REPOSITORIES * TAGS && Date.now() - lastChange > 6000) break;
      if (Date.now() - started > 300_000) throw new Error(`sweep unfinished after 300 s: ${state}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const byApi: Record<string, number> = {};
    for (const c of stack.acr.calls.slice(calls)) byApi[c.action] = (byApi[c.action] ?? 0) + 1;
    return {
      images: REPOSITORIES * TAGS,
      gained: GAINED.length,
      byApi,
      startCalls: byApi.CreateRepoTagScanTask ?? 0,
      messages: { feishu: posts('/feishu/'), slack: posts('/slack/'), webhook: posts('/webhook/') },
      /** The Slack posts that were one summary of several results (its 1-a-second limit met within one notify batch). */
      slackSummaries: stack.chat.delivered('/slack/').filter((p) => p.body.includes('results')).length,
      seconds: (lastChange - started) / 1000,
    };
  } finally {
    await stack.stop();
  }
};

/**
 * Start calls of one sweep of 1 000 HSS images (100 repositories × 10 tags, all scanned before) through local mode:
 * HSS starts every re-scan of one scan-queue batch (up to 100) in one call. The bar: at most 100.
 */
export const hssSweepStarts = async () => {
  const stack = await startQuietStack({
    schedule: false,
    env: { HUAWEICLOUD_SDK_AK: HUAWEI_SIM_KEYS.accessKey, HUAWEICLOUD_SDK_SK: HUAWEI_SIM_KEYS.secretKey },
    config: ({ hssUrl, chatUrl }: SimulatorUrls) => ({
      sources: { acr: { secret: 'bench-secret-0123456789' } },
      scanners: { hss: { type: 'hss', region: 'cn-north-4', projectId: HUAWEI_SIM_PROJECT, endpoint: hssUrl } },
      channels: { sink: { type: 'webhook', url: `${chatUrl}/webhook/bench` } },
      routes: [{ source: 'acr', namespace: 'bench', scanner: 'hss', channels: ['sink'], watch: { tagsPerRepository: 10 } }],
      watch: { schedule: 'rate(1 day)', maxImagesPerSweep: 1000 },
      // Only the starts are counted.
      polling: { initialDelaySeconds: 300, deadlineMinutes: 30 },
    }),
  });
  try {
    for (let r = 0; r < 100; r++) {
      for (let t = 0; t < 10; t++) {
        const digest = `sha256:${Buffer.from(`${r}-${t}`).toString('hex').padEnd(64, '0')}`;
        stack.hss.setImage('private_image', 'bench', `svc-${r}`, `v${t}`, digest, Date.now() - (r + t) * 60_000, { scanned: true });
      }
    }
    const started = Date.now();
    await stack.sweep(new Date(started));
    const images = () =>
      stack.hss.calls.filter((c) => c.operation === 'CreateManualImageScanTask' && c.status === 200).reduce((n, c) => n + c.images.length, 0);
    while (images() < 1000) {
      if (Date.now() - started > 240_000) throw new Error(`HSS sweep: only ${images()} of 1000 re-scans started`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return { images: images(), startCalls: stack.hss.count('CreateManualImageScanTask'), seconds: (Date.now() - started) / 1000 };
  } finally {
    await stack.stop();
  }
};
