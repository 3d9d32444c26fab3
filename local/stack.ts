import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { LONGEST_PAUSE_MS } from '../functions/notify/rateLimit.js';
import { functionLogger } from '../shared/logging/logger.js';
import { SweepJob } from '../shared/messages/sweepJob.js';
import { createJobQueue } from '../shared/queue/jobQueue.js';
import settings from '../shared/queue/queues.json' with { type: 'json' };
import type { QueueName } from '../shared/queue/queueUrls.js';
import type { Runtime } from '../shared/runtime/runtime.js';
import { DEMO_AGING, DEMO_DINGTALK, demoConfig, type SimulatorUrls } from './demoConfig.js';
import { currentBatch, startEventSource } from './eventSource.js';
import { parseFullConfig } from './fullConfig.js';
import { startHttpFront } from './httpFront.js';
import { runSchedule } from './schedule.js';
import { ACR_SIM_CREDENTIALS, startAcrSimulator } from './simulators/acr.js';
import { type ChatPost, startChatSink } from './simulators/chatSink.js';
import { startHssSimulator } from './simulators/hss.js';
import { HUAWEI_SIM_KEYS } from './simulators/huaweiApig.js';
import { startIamSimulator } from './simulators/iam.js';
import { startSasSimulator } from './simulators/sas.js';
import { startSwrSimulator } from './simulators/swr.js';
import { startLocalQueues } from './sqs.js';
import { functionOf, localRuntime, wireFunctions } from './wireFunctions.js';

export interface StackOptions {
  /** Webhook port; 0 picks a free one. */
  port?: number;
  /** The webhook front's address; default 127.0.0.1. Everything else listens on 127.0.0.1 only. */
  host?: string;
  /**
   * The config document. A function receives the simulators' URLs. Omitted: SCANHOOK_CONFIG from the environment
   * if set, else the demo config against the simulators.
   */
  config?: unknown | ((sims: SimulatorUrls) => unknown);
  /** Environment the functions see (credentials); defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  visibilityTimeoutSeconds?: number;
  /** The embedded SQS server's port on 127.0.0.1; 0 (the default) picks a free one. `npm start` uses PORT + 1 (see local/dlq.ts). */
  sqsPort?: number;
  /** Keeps the queues on disk in this folder (see local/sqs.ts), so a restart resumes the work in flight. Default: in memory. */
  stateDir?: string;
  /** With `stateDir`: start from empty queues (`npm start -- --fresh`). */
  freshState?: boolean;
  /** Overrides the scan queue's batching window from queues.json (10 s), so a test need not wait for it. */
  scanBatchingWindowSeconds?: number;
  onPost?: (post: ChatPost) => void;
  /**
   * `false` starts even with broken scanner or channel entries, as a deploy whose config was never checked would
   * run: the functions then fail only the jobs that need those entries. Default: refuse to start.
   */
  checkConfig?: boolean;
  /** `false`: no sweeps on the config's `watch.schedule` (tests start theirs with `sweep()`). Default: as scheduled. */
  schedule?: boolean;
}

/**
 * scanhook on one machine: the four handlers, wired by an embedded SQS server exactly as in AWS, an HTTP front
 * for the webhooks, and the simulators (the ACR, Security Center, SWR EE, HSS and IAM APIs, and a chat sink).
 */
export const startStack = async (opts: StackOptions = {}) => {
  const acr = await startAcrSimulator();
  const sas = await startSasSimulator();
  const iam = await startIamSimulator();
  const swr = await startSwrSimulator({ tokens: iam.tokens });
  const hss = await startHssSimulator({ tokens: iam.tokens });
  const chat = await startChatSink(opts.onPost ? { onPost: opts.onPost } : {});
  const closeSimulators = () => Promise.all([acr.close(), sas.close(), iam.close(), swr.close(), hss.close(), chat.close()]);
  const scanWindow = opts.scanBatchingWindowSeconds ?? settings.scan.batchingWindowSeconds;
  const shortVisibility = opts.visibilityTimeoutSeconds;
  const queues = await startLocalQueues({
    ...(opts.sqsPort !== undefined ? { port: opts.sqsPort } : {}),
    ...(opts.stateDir !== undefined ? { stateDir: opts.stateDir, fresh: opts.freshState === true } : {}),
    ...(shortVisibility === undefined
      ? {}
      : {
          // As on AWS, the scan queue's timeout must cover its batching window as well as the function's run, and
          // the notify queue's the pause a batch keeps after its posts to a rate-limited channel.
          visibilityTimeoutSeconds: {
            intake: shortVisibility,
            scan: shortVisibility + scanWindow + 5,
            poll: shortVisibility,
            notify: shortVisibility + LONGEST_PAUSE_MS / 1000,
          },
        }),
  }).catch(async (err: unknown) => {
    await closeSimulators();
    throw err;
  });
  const sims: SimulatorUrls = { acrUrl: acr.url, sasUrl: sas.url, chatUrl: chat.url, swrUrl: swr.url, hssUrl: hss.url, iamUrl: iam.url };

  let env: NodeJS.ProcessEnv = { ...process.env, ...opts.env };
  let configDoc = typeof opts.config === 'function' ? (opts.config as (s: typeof sims) => unknown)(sims) : opts.config;
  const demo = configDoc === undefined && !env.SCANHOOK_CONFIG;
  if (demo) {
    chat.robot(DEMO_DINGTALK.token, { secret: DEMO_DINGTALK.secret, keyword: DEMO_DINGTALK.keyword });
    // An image pushed and scanned 9 days ago, for `npm run sweep`: its re-scan finds one advisory published since.
    acr.pushTag(DEMO_AGING.repository, DEMO_AGING.tag, DEMO_AGING.digest, Date.now() - 9 * 86_400_000, { scanned: true });
    configDoc = demoConfig(sims);
    env = {
      ...env,
      ALIBABA_CLOUD_ACCESS_KEY_ID: ACR_SIM_CREDENTIALS.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: ACR_SIM_CREDENTIALS.accessKeySecret,
      HUAWEICLOUD_SDK_AK: HUAWEI_SIM_KEYS.accessKey,
      HUAWEICLOUD_SDK_SK: HUAWEI_SIM_KEYS.secretKey,
    };
  }
  if (configDoc !== undefined) env = { ...env, SCANHOOK_CONFIG: JSON.stringify(configDoc) };

  // The queue functions' runtime checks every scanner and channel entry, so a bad config stops the start here.
  let runtime: Runtime;
  let wired: ReturnType<typeof wireFunctions>;
  try {
    runtime = await localRuntime(env, createJobQueue(queues.queueClient, queues.urls));
    if (opts.checkConfig !== false) parseFullConfig(runtime.config);
    wired = wireFunctions(runtime);
    // Durable queues: a job whose post went through is deleted at once, so a crash mid-batch posts nothing twice.
    if (queues.invocation) wired.notifying.delivered = (records) => currentBatch()?.ack(records.map((r) => r.receiptHandle));
  } catch (err) {
    await Promise.all([closeSimulators(), queues.stop()]);
    throw err;
  }
  const { clients: withClients, scanning, notifying, handlers } = wired;
  const eventSource: Record<QueueName, { concurrency: number; pollers?: number; batchingWindowSeconds?: number }> = {
    intake: { concurrency: 4 },
    // One poller gathers the scan queue's batches: Lambda may run several, each gathering its own batch, so a
    // burst can arrive in a few batches there (more start calls than here; see README, "Coalescing").
    scan: { pollers: 1, concurrency: 4, batchingWindowSeconds: scanWindow },
    poll: { concurrency: 4 },
    notify: { concurrency: settings.notify.maximumConcurrency },
  };
  // The webhook port before the queue functions: a start that fails on a port in use has done no work at all.
  const front = await startHttpFront(wired.onPush, opts.port ?? 3000, opts.host ? { host: opts.host } : {}).catch(async (err: Error) => {
    await withClients.http.close();
    await Promise.all([closeSimulators(), queues.stop()]);
    throw err;
  });
  const sources = (Object.keys(handlers) as QueueName[]).map((name) =>
    startEventSource({
      sqs: queues.sqs,
      name: functionOf[name],
      queueUrl: queues.urls[name],
      queueArn: queues.arns[name],
      batchSize: settings[name].batchSize,
      handler: handlers[name],
      timeoutSeconds: settings.functionTimeoutSeconds,
      ...(queues.invocation ? { invocation: queues.invocation } : {}),
      ...eventSource[name],
    }),
  );

  const sweepLog = functionLogger('schedule');
  /** Puts a sweep on the intake queue, as the schedule on AWS does. */
  const sweep = (scheduledAt = new Date()) => runtime.queue.sendSweeps([SweepJob.parse({ kind: 'sweep', v: 1, scheduledAt: scheduledAt.toISOString() })]);
  const schedule =
    runtime.config.watch && opts.schedule !== false
      ? runSchedule(runtime.config.watch.schedule, (at) => {
          sweepLog.info('sweep due', { scheduledAt: at.toISOString() });
          sweep(at).catch((err: unknown) => sweepLog.error('sweep not queued', { error: String(err) }));
        })
      : undefined;

  return {
    url: front.url,
    demo,
    sweep,
    config: { ...scanning.config, channels: notifying.config.channels },
    acr,
    sas,
    swr,
    hss,
    iam,
    chat,
    queues,
    /** Takes (and removes) what has reached a queue's DLQ. */
    async drainDeadLetters(name: QueueName) {
      const url = queues.urls[`${name}Dlq`];
      const res = await queues.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ['All'] }),
      );
      const messages = res.Messages ?? [];
      // Deleted, not left in flight: a FIFO DLQ's one message group would stay locked behind them.
      for (const m of messages) await queues.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
      return messages.map((m) => ({ body: m.Body ?? '', reason: m.MessageAttributes?.reason?.StringValue }));
    },
    async stop() {
      schedule?.stop();
      await new Promise<void>((resolve) => {
        front.server.closeAllConnections();
        front.server.close(() => resolve());
      });
      await Promise.all(sources.map((s) => s.stop()));
      await withClients.http.close();
      await Promise.all([closeSimulators(), queues.stop()]);
    },
  };
};
export type Stack = Awaited<ReturnType<typeof startStack>>;
