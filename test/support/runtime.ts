import { ACR_SIM_CREDENTIALS } from '../../local/simulators/acr.js';
import { type Config, parseConfig } from '../../shared/config/config.js';
import { NotifyJob, PollJob, ScanJob } from '../../shared/messages/jobs.js';
import { SweepJob } from '../../shared/messages/sweepJob.js';
import type { JobQueue } from '../../shared/queue/jobQueue.js';
import type { QueueName } from '../../shared/queue/queueUrls.js';
import type { Runtime } from '../../shared/runtime/runtime.js';

/**
 * An in-memory JobQueue: records what would have been sent, each job checked against its schema as the real queue
 * checks it. `fail` makes every send throw.
 */
export const recordingQueue = (opts: { fail?: Error } = {}) => {
  const sent = {
    /** New pushes, to the intake queue. */
    scanJobs: [] as ScanJob[],
    /** A registry's own results, to the intake queue. */
    results: [] as NotifyJob[],
    /** Scan jobs to the scan queue, with their delay. */
    queued: [] as { jobs: ScanJob[]; delaySeconds: number }[],
    polls: [] as { job: PollJob; delaySeconds: number }[],
    notify: [] as { jobs: NotifyJob[] }[],
    /** Received notify messages held back (made invisible) for a while. */
    holds: [] as { receiptHandles: string[]; seconds: number }[],
    /** Sweeps and their parts, to the intake queue. */
    sweeps: [] as SweepJob[],
    deadLetters: [] as { queue: QueueName; body: string; reason: string; mayHaveBeenDelivered?: boolean }[],
  };
  const calls: string[] = [];
  const call = (name: string) => {
    calls.push(name);
    if (opts.fail) throw opts.fail;
  };
  const queue: JobQueue = {
    sendScanJobs: async (jobs) => {
      call('sendScanJobs');
      sent.scanJobs.push(...jobs.map((j) => ScanJob.parse(j)));
    },
    sendResults: async (jobs) => {
      call('sendResults');
      sent.results.push(...jobs.map((j) => NotifyJob.parse(j)));
    },
    sendSweeps: async (jobs) => {
      call('sendSweeps');
      sent.sweeps.push(...jobs.map((j) => SweepJob.parse(j)));
    },
    queueScans: async (jobs, delaySeconds = 0) => {
      call('queueScans');
      sent.queued.push({ jobs: jobs.map((j) => ScanJob.parse(j)), delaySeconds });
    },
    sendPoll: async (job, delaySeconds) => {
      call('sendPoll');
      sent.polls.push({ job: PollJob.parse(job), delaySeconds });
    },
    sendNotify: async (jobs) => {
      call('sendNotify');
      sent.notify.push({ jobs: jobs.map((j) => NotifyJob.parse(j)) });
    },
    holdNotify: async (receiptHandles, seconds) => {
      call('holdNotify');
      sent.holds.push({ receiptHandles, seconds });
    },
    sendToDeadLetter: async (queue, body, reason, opts = {}) => {
      call('sendToDeadLetter');
      sent.deadLetters.push({ queue, body, reason, ...(opts.mayHaveBeenDelivered ? { mayHaveBeenDelivered: true } : {}) });
    },
  };
  /** Every notify job sent, in order. */
  const notified = () => sent.notify.flatMap((n) => n.jobs);
  /** Forgets what was sent (between tests). */
  const clear = () => {
    for (const list of Object.values(sent)) list.length = 0;
    calls.length = 0;
  };
  return { queue, sent, calls, notified, clear };
};

/** What every function has, with a fixed clock and the queue given. */
export const fakeRuntime = (
  config: Config,
  queue: JobQueue,
  opts: { now?: () => Date; maxReceiveCount?: Runtime['maxReceiveCount']; env?: NodeJS.ProcessEnv } = {},
): Runtime => ({
  config,
  queue,
  env: opts.env ?? {},
  now: opts.now ?? (() => new Date()),
  maxReceiveCount: opts.maxReceiveCount ?? { intake: 3, scan: 5, poll: 5, notify: 5 },
});

/**
 * The config of the startScan and pollStatus tests: one ACR scanner (`acr-hz`) at `acrUrl`, a Slack and an HTTP
 * channel, fast retries. `routes` replaces the one route that sends to both channels.
 */
export const acrTestConfig = (acrUrl: string, routes?: Record<string, unknown>[]): Config =>
  parseConfig({
    sources: { acr: { secret: 'a-long-enough-webhook-secret-1234' } },
    scanners: { 'acr-hz': { type: 'acr', region: 'cn-hangzhou', instanceId: 'cri-unit', endpoint: acrUrl } },
    channels: { sec: { type: 'slack', url: 'https://hooks.slack.invalid/services/T0/B0/unit' }, audit: { type: 'webhook', url: 'https://audit.invalid/hook' } },
    routes: routes ?? [{ source: 'acr', scanner: 'acr-hz', channels: ['sec', 'audit'] }],
    polling: { initialDelaySeconds: 5, maxDelaySeconds: 30, deadlineMinutes: 60 },
    http: { timeoutMs: 2000, attempts: 3, baseDelayMs: 1, maxDelayMs: 20 },
  });

/** The ACR simulator's keys, as the scanner reads them from the environment. */
export const acrSimulatorEnv = {
  ALIBABA_CLOUD_ACCESS_KEY_ID: ACR_SIM_CREDENTIALS.accessKeyId,
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: ACR_SIM_CREDENTIALS.accessKeySecret,
};
