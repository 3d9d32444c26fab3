import { createHash } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { forwardIntake } from '../../../functions/startScan/forwardIntake.js';
import { createStartScan } from '../../../functions/startScan/handler.js';
import { type AcrSimulator, startAcrSimulator } from '../../../local/simulators/acr.js';
import { NotifyJob, ScanJob } from '../../../shared/messages/jobs.js';
import { InvalidMessageError } from '../../../shared/queue/records.js';
import { withHttp } from '../../../shared/runtime/withHttp.js';
import { type ScannerRuntime, withScanners } from '../../../shared/runtime/withScanners.js';
import { jobOf, sqsRecord } from '../../support/events.js';
import { acrSimulatorEnv, acrTestConfig, fakeRuntime, recordingQueue } from '../../support/runtime.js';

// The handler's own logger is made when its module loads: keep its info and warn lines out of the test output.
const savedLogLevel = vi.hoisted(() => {
  const saved = process.env.POWERTOOLS_LOG_LEVEL;
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  return saved;
});

const NOW = new Date('2026-11-22T06:26:00.000Z');
const log = new Logger({ serviceName: 'scanhook-test', logLevel: 'SILENT' });
const rec = recordingQueue();
let sim: AcrSimulator;
let rt: ScannerRuntime;

beforeAll(async () => {
  sim = await startAcrSimulator();
  const config = acrTestConfig(sim.url);
  const env = acrSimulatorEnv;
  rt = withScanners(withHttp(fakeRuntime(config, rec.queue, { now: () => NOW, env })), log);
});
afterAll(async () => {
  await rt?.http.close();
  await sim?.close();
  if (savedLogLevel === undefined) delete process.env.POWERTOOLS_LOG_LEVEL;
  else process.env.POWERTOOLS_LOG_LEVEL = savedLogLevel;
});
beforeEach(() => {
  sim.calls.length = 0;
  rec.clear();
});

const scanSample = ScanJob.parse(jobOf('sqs/scan.json'));
const resultSample = NotifyJob.parse(jobOf('sqs/notify-findings.json'));
const digestOf = (repository: string) => `sha256:${createHash('sha256').update(repository).digest('hex')}`;
const scanJob = (repository: string, tag = '1.0.0'): ScanJob => ({
  ...scanSample,
  jobId: `job-${repository}-${tag}`,
  image: { ...scanSample.image, repository, tag, digest: digestOf(repository) },
});
/** A registry's own scan result, as the intake queue carries it. */
const registryResult = (repository: string, channel = 'sec'): NotifyJob => ({
  ...resultSample,
  jobId: `result-${repository}-${channel}`,
  scanner: 'registry',
  channel,
  image: { ...resultSample.image, repository, digest: digestOf(repository) },
});
const intake = (body: unknown) => sqsRecord(body, { queue: 'intake' });
const statuses = (results: PromiseSettledResult<void>[]) => results.map((r) => r.status);
const reasonOf = (result: PromiseSettledResult<void> | undefined) => (result as PromiseRejectedResult).reason;

/** The runtime with one more scanner, `gathering`, that starts many images in one call (as Security Center and HSS do). */
const withGatheringScanner = (base: ScannerRuntime): ScannerRuntime => ({
  ...base,
  scanner: (key) => (key === 'gathering' ? { ...base.scanner('acr-hz'), startMany: async () => [] } : base.scanner(key)),
});
const gatheredJob = (repository: string, tag?: string): ScanJob => ({ ...scanJob(repository, tag), scanner: 'gathering' });

describe('forwardIntake', () => {
  it('pushes to a scanner that starts many images in one call go on to the scan queue in one send, tags of one image merged; nothing is scanned yet', async () => {
    const records = [intake(gatheredJob('api', '1.4.2')), intake(gatheredJob('web')), intake(gatheredJob('api', 'latest'))];
    const results = await forwardIntake(withGatheringScanner(rt), log, records);

    expect(statuses(results)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(rec.calls).toEqual(['queueScans']);
    expect(rec.sent.queued).toHaveLength(1);
    const { jobs, delaySeconds } = rec.sent.queued[0]!;
    expect(delaySeconds).toBe(0);
    expect(jobs.map((j) => [j.jobId, j.image.repository, j.image.tag, j.image.tags])).toEqual([
      ['job-api-1.4.2', 'api', '1.4.2', ['1.4.2', 'latest']],
      ['job-web-1.0.0', 'web', '1.0.0', undefined],
    ]);
    expect(sim.calls).toEqual([]);
  });

  it('pushes to a scanner that starts one image per call start at once, tags of one image merged; no scan queue', async () => {
    const results = await forwardIntake(rt, log, [intake(scanJob('now-api', '1.4.2')), intake(scanJob('now-web')), intake(scanJob('now-api', 'latest'))]);

    expect(statuses(results)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(rec.sent.queued).toEqual([]);
    expect(sim.count('CreateRepoTagScanTask')).toBe(2);
    expect(rec.sent.polls.map((p) => [p.job.image.repository, p.job.image.tags]).sort()).toEqual([
      ['now-api', ['1.4.2', 'latest']],
      ['now-web', undefined],
    ]);
  });

  it("a sweep's re-scan to a scanner that starts one image per call goes through the scan queue, not started here", async () => {
    const rescan = { ...scanJob('swept-api'), rescan: { sweep: '2026-11-22T06:00:00.000Z', complete: true } };
    const results = await forwardIntake(rt, log, [intake(rescan), intake(scanJob('pushed-api'))]);

    expect(statuses(results)).toEqual(['fulfilled', 'fulfilled']);
    expect(rec.sent.queued.flatMap((q) => q.jobs.map((j) => [j.image.repository, j.rescan?.sweep]))).toEqual([['swept-api', '2026-11-22T06:00:00.000Z']]);
    expect(rec.sent.polls.map((p) => p.job.image.repository)).toEqual(['pushed-api']);
  });

  it('a push to a scanner that fails to start is handled as on the scan queue: its record alone is handed back', async () => {
    sim.setBehaviour('team-a/now-outage', { failFirst: 3, failWith: 'unavailable' });
    const results = await forwardIntake(rt, log, [intake(scanJob('now-outage')), intake(scanJob('now-fine'))]);

    expect(statuses(results)).toEqual(['rejected', 'fulfilled']);
    expect(reasonOf(results[0]).code).toBe('ServiceUnavailable');
    expect(rec.sent.polls.map((p) => p.job.image.repository)).toEqual(['now-fine']);
  });

  it("a registry's own results go on to the notify queue unchanged, in one send", async () => {
    const results = [registryResult('reg-a', 'sec'), registryResult('reg-a', 'audit'), registryResult('reg-b')];
    const settled = await forwardIntake(rt, log, results.map(intake));

    expect(statuses(settled)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(rec.calls).toEqual(['sendNotify']);
    expect(rec.sent.notify).toEqual([{ jobs: results }]);
  });

  it('a record that is not JSON, or not a push or a result, is rejected alone', async () => {
    const records = [intake('{oops'), intake(scanJob('ok-push')), intake(jobOf('sqs/poll.json')), intake(registryResult('ok-result'))];
    const results = await forwardIntake(rt, log, records);

    expect(statuses(results)).toEqual(['rejected', 'fulfilled', 'rejected', 'fulfilled']);
    expect(reasonOf(results[0])).toBeInstanceOf(InvalidMessageError);
    expect(reasonOf(results[2])).toBeInstanceOf(InvalidMessageError);
    expect(rec.sent.polls.map((p) => p.job.image.repository)).toEqual(['ok-push']);
    expect(rec.notified().map((j) => j.image.repository)).toEqual(['ok-result']);
  });

  it('a failed send rejects only the records it carried', async () => {
    const refused = new Error('SQS refused 1 message(s): InternalError');
    const runtime = { ...withGatheringScanner(rt), queue: { ...rec.queue, queueScans: async () => Promise.reject(refused) } };
    const results = await forwardIntake(runtime, log, [intake(gatheredJob('lost-a')), intake(registryResult('kept')), intake(gatheredJob('lost-b'))]);

    expect(statuses(results)).toEqual(['rejected', 'fulfilled', 'rejected']);
    expect(reasonOf(results[0])).toBe(refused);
    expect(reasonOf(results[2])).toBe(refused);
    expect(rec.notified().map((j) => j.image.repository)).toEqual(['kept']);
  });
});

describe('createStartScan: one batch from both queues', () => {
  /** The handler with a middleware that keeps its settled results before they become `batchItemFailures`. */
  const startScanHandler = () => {
    const seen: { results?: PromiseSettledResult<void>[] } = {};
    const handler = createStartScan(async () => rt).use({
      after: async (request) => {
        seen.results = request.response as PromiseSettledResult<void>[];
      },
    });
    const run = async (records: ReturnType<typeof sqsRecord>[]) => {
      const response = await handler({ Records: records } as SQSEvent, {} as Context);
      return { response, results: seen.results! };
    };
    return run;
  };

  it('intake (.fifo) records are forwarded or started, scan-queue records started, each result in its record’s place', async () => {
    const records = [
      sqsRecord({ ...scanJob('mixed-bad'), v: 2 }),
      intake(scanJob('mixed-forwarded')),
      sqsRecord(scanJob('mixed-started')),
      intake('not json'),
      intake(registryResult('mixed-result')),
    ];
    const { response, results } = await startScanHandler()(records);

    expect(statuses(results)).toEqual(['rejected', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(reasonOf(results[0]).message).toMatch(/does not match its schema/);
    expect(reasonOf(results[3]).message).toBe('message body is not JSON');
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: records[0]!.messageId }, { itemIdentifier: records[3]!.messageId }] });

    expect(rec.sent.queued).toEqual([]); // ACR starts one image per call: nothing to gather
    expect(rec.sent.polls.map((p) => p.job.image.repository).sort()).toEqual(['mixed-forwarded', 'mixed-started']);
    expect(rec.notified().map((j) => j.image.repository)).toEqual(['mixed-result']);
    expect(sim.count('CreateRepoTagScanTask')).toBe(2);
  });

  it('a scan that fails to start fails its own record, between intake records that succeed', async () => {
    sim.setBehaviour('team-a/mixed-outage', { failFirst: 3, failWith: 'unavailable' });
    const records = [intake(scanJob('order-a')), sqsRecord(scanJob('mixed-outage')), intake(scanJob('order-b')), sqsRecord(scanJob('order-c'))];
    const { response, results } = await startScanHandler()(records);

    expect(statuses(results)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(reasonOf(results[1]).code).toBe('ServiceUnavailable');
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: records[1]!.messageId }] });
    expect(rec.sent.polls.map((p) => p.job.image.repository).sort()).toEqual(['order-a', 'order-b', 'order-c']);
  });
});
