import { createHash } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkScan } from '../../../functions/pollStatus/checkScan.js';
import { BASELINE_BUDGET_MS } from '../../../functions/pollStatus/readReport.js';
import { ACR_SIM_CREDENTIALS, type AcrBehaviour, type AcrSimulator, startAcrSimulator } from '../../../local/simulators/acr.js';
import { digestOfGeneration } from '../../../local/simulators/findings.js';
import { buildNotice } from '../../../shared/channels/notice.js';
import type { Config } from '../../../shared/config/config.js';
import { CallError } from '../../../shared/http/callError.js';
import { type NotifyJob, PollJob } from '../../../shared/messages/jobs.js';
import { InvalidMessageError } from '../../../shared/queue/records.js';
import { withHttp } from '../../../shared/runtime/withHttp.js';
import { type ScannerRuntime, withScanners } from '../../../shared/runtime/withScanners.js';
import { jobOf, sqsRecord } from '../../support/events.js';
import { acrTestConfig, fakeRuntime, recordingQueue } from '../../support/runtime.js';

/** Status checks of scans started at the ACR simulator on 127.0.0.1; the in-memory queue records what follows. */
const NOW = new Date('2026-11-22T06:30:00.000Z');
const MAX_POLL_RECEIVES = 5;
const log = new Logger({ serviceName: 'scanhook-test', logLevel: 'SILENT' });
const rec = recordingQueue();
const credentials = { ALIBABA_CLOUD_ACCESS_KEY_ID: ACR_SIM_CREDENTIALS.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: ACR_SIM_CREDENTIALS.accessKeySecret };
let sim: AcrSimulator;
let config: Config;
const runtimes: ScannerRuntime[] = [];
let rt: ScannerRuntime;

const runtime = (env: NodeJS.ProcessEnv): ScannerRuntime => {
  const made = withScanners(
    withHttp(fakeRuntime(config, rec.queue, { now: () => NOW, env, maxReceiveCount: { intake: 5, scan: 5, poll: MAX_POLL_RECEIVES, notify: 5 } })),
    log,
  );
  runtimes.push(made);
  return made;
};

beforeAll(async () => {
  sim = await startAcrSimulator();
  config = acrTestConfig(sim.url, [
    { source: 'acr', scanner: 'acr-hz', channels: ['sec', 'audit'] },
    // ACR has no Critical level: every ACR report passes this route.
    { source: 'acr', scanner: 'acr-hz', channels: ['sec'], minSeverity: 'critical' },
    { source: 'acr', scanner: 'acr-hz', channels: ['sec'], notify: 'changes', minSeverity: 'low' },
  ]);
  rt = runtime(credentials);
});
afterAll(async () => {
  await Promise.all(runtimes.map((r) => r.http.close()));
  await sim?.close();
});
beforeEach(() => {
  sim.calls.length = 0;
  rec.clear();
});

const sample = PollJob.parse(jobOf('sqs/poll.json'));
const minutesFromNow = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000).toISOString();

/**
 * Starts a scan of `team-a/{repository}:1.0.0` at the simulator and returns its poll job, `startedAgoMinutes` old;
 * `behaviour` then applies to the repository's later calls.
 */
const started = async (repository: string, opts: { behaviour?: Partial<AcrBehaviour>; startedAgoMinutes?: number; route?: number } = {}) => {
  const image = { ...sample.image, repository, tag: '1.0.0', digest: `sha256:${createHash('sha256').update(repository).digest('hex')}` };
  const handle = await rt.scanner('acr-hz').start(image);
  if (opts.behaviour) sim.setBehaviour(`team-a/${repository}`, opts.behaviour);
  sim.calls.length = 0;
  const startedAt = minutesFromNow(-(opts.startedAgoMinutes ?? 0.5));
  const job: PollJob = {
    ...sample,
    jobId: `job-${repository}`,
    route: opts.route ?? 0,
    image,
    scan: { startedAt, deadline: new Date(Date.parse(startedAt) + 60 * 60_000).toISOString(), checks: 0, handle },
  };
  return job;
};
const poll = (job: PollJob, receiveCount = 1) => sqsRecord(job, { queue: 'poll', receiveCount });
const reportOf = ({ outcome }: NotifyJob) => {
  if (outcome.status !== 'complete') throw new Error(`expected a complete outcome, got ${outcome.status}`);
  return outcome.report;
};

describe('checkScan: a scan still running', () => {
  it('goes back on the poll queue with the next delay and one more check counted; nothing is notified', async () => {
    const job = await started('running-young');
    await checkScan(rt, log, poll(job));

    expect(sim.count('GetRepoTagScanStatus')).toBe(1);
    expect(rec.sent.polls).toEqual([{ job: { ...job, scan: { ...job.scan, checks: 1 } }, delaySeconds: 8 }]);
    expect(rec.notified()).toEqual([]);
  });

  it('an older scan waits polling.maxDelaySeconds, and the count goes on from where it was', async () => {
    const job = await started('running-old', { startedAgoMinutes: 5 });
    await checkScan(rt, log, poll({ ...job, scan: { ...job.scan, checks: 6 } }));

    expect(rec.sent.polls.map((p) => [p.job.scan.checks, p.delaySeconds])).toEqual([[7, 30]]);
  });
});

describe('checkScan: a finished scan', () => {
  it('complete: the report goes to every channel of the route, naming ACR', async () => {
    const job = await started('complete-api', { behaviour: { scanChecks: 0 } });
    await checkScan(rt, log, poll(job));

    expect(rec.sent.polls).toEqual([]);
    const notified = rec.notified();
    expect(notified.map((j) => j.channel)).toEqual(['sec', 'audit']);
    for (const n of notified) {
      expect(n).toMatchObject({
        kind: 'notify',
        jobId: 'job-complete-api',
        scanner: 'acr-hz',
        scannerType: 'acr',
        scannerLabel: 'Alibaba Cloud ACR',
        image: job.image,
        scanStartedAt: job.scan.startedAt,
        finishedAt: NOW.toISOString(),
      });
      expect(n.outcome.status).toBe('complete');
    }
    const report = reportOf(notified[0]!);
    expect(report.counts).toEqual({ critical: 0, high: 3, medium: 5, low: 7, unknown: 1 });
    expect(report.total).toBe(16);
    expect(report.findings).toHaveLength(16);
    expect(report.findings[0]!.severity).toBe('high');
    expect(report.consoleUrl).toContain(String(job.scan.handle.repoId));
  });

  it("complete with nothing at or above the route's minSeverity: a pass, so nothing is sent at all", async () => {
    const job = await started('complete-pass', { behaviour: { scanChecks: 0 }, route: 1 });
    await checkScan(rt, log, poll(job));

    expect(sim.count('GetRepoTagScanSummary')).toBe(1);
    expect(rec.calls).toEqual([]);
  });

  it('complete and clean on a route without a bar (minSeverity none): still sent', async () => {
    const job = await started('complete-clean', { behaviour: { scanChecks: 0 } });
    await checkScan(rt, log, poll(job));

    expect(rec.notified().map((n) => reportOf(n).total)).toEqual([0, 0]);
  });

  it('FAILED at ACR: a failed message to every channel', async () => {
    const job = await started('broken-api', { behaviour: { scanChecks: 0 } });
    await checkScan(rt, log, poll(job));

    expect(rec.notified().map((n) => [n.channel, n.outcome])).toEqual([
      ['sec', { status: 'failed', reason: 'ACR reported the scan as FAILED' }],
      ['audit', { status: 'failed', reason: 'ACR reported the scan as FAILED' }],
    ]);
    expect(rec.sent.polls).toEqual([]);
  });

  it('still running past the deadline: a timed_out message with the time waited', async () => {
    const job = await started('slow-api', { startedAgoMinutes: 61 });
    await checkScan(rt, log, poll(job));

    expect(sim.count('GetRepoTagScanStatus')).toBe(1);
    expect(rec.sent.polls).toEqual([]);
    expect(rec.notified().map((n) => n.outcome)).toEqual([
      { status: 'timed_out', waitedSeconds: 3660 },
      { status: 'timed_out', waitedSeconds: 3660 },
    ]);
  });
});

describe('checkScan: a check that fails', () => {
  it('a permanent vendor error (credentials refused): an error message, the job dead-lettered, no key or secret in either', async () => {
    const wrongSecret = 'unit-wrong-secret-0123456789abcdef';
    const refused = runtime({ ...credentials, ALIBABA_CLOUD_ACCESS_KEY_SECRET: wrongSecret });
    const job = await started('auth-api');
    const record = poll(job);
    await checkScan(refused, log, record);

    expect(sim.count('GetRepoTagScanStatus')).toBe(1);
    expect(rec.calls).toEqual(['sendNotify', 'sendToDeadLetter']);
    const notified = rec.notified();
    expect(notified.map((n) => n.channel)).toEqual(['sec', 'audit']);
    expect(notified[0]!.outcome).toMatchObject({ status: 'error', code: 'SignatureDoesNotMatch', retryable: false });
    expect(notified[0]!.scanStartedAt).toBe(job.scan.startedAt);
    expect(rec.sent.deadLetters).toEqual([{ queue: 'poll', body: record.body, reason: expect.stringMatching(/^SignatureDoesNotMatch: /) }]);
    const texts = [JSON.stringify(notified), rec.sent.deadLetters[0]!.reason];
    for (const secret of [ACR_SIM_CREDENTIALS.accessKeyId, ACR_SIM_CREDENTIALS.accessKeySecret, wrongSecret]) {
      for (const text of texts) expect(text).not.toContain(secret);
    }
  });

  it('a scan task ACR no longer knows: an error message and the job dead-lettered', async () => {
    const job = await started('forgotten-api');
    const record = poll({ ...job, scan: { ...job.scan, handle: { ...job.scan.handle, tag: 'never-scanned' } } });
    await checkScan(rt, log, record);

    expect(rec.notified()[0]!.outcome).toMatchObject({ status: 'error', code: 'SCAN_TASK_NOT_EXIST', retryable: false });
    expect(rec.sent.deadLetters.map((d) => [d.queue, d.body])).toEqual([['poll', record.body]]);
  });

  it('a transient error before the last receive: the record is rejected and nothing is sent', async () => {
    const job = await started('outage-early', { behaviour: { failFirst: 3, failWith: 'unavailable' } });
    const err = await checkScan(rt, log, poll(job, MAX_POLL_RECEIVES - 1)).then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(err).toBeInstanceOf(CallError);
    expect((err as CallError).code).toBe('ServiceUnavailable');
    expect(sim.count('GetRepoTagScanStatus')).toBe(3);
    expect(rec.calls).toEqual([]);
  });

  it('the same error on the last receive: an error message first, then the record is rejected for SQS to dead-letter', async () => {
    const job = await started('outage-last', { behaviour: { failFirst: 3, failWith: 'unavailable' } });
    await expect(checkScan(rt, log, poll(job, MAX_POLL_RECEIVES))).rejects.toBeInstanceOf(CallError);

    expect(rec.calls).toEqual(['sendNotify']);
    expect(rec.notified().map((n) => [n.channel, n.outcome.status, n.scanStartedAt])).toEqual([
      ['sec', 'error', job.scan.startedAt],
      ['audit', 'error', job.scan.startedAt],
    ]);
    expect(rec.notified()[0]!.outcome).toMatchObject({ code: 'ServiceUnavailable', retryable: true });
    expect(rec.sent.deadLetters).toEqual([]);
  });

  it('a record that is not a poll job is rejected before any call', async () => {
    await expect(checkScan(rt, log, sqsRecord({ ...sample, scan: undefined }, { queue: 'poll' }))).rejects.toBeInstanceOf(InvalidMessageError);
    expect(sim.calls).toEqual([]);
    expect(rec.calls).toEqual([]);
  });
});

describe('checkScan: the comparison with the baseline', () => {
  /** A finished scan of `team-a/{repository}:{tag}` as `digest`, on `route`. */
  const finished = async (repository: string, tag: string, digest: string, route: number, behaviour: Partial<AcrBehaviour> = {}) => {
    const image = { ...sample.image, repository, tag, tags: [tag], digest };
    const handle = await rt.scanner('acr-hz').start(image);
    sim.setBehaviour(`team-a/${repository}`, { scanChecks: 0, ...behaviour });
    sim.calls.length = 0;
    const startedAt = minutesFromNow(-1);
    return { ...sample, jobId: `job-${repository}-${tag}`, route, image, scan: { startedAt, deadline: minutesFromNow(59), checks: 0, handle } } as PollJob;
  };

  it('a "changes" route: the first image is sent, the same digest under a new tag is not, an image with new findings is', async () => {
    const first = digestOfGeneration(0, 'orders');
    await checkScan(rt, log, poll(await finished('orders-delta', '1.0.0', first, 2)));
    expect(reportOf(rec.notified()[0]!).delta).toEqual({ status: 'none', reason: 'first' });

    rec.sent.notify.length = 0;
    await checkScan(rt, log, poll(await finished('orders-delta', 'stable', first, 2)));
    expect(rec.notified()).toEqual([]);

    await checkScan(rt, log, poll(await finished('orders-delta', '1.1.0', digestOfGeneration(1, 'orders'), 2)));
    const [job] = rec.notified();
    expect(job!.channel).toBe('sec');
    expect(reportOf(job!).delta).toMatchObject({
      status: 'compared',
      baseline: { tag: 'stable', digest: first },
      new: { critical: 0, high: 1, medium: 1, low: 1, unknown: 1 },
      fixed: { critical: 0, high: 1, medium: 1, low: 1, unknown: 1 },
    });
  });

  it('a baseline that cannot be read: the full report goes out, and its message says the comparison was not made', async () => {
    await checkScan(rt, log, poll(await finished('ledger-delta', '1.0.0', digestOfGeneration(0, 'ledger'), 0)));
    rec.sent.notify.length = 0;
    const outage: Partial<AcrBehaviour> = { failFirst: 1000, failWith: 'unavailable', failActions: ['ListRepoTag'] };
    await checkScan(rt, log, poll(await finished('ledger-delta', '1.1.0', digestOfGeneration(1, 'ledger'), 0, outage)));

    const notified = rec.notified();
    expect(notified.map((n) => n.channel)).toEqual(['sec', 'audit']);
    const report = reportOf(notified[0]!);
    expect(report.delta).toMatchObject({ status: 'unavailable', reason: expect.stringContaining('ListRepoTag: ServiceUnavailable') });
    expect([report.total, report.findings.length]).toEqual([16, 16]);
    expect(sim.count('ListRepoTag')).toBe(3); // the retries of today (3 attempts here), then the fallback
    const notice = buildNotice(notified[0]!, 'Alibaba Cloud ACR');
    expect(notice.notes).toEqual([expect.stringMatching(/^Not compared: the baseline could not be read, so the full report follows \(ListRepoTag: /)]);
    expect(notice.findings).toHaveLength(16);
  });

  it('an invocation with too little time left does not start reading the baseline', async () => {
    const job = await finished('late-delta', '1.0.0', digestOfGeneration(0, 'late'), 0);
    await checkScan(rt, log, poll(job), () => 5000);
    expect(reportOf(rec.notified()[0]!).delta).toEqual({ status: 'unavailable', reason: 'the invocation had no time left to read it' });
    expect(sim.count('ListRepoTag')).toBe(0);
    expect(BASELINE_BUDGET_MS).toBeLessThan(30_000);
  });
});
