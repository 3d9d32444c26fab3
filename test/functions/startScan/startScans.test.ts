import { createHash } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startScans } from '../../../functions/startScan/startScans.js';
import { type AcrSimulator, startAcrSimulator } from '../../../local/simulators/acr.js';
import { CallError } from '../../../shared/http/callError.js';
import type { ImagePush } from '../../../shared/messages/image.js';
import { ScanJob } from '../../../shared/messages/jobs.js';
import { InvalidMessageError } from '../../../shared/queue/records.js';
import { withHttp } from '../../../shared/runtime/withHttp.js';
import { type ScannerRuntime, withScanners } from '../../../shared/runtime/withScanners.js';
import type { ScannerClient } from '../../../shared/scanners/scanner.js';
import { jobOf, sqsRecord } from '../../support/events.js';
import { acrSimulatorEnv, acrTestConfig, fakeRuntime, recordingQueue } from '../../support/runtime.js';

/** Scan-queue batches against the ACR simulator on 127.0.0.1, with an in-memory queue recording what is sent on. */
const NOW = new Date('2026-11-22T06:26:00.000Z');
const log = new Logger({ serviceName: 'scanhook-test', logLevel: 'SILENT' });
const rec = recordingQueue();
let sim: AcrSimulator;
let rt: ScannerRuntime;

beforeAll(async () => {
  sim = await startAcrSimulator();
  const config = acrTestConfig(sim.url);
  const env = acrSimulatorEnv;
  rt = withScanners(withHttp(fakeRuntime(config, rec.queue, { now: () => NOW, env, maxReceiveCount: { intake: 5, scan: 5, poll: 5, notify: 5 } })), log);
});
afterAll(async () => {
  await rt?.http.close();
  await sim?.close();
});
beforeEach(() => {
  sim.calls.length = 0;
  rec.clear();
});

const sample = ScanJob.parse(jobOf('sqs/scan.json'));
const digestOf = (repository: string) => `sha256:${createHash('sha256').update(repository).digest('hex')}`;
/** A scan job for `team-a/{repository}:{tag}`; the digest follows the repository, so two tags of one repository are one image. */
const scanJob = (repository: string, tag = '1.0.0', over: Partial<ScanJob> = {}): ScanJob => ({
  ...sample,
  jobId: `job-${repository}-${tag}`,
  image: { ...sample.image, repository, tag, digest: digestOf(repository) },
  ...over,
});
const statuses = (results: PromiseSettledResult<void>[]) => results.map((r) => r.status);
const reasonOf = (result: PromiseSettledResult<void> | undefined) => (result as PromiseRejectedResult).reason;
const minutesBefore = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000).toISOString();

describe('startScans: starting scans', () => {
  it('two tags of one image start one scan, and one poll job lists both tags, delayed by polling.initialDelaySeconds', async () => {
    const results = await startScans(rt, log, [sqsRecord(scanJob('api', '1.4.2')), sqsRecord(scanJob('api', 'latest'))]);

    expect(statuses(results)).toEqual(['fulfilled', 'fulfilled']);
    expect(sim.count('GetRepository')).toBe(1);
    expect(sim.count('CreateRepoTagScanTask')).toBe(1);
    const create = sim.calls.find((c) => c.action === 'CreateRepoTagScanTask')!;
    expect(create.params).toMatchObject({ InstanceId: 'cri-unit', Tag: '1.4.2', Digest: digestOf('api') });
    const repoId = sim.calls.find((c) => c.action === 'GetRepository')!.body.RepoId;

    expect(rec.sent.polls).toHaveLength(1);
    const { job, delaySeconds } = rec.sent.polls[0]!;
    expect(delaySeconds).toBe(5);
    expect(job).toMatchObject({ kind: 'poll', jobId: 'job-api-1.4.2', scanner: 'acr-hz', channels: ['sec', 'audit'] });
    expect(job.image).toMatchObject({ repository: 'api', tag: '1.4.2', tags: ['1.4.2', 'latest'], digest: digestOf('api') });
    expect(job.scan).toEqual({
      startedAt: NOW.toISOString(),
      deadline: '2026-11-22T07:26:00.000Z',
      checks: 0,
      handle: { repoId, tag: '1.4.2' },
    });
    expect(rec.notified()).toEqual([]);
    expect(rec.sent.deadLetters).toEqual([]);
  });

  it('different images get a scan and a poll job each', async () => {
    const results = await startScans(rt, log, [sqsRecord(scanJob('web')), sqsRecord(scanJob('worker'))]);

    expect(statuses(results)).toEqual(['fulfilled', 'fulfilled']);
    expect(sim.count('CreateRepoTagScanTask')).toBe(2);
    const polled = rec.sent.polls.map((p) => [p.job.jobId, p.job.image.repository, p.job.image.tags, p.delaySeconds]);
    expect(polled.sort()).toEqual([
      ['job-web-1.0.0', 'web', undefined, 5],
      ['job-worker-1.0.0', 'worker', undefined, 5],
    ]);
  });

  it('a malformed record is rejected alone; the rest of the batch starts', async () => {
    const records = [sqsRecord('{not json'), sqsRecord(scanJob('cron')), sqsRecord({ ...scanJob('cron2'), v: 2 })];
    const results = await startScans(rt, log, records);

    expect(statuses(results)).toEqual(['rejected', 'fulfilled', 'rejected']);
    expect(reasonOf(results[0])).toBeInstanceOf(InvalidMessageError);
    expect(reasonOf(results[2])).toBeInstanceOf(InvalidMessageError);
    expect(sim.count('CreateRepoTagScanTask')).toBe(1);
    expect(rec.sent.polls.map((p) => p.job.image.repository)).toEqual(['cron']);
  });
});

describe('startScans: scans that cannot start (handleJobFailure)', () => {
  it('NoPrivilege: an error message to every channel, then the job to the scan DLQ; the record is done', async () => {
    const record = sqsRecord(scanJob('denied-api'));
    const results = await startScans(rt, log, [record]);

    expect(statuses(results)).toEqual(['fulfilled']);
    expect(sim.count('CreateRepoTagScanTask')).toBe(1); // a permission error is not retried
    expect(rec.calls).toEqual(['sendNotify', 'sendToDeadLetter']);
    const notified = rec.notified();
    expect(notified.map((j) => j.channel)).toEqual(['sec', 'audit']);
    for (const job of notified) {
      expect(job).toMatchObject({ jobId: 'job-denied-api-1.0.0', scannerType: 'acr', scannerLabel: 'Alibaba Cloud ACR', finishedAt: NOW.toISOString() });
      expect(job.outcome).toEqual({ status: 'error', code: 'NoPrivilege', reason: expect.stringContaining('Access denied'), retryable: false });
      expect(job.scanStartedAt).toBeUndefined();
    }
    expect(rec.sent.deadLetters).toEqual([{ queue: 'scan', body: record.body, reason: expect.stringMatching(/^NoPrivilege: /) }]);
    expect(rec.sent.polls).toEqual([]);
  });

  it('an outage outlasting the retries, before the last receive: the record is rejected and nothing is sent', async () => {
    sim.setBehaviour('team-a/outage-early', { failFirst: 3, failWith: 'unavailable' });
    const results = await startScans(rt, log, [sqsRecord(scanJob('outage-early'), { receiveCount: 4 })]);

    expect(statuses(results)).toEqual(['rejected']);
    expect(reasonOf(results[0])).toBeInstanceOf(CallError);
    expect(reasonOf(results[0]).code).toBe('ServiceUnavailable');
    expect(sim.count('GetRepository')).toBe(3);
    expect(rec.calls).toEqual([]);
  });

  it('the same outage on the last receive of any merged record: one error message, and the records are still rejected', async () => {
    sim.setBehaviour('team-a/outage-last', { failFirst: 3, failWith: 'unavailable' });
    const records = [sqsRecord(scanJob('outage-last', '2.0.0'), { receiveCount: 1 }), sqsRecord(scanJob('outage-last', 'stable'), { receiveCount: 5 })];
    const results = await startScans(rt, log, records);

    expect(statuses(results)).toEqual(['rejected', 'rejected']);
    expect(rec.calls).toEqual(['sendNotify']);
    const notified = rec.notified();
    expect(notified.map((j) => j.channel)).toEqual(['sec', 'audit']);
    expect(notified[0]!.image.tags).toEqual(['2.0.0', 'stable']);
    expect(notified[0]!.outcome).toMatchObject({ status: 'error', code: 'ServiceUnavailable', retryable: true });
    expect(rec.sent.deadLetters).toEqual([]);
  });
});

describe('startScans: a busy scanner', () => {
  /** ACR never refuses for a concurrency limit, so this scanner is made by hand: every start is refused. */
  const busyRuntime = (retryAfterMs?: number) => {
    const starts: ImagePush[] = [];
    const client: ScannerClient = {
      start: async (image) => {
        starts.push(image);
        throw new CallError({ kind: 'busy', code: 'Busy', message: 'busy', ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
      },
      check: async () => {
        throw new Error('not started');
      },
      report: async () => {
        throw new Error('not started');
      },
      fullReport: async () => {
        throw new Error('not started');
      },
      findBaseline: async () => {
        throw new Error('not started');
      },
      baselineFindings: async () => {
        throw new Error('not started');
      },
    };
    return { runtime: { ...rt, scanner: () => client } as ScannerRuntime, starts };
  };

  it('puts each refused scan off: re-queued with the delay asked for and one more deferral', async () => {
    const { runtime, starts } = busyRuntime(7000);
    const records = [sqsRecord(scanJob('busy-a', '1.0')), sqsRecord(scanJob('busy-a', 'latest')), sqsRecord(scanJob('busy-b', '3.0', { deferrals: 2 }))];
    const results = await startScans(runtime, log, records);

    expect(statuses(results)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(starts.map((i) => i.repository)).toEqual(['busy-a', 'busy-b']);
    const requeued = rec.sent.queued.map((q) => [q.delaySeconds, q.jobs.map((j) => [j.image.repository, j.image.tags, j.deferrals])]);
    expect(requeued.sort()).toEqual([
      [7, [['busy-a', ['1.0', 'latest'], 1]]],
      [7, [['busy-b', undefined, 3]]],
    ]);
    expect(rec.sent.polls).toEqual([]);
    expect(rec.notified()).toEqual([]);
    expect(rec.sent.deadLetters).toEqual([]);
  });

  it('without a wait asked for, the start is put off 30 s', async () => {
    const { runtime } = busyRuntime();
    await startScans(runtime, log, [sqsRecord(scanJob('busy-c'))]);
    expect(rec.sent.queued.map((q) => q.delaySeconds)).toEqual([30]);
  });

  it('busy past the polling deadline (counted from receivedAt): an error message instead of another wait', async () => {
    const { runtime } = busyRuntime(7000);
    const results = await startScans(runtime, log, [sqsRecord(scanJob('busy-late', '1.0.0', { receivedAt: minutesBefore(61), deferrals: 40 }))]);

    expect(statuses(results)).toEqual(['fulfilled']);
    expect(rec.sent.queued).toEqual([]);
    const notified = rec.notified();
    expect(notified.map((j) => j.channel)).toEqual(['sec', 'audit']);
    expect(notified[0]!.outcome).toEqual({ status: 'error', code: 'Busy', reason: expect.stringContaining('still busy'), retryable: true });
    expect(notified[0]!.scannerLabel).toBe('Alibaba Cloud ACR');
    expect(rec.sent.deadLetters).toEqual([]);
  });

  it('busy just inside the deadline is still put off', async () => {
    const { runtime } = busyRuntime(7000);
    await startScans(runtime, log, [sqsRecord(scanJob('busy-edge', '1.0.0', { receivedAt: minutesBefore(59) }))]);
    expect(rec.sent.queued.map((q) => q.jobs[0]!.deferrals)).toEqual([1]);
    expect(rec.notified()).toEqual([]);
  });
});
