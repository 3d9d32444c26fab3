import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SimulatorUrls } from '../local/demoConfig.js';
import { startAcrSimulator } from '../local/simulators/acr.js';
import { ALIBABA_SIM_CREDENTIALS } from '../local/simulators/acs3Verifier.js';
import { type ChatSink, startChatSink } from '../local/simulators/chatSink.js';
import { startHssSimulator } from '../local/simulators/hss.js';
import { HUAWEI_SIM_KEYS } from '../local/simulators/huaweiApig.js';
import { startIamSimulator } from '../local/simulators/iam.js';
import { startSasSimulator } from '../local/simulators/sas.js';
import { startLocalQueues } from '../local/sqs.js';
import { channelPlugin } from '../shared/channels/index.js';
import settings from '../shared/queue/queues.json' with { type: 'json' };
import type { QueueName } from '../shared/queue/queueUrls.js';
import { bundleEntry } from './bundles.js';
import { benchScanners } from './fixtures.js';
import type { FunctionName, FunctionReport, FunctionStart } from './scaleFunction.js';

const SECRET = 'bench-secret-0123456789';
const PUSHES = 1000;
const SPREAD_SECONDS = 60;
/** How long after the last push the run may take to drain before it is called stuck. */
const DRAIN_LIMIT_SECONDS = 150;
const SCANNERS = ['acr', 'sas', 'hss'] as const;
type Scanner = (typeof SCANNERS)[number];

/** Each scanner's route posts to a rate-limited chat channel and to a plain webhook. */
const CHANNELS: Record<Scanner, { limited: string; hook: string }> = {
  acr: { limited: 'slack-acr', hook: 'hook-acr' },
  sas: { limited: 'dingtalk-sas', hook: 'hook-sas' },
  hss: { limited: 'slack-hss', hook: 'hook-hss' },
};

const config = ({ acrUrl, sasUrl, hssUrl, chatUrl }: SimulatorUrls) => ({
  sources: { acr: { secret: SECRET } },
  scanners: benchScanners({ acrUrl, sasUrl, hssUrl }),
  channels: {
    'slack-acr': { type: 'slack', url: `${chatUrl}/slack/TSCALE/BACR/scale-token` },
    'slack-hss': { type: 'slack', url: `${chatUrl}/slack/TSCALE/BHSS/scale-token` },
    'dingtalk-sas': { type: 'dingtalk', url: `${chatUrl}/dingtalk/robot/send?access_token=scale-sas` },
    'hook-acr': { type: 'webhook', url: `${chatUrl}/webhook/acr` },
    'hook-sas': { type: 'webhook', url: `${chatUrl}/webhook/sas` },
    'hook-hss': { type: 'webhook', url: `${chatUrl}/webhook/hss` },
  },
  // Default polling, as deployed.
  routes: SCANNERS.map((scanner) => ({
    source: 'acr',
    namespace: `${scanner}-team`,
    scanner,
    channels: [CHANNELS[scanner].limited, CHANNELS[scanner].hook],
  })),
});

/** The chat sink's path prefix of each channel. */
const PREFIX: Record<string, string> = {
  'slack-acr': '/slack/TSCALE/BACR/',
  'slack-hss': '/slack/TSCALE/BHSS/',
  'dingtalk-sas': '/dingtalk/robot/send?access_token=scale-sas',
  'hook-acr': '/webhook/acr',
  'hook-sas': '/webhook/sas',
  'hook-hss': '/webhook/hss',
};
const TYPE: Record<string, string> = { slack: 'slack', dingtalk: 'dingtalk', hook: 'webhook' };
const typeOf = (channel: string) => TYPE[channel.split('-')[0]!]!;

/** Push i: its scanner (round robin) and a repository name that no other push's name contains. */
const pushOf = (i: number) => {
  const scanner = SCANNERS[i % SCANNERS.length]!;
  return { scanner, namespace: `${scanner}-team`, repository: `img${String(i).padStart(4, '0')}x` };
};
const digestOf = (i: number) => `sha256:${(i + 1).toString(16).padStart(64, 'd')}`;

export interface ChannelFigures {
  channel: string;
  type: string;
  images: number;
  posts: number;
  missing: number;
  duplicated: number;
  /** Most posts in any window of the target's documented period, and the limit (undefined: none known). */
  worstWindow?: { posts: number; limit: number; seconds: number };
  /** Posts the sink refused: a size limit broken, or a throttled reply (429 or the target's own code). */
  refused: number;
  /** Posts that broke one of the target's documented size limits. */
  violations: number;
}

export interface ScaleFigures {
  pushes: number;
  accepted: number;
  pushSeconds: number;
  drainSeconds: number;
  drained: boolean;
  channels: ChannelFigures[];
  sasStartCalls: number;
  hssStartCalls: number;
  acrStartCalls: number;
  deadLetters: Record<QueueName, number>;
  /** Each function: the highest peak RSS of its instances' processes. */
  peakRssMb: Record<FunctionName, number>;
}

/** Most timestamps within any half-open window of `ms`. */
const busiestWindow = (times: number[], ms: number) => {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= ms) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
};

const channelFigures = (chat: ChatSink, channel: string, images: string[]): ChannelFigures => {
  const posts = chat.posts.filter((p) => p.path.startsWith(PREFIX[channel]!));
  const delivered = posts.filter((p) => p.delivered);
  const seen = new Map<string, number>();
  for (const p of delivered) for (const image of images) if (p.body.includes(image)) seen.set(image, (seen.get(image) ?? 0) + 1);
  const limit = channelPlugin(typeOf(channel)).rateLimit;
  return {
    channel,
    type: typeOf(channel),
    images: images.length,
    posts: delivered.length,
    missing: images.filter((image) => !seen.has(image)).length,
    duplicated: [...seen.values()].filter((n) => n > 1).length,
    ...(limit === 'unlimited'
      ? {}
      : {
          worstWindow: {
            posts: busiestWindow(
              posts.map((p) => p.at),
              limit.perSeconds * 1000,
            ),
            limit: limit.posts,
            seconds: limit.perSeconds,
          },
        }),
    refused: posts.filter((p) => !p.delivered).length,
    violations: posts.filter((p) => p.violations.length > 0).length,
  };
};

const QUEUES: QueueName[] = ['intake', 'scan', 'poll', 'notify'];
/**
 * The function instances, one process each, reading one queue one invocation at a time as a Lambda container does: as
 * many as local/stack.ts runs at once (intake 4, poll 4, notify its maximumConcurrency), but the scan queue's one
 * poller hands its batches to one instance instead of four.
 */
const INSTANCES: { name: FunctionName; queue?: QueueName; count: number }[] = [
  { name: 'onPush', count: 1 },
  { name: 'startScan', queue: 'intake', count: 4 },
  { name: 'startScan', queue: 'scan', count: 1 },
  { name: 'pollStatus', queue: 'poll', count: 4 },
  { name: 'notify', queue: 'notify', count: settings.notify.maximumConcurrency },
];

/** A function's process (bench/scaleFunction.ts, bundled as the functions are): started, then stopped with its peak RSS. */
const startFunction = async (file: string, start: FunctionStart) => {
  const child = fork(file, [], {
    execArgv: [],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'], // the functions log every job
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-2000);
  });
  const next = () =>
    new Promise<FunctionReport>((resolve, reject) => {
      const exit = (code: number | null) => reject(new Error(`${start.name} exited with ${code}: ${stderr.trim()}`));
      child.once('exit', exit);
      child.once('message', (m) => {
        child.off('exit', exit);
        resolve(m as FunctionReport);
      });
    });
  const ready = next();
  child.send(start);
  const { url } = (await ready) as { url?: string };
  return {
    url,
    stop: async () => {
      const report = next();
      child.send('stop');
      return ((await report) as { peakRssMb: number }).peakRssMb;
    },
    kill: () => child.kill(),
  };
};

/**
 * `PUSHES` webhooks spread evenly over `SPREAD_SECONDS`, round robin over ACR, Security Center and HSS, each image in
 * its own repository, with the deployed queue settings and default polling; each route posts to a rate-limited
 * channel and a plain webhook. Local mode's parts (the SQS server, the simulators, the chat sink) run here, and each
 * function in a process of its own, as local/stack.ts wires it: so each function's peak RSS is its own. Runs until
 * every image is posted to both its channels and every queue is empty, or `DRAIN_LIMIT_SECONDS` after the last push.
 */
export const scaleRun = async (): Promise<ScaleFigures> => {
  const acr = await startAcrSimulator();
  const sas = await startSasSimulator();
  const iam = await startIamSimulator();
  const hss = await startHssSimulator({ tokens: iam.tokens });
  const chat = await startChatSink();
  const queues = await startLocalQueues();
  const sims = { acrUrl: acr.url, sasUrl: sas.url, hssUrl: hss.url, chatUrl: chat.url } as SimulatorUrls;
  const env = {
    ...process.env,
    ALIBABA_CLOUD_ACCESS_KEY_ID: ALIBABA_SIM_CREDENTIALS.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: ALIBABA_SIM_CREDENTIALS.accessKeySecret,
    HUAWEICLOUD_SDK_AK: HUAWEI_SIM_KEYS.accessKey,
    HUAWEICLOUD_SDK_SK: HUAWEI_SIM_KEYS.secretKey,
    SCANHOOK_CONFIG: JSON.stringify(config(sims)),
  };
  const functions: ({ name: FunctionName } & Awaited<ReturnType<typeof startFunction>>)[] = [];
  try {
    const file = await bundleEntry(fileURLToPath(new URL('./scaleFunction.ts', import.meta.url)), 'scaleFunction', ['@aws-sdk/*']);
    for (const { name, queue, count } of INSTANCES) {
      for (let i = 0; i < count; i++) {
        functions.push({
          name,
          ...(await startFunction(file, { name, ...(queue ? { queue } : {}), env, sqsAddress: queues.address, urls: queues.urls, arns: queues.arns })),
        });
      }
    }
    const webhookUrl = functions[0]!.url!;
    const accepted: number[] = [];
    const started = Date.now();
    for (let i = 0; i < PUSHES; i++) {
      await new Promise((r) => setTimeout(r, Math.max(0, started + (i * SPREAD_SECONDS * 1000) / PUSHES - Date.now())));
      const { scanner, namespace, repository } = pushOf(i);
      const res = await fetch(`${webhookUrl}/webhooks/acr?token=${SECRET}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          push_data: { digest: digestOf(i), tag: '1.0.0' },
          repository: { name: repository, namespace, region: scanner === 'hss' ? 'cn-north-4' : 'cn-hangzhou' },
        }),
      });
      await res.arrayBuffer();
      if (res.status === 202) accepted.push(i);
    }
    const pushSeconds = (Date.now() - started) / 1000;
    const imagesOf = (scanner: Scanner) => accepted.filter((i) => pushOf(i).scanner === scanner).map((i) => pushOf(i).repository);
    const routes = SCANNERS.flatMap((s) => [
      { channel: CHANNELS[s].limited, images: imagesOf(s) },
      { channel: CHANNELS[s].hook, images: imagesOf(s) },
    ]);
    const allPosted = () => routes.every((r) => channelFigures(chat, r.channel, r.images).missing === 0);
    const empty = async () => (await Promise.all(QUEUES.map((q) => queues.depth(queues.urls[q])))).every((n) => n === 0);
    const limit = Date.now() + DRAIN_LIMIT_SECONDS * 1000;
    let drained = false;
    while (Date.now() < limit) {
      if (allPosted() && (await empty())) {
        drained = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    const lastPost = Math.max(...chat.posts.filter((p) => p.delivered).map((p) => p.at));
    const deadLetters = Object.fromEntries(await Promise.all(QUEUES.map(async (q) => [q, await queues.depth(queues.urls[`${q}Dlq`])] as const))) as Record<
      QueueName,
      number
    >;
    const peakRssMb: Partial<Record<FunctionName, number>> = {};
    for (const [i, mb] of (await Promise.all(functions.map((f) => f.stop()))).entries()) {
      const { name } = functions[i]!;
      peakRssMb[name] = Math.max(peakRssMb[name] ?? 0, mb);
    }
    return {
      pushes: PUSHES,
      accepted: accepted.length,
      pushSeconds,
      drainSeconds: (lastPost - started) / 1000,
      drained,
      channels: routes.map((r) => channelFigures(chat, r.channel, r.images)),
      sasStartCalls: sas.count('PublicCreateImageScanTask') + sas.count('PublicSyncAndCreateImageScanTask'),
      hssStartCalls: hss.calls.filter((c) => c.operation === 'CreateManualImageScanTask').length,
      acrStartCalls: acr.count('CreateRepoTagScanTask'),
      deadLetters,
      peakRssMb: peakRssMb as Record<FunctionName, number>,
    };
  } finally {
    for (const f of functions) f.kill();
    await queues.stop();
    await Promise.all([acr.close(), sas.close(), iam.close(), hss.close(), chat.close()]);
  }
};
