import type { SimulatorUrls } from '../local/demoConfig.js';
import { acrSimRepoId } from '../local/simulators/acr.js';
import { pushCompletedEvent } from '../local/simulators/acrEvents.js';
import { ALIBABA_SIM_CREDENTIALS } from '../local/simulators/acs3Verifier.js';
import type { Stack } from '../local/stack.js';
import { median } from './median.js';
import { pushWebhook, startQuietStack } from './quietStack.js';

const SECRET = 'bench-events-secret-0123456789';
const INSTANCE = { instanceId: 'cri-bench', region: 'cn-hangzhou' };

/** Scans started from `team-*` pushes (the timer 5 minutes away, so only the event can bring the message), and ACR's own scans in `auto-*`. */
const config = ({ acrUrl, chatUrl }: SimulatorUrls) => ({
  sources: { 'acr-ee': { type: 'acr-events', secret: SECRET, scanner: 'acr' } },
  scanners: { acr: { type: 'acr', ...INSTANCE, endpoint: acrUrl } },
  channels: { sink: { type: 'webhook', url: `${chatUrl}/webhook/bench` } },
  routes: [
    { source: 'acr-ee', namespace: 'team-*', scanner: 'acr', channels: ['sink'] },
    { source: 'acr-ee', namespace: 'auto-*', scanner: 'registry', channels: ['sink'] },
  ],
  polling: { initialDelaySeconds: 300, maxDelaySeconds: 300, deadlineMinutes: 30 },
});

const imageOf = (namespace: string, repository: string) => ({
  ...INSTANCE,
  namespace,
  repository,
  repoId: acrSimRepoId(namespace, repository),
  tag: '1.0.0',
  digest: `sha256:${Buffer.from(`${namespace}/${repository}`).toString('hex').padEnd(64, '0').slice(0, 64)}`,
});

const post = (stack: Stack, event: unknown) => pushWebhook(stack.url, 'acr-ee', SECRET, event);

const until = async <T>(what: string, probe: () => T | undefined): Promise<T> => {
  const end = Date.now() + 60_000;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`no ${what} within 60 s`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** Seconds from posting `event` until the message about `repository` reaches the chat sink. */
const secondsToMessage = async (stack: Stack, event: unknown, repository: string) => {
  const sent = Date.now();
  await post(stack, event);
  const at = await until(
    `message for ${repository}`,
    () => stack.chat.delivered('/webhook/').find((p) => JSON.parse(p.body).image?.repository === repository)?.at,
  );
  return (at - sent) / 1000;
};

/**
 * Time from a ScanCompleted event reaching the webhook to its chat message, end to end through local mode with the
 * deployed queue settings (shared/queue/queues.json): onPush → poll queue → pollStatus → notify queue → notify.
 */
export const scanEventToMessage = async (events = 5) => {
  const stack = await startQuietStack({
    config,
    env: { ALIBABA_CLOUD_ACCESS_KEY_ID: ALIBABA_SIM_CREDENTIALS.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: ALIBABA_SIM_CREDENTIALS.accessKeySecret },
  });
  try {
    const started: number[] = [];
    const registry: number[] = [];
    for (let i = 0; i < events; i++) {
      const ours = imageOf('team-a', `bench-${i}`);
      await post(stack, pushCompletedEvent(ours));
      // The scan queue's batching window passes before the scan starts: wait for it, then let ACR finish it.
      await until('scan start', () => stack.acr.calls.find((c) => c.action === 'CreateRepoTagScanTask' && c.params.RepoId === ours.repoId));
      started.push(await secondsToMessage(stack, stack.acr.finishScan(`team-a/bench-${i}`, '1.0.0', INSTANCE), `bench-${i}`));

      const own = imageOf('auto-a', `bench-auto-${i}`);
      stack.acr.pushTag(`auto-a/bench-auto-${i}`, own.tag, own.digest);
      registry.push(await secondsToMessage(stack, stack.acr.finishScan(`auto-a/bench-auto-${i}`, '1.0.0', INSTANCE), `bench-auto-${i}`));
    }
    return [
      { route: 'scanned by ACR, started by scanhook', median: median(started), max: Math.max(...started) },
      { route: '"registry" (ACR\'s own scan)', median: median(registry), max: Math.max(...registry) },
    ];
  } finally {
    await stack.stop();
  }
};
