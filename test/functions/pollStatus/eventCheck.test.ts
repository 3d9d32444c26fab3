import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handleWebhook } from '../../../functions/onPush/handler.js';
import { checkScan } from '../../../functions/pollStatus/checkScan.js';
import { startScans } from '../../../functions/startScan/startScans.js';
import { type AcrSimulator, acrSimRepoId, startAcrSimulator } from '../../../local/simulators/acr.js';
import { pushCompletedEvent, scanCompletedEvent } from '../../../local/simulators/acrEvents.js';
import { type Config, parseConfig } from '../../../shared/config/config.js';
import { imageKey } from '../../../shared/messages/image.js';
import type { NotifyJob, PollJob } from '../../../shared/messages/jobs.js';
import { withHttp } from '../../../shared/runtime/withHttp.js';
import { type ScannerRuntime, withScanners } from '../../../shared/runtime/withScanners.js';
import { digestOf, sqsRecord } from '../../support/events.js';
import { acrSimulatorEnv, fakeRuntime, recordingQueue } from '../../support/runtime.js';

/**
 * A scan-completed event and the timer reach the same scan: the event's status check, queued by onPush, and the
 * timer's, queued by startScan, end in notify jobs alike in everything the notify queue deduplicates on.
 */
const SECRET = 'acr-events-unit-secret-012345';
const INSTANCE = { instanceId: 'cri-unit', region: 'cn-hangzhou' };
const NOW = new Date('2026-11-22T06:26:40.000Z');
const log = new Logger({ serviceName: 'scanhook-test', logLevel: 'SILENT' });
const rec = recordingQueue();
let sim: AcrSimulator;
let config: Config;
let rt: ScannerRuntime;

beforeAll(async () => {
  sim = await startAcrSimulator();
  config = parseConfig({
    sources: { ee: { type: 'acr-events', secret: SECRET, scanner: 'acr-hz' } },
    scanners: { 'acr-hz': { type: 'acr', ...INSTANCE, endpoint: sim.url } },
    channels: { sec: { type: 'slack', url: 'https://hooks.slack.invalid/services/T0/B0/unit' }, audit: { type: 'webhook', url: 'https://audit.invalid/hook' } },
    routes: [
      { source: 'ee', namespace: 'auto-*', scanner: 'registry', channels: ['audit'] },
      { source: 'ee', namespace: 'team-*', scanner: 'acr-hz', channels: ['sec', 'audit'] },
    ],
    polling: { initialDelaySeconds: 5, maxDelaySeconds: 30, deadlineMinutes: 60 },
    http: { timeoutMs: 2000, attempts: 3, baseDelayMs: 1, maxDelayMs: 20 },
  });
  rt = withScanners(withHttp(fakeRuntime(config, rec.queue, { now: () => NOW, env: acrSimulatorEnv })), log);
});
afterAll(async () => {
  await rt?.http.close();
  await sim?.close();
});
beforeEach(() => {
  rec.clear();
  sim.calls.length = 0;
});

const webhook = async (event: unknown) => {
  const res = await handleWebhook(rt, { source: 'ee', headers: { 'content-type': 'application/json' }, query: { token: SECRET }, body: JSON.stringify(event) });
  expect(res.statusCode).toBe(202);
};
const imageOf = (namespace: string, repository: string, tag: string) => ({
  ...INSTANCE,
  namespace,
  repository,
  repoId: acrSimRepoId(namespace, repository),
  tag,
  digest: digestOf(`${namespace}/${repository}`),
});
/** The poll jobs sent since the last call, emptied. */
const takePolls = (): { job: PollJob; delaySeconds: number }[] => rec.sent.polls.splice(0);
const takeNotified = (): NotifyJob[] => rec.sent.notify.splice(0).flatMap((n) => n.jobs);
/** What the notify queue's deduplication id is made of. */
const dedupFields = (j: NotifyJob) => ({
  channel: j.channel,
  route: j.route,
  scanner: j.scanner,
  image: imageKey(j.image),
  tag: j.image.tag,
  status: j.outcome.status,
});

describe('a ScanCompleted event and the timer lead to the same message', () => {
  it('the event’s check and the timer’s give notify jobs equal in channel, route, scanner, image, tag and outcome', async () => {
    const image = imageOf('team-a', 'same-scan', '1.0.0');
    // The push: onPush queues its scan job, startScan starts the scan and queues the timer's first check.
    await webhook(pushCompletedEvent(image));
    const [scanJob] = rec.sent.scanJobs.splice(0);
    await startScans(rt, log, [sqsRecord(scanJob)]);
    const [timer] = takePolls();
    expect(timer!.delaySeconds).toBe(5);

    // ACR finishes the scan and says so: onPush queues a check at once.
    await webhook(sim.finishScan('team-a/same-scan', '1.0.0', INSTANCE));
    const [event] = takePolls();
    expect(event!.delaySeconds).toBe(0);
    expect(event!.job.fromEvent).toBe(true);

    await checkScan(rt, log, sqsRecord(event!.job, { queue: 'poll' }));
    const fromEvent = takeNotified();
    await checkScan(rt, log, sqsRecord(timer!.job, { queue: 'poll' }));
    const fromTimer = takeNotified();

    expect(fromEvent.map((j) => j.channel)).toEqual(['sec', 'audit']);
    expect(fromEvent.map(dedupFields)).toEqual(fromTimer.map(dedupFields));
    expect(fromEvent.map(dedupFields)[0]).toEqual({
      channel: 'sec',
      route: 1,
      scanner: 'acr-hz',
      image: `team-a/same-scan@${image.digest}`,
      tag: '1.0.0',
      status: 'complete',
    });
    expect(fromEvent[0]!.outcome).toEqual(fromTimer[0]!.outcome);
    // The event's check knows no start: its message gives no duration; the timer's does.
    expect(fromEvent[0]!.scanStartedAt).toBeUndefined();
    expect(fromTimer[0]!.scanStartedAt).toBe(timer!.job.scan.startedAt);
  });

  it('a scan still running at the event is left to the timer of its start: no second timer, no message', async () => {
    const image = imageOf('team-a', 'still-running', '1.0.0');
    await webhook(pushCompletedEvent(image));
    await startScans(
      rt,
      log,
      rec.sent.scanJobs.splice(0).map((j) => sqsRecord(j)),
    );
    takePolls();
    const event = sim.finishScan('team-a/still-running', '1.0.0', INSTANCE);
    sim.setBehaviour('team-a/still-running', { outcome: 'never' });
    await webhook(event);
    const [check] = takePolls();
    sim.calls.length = 0;
    await checkScan(rt, log, sqsRecord(check!.job, { queue: 'poll' }));
    expect(sim.calls.map((c) => c.action)).toEqual(['GetRepoTagScanStatus']);
    expect(rec.sent.polls).toEqual([]);
    expect(rec.notified()).toEqual([]);
  });

  it('an event before scanhook’s own scan has started (no scan of the tag yet) is left to that scan’s timer, not reported', async () => {
    const image = imageOf('team-a', 'not-started-yet', '1.0.0');
    sim.pushTag('team-a/not-started-yet', image.tag, image.digest);
    await webhook(scanCompletedEvent(image, { status: 'COMPLETE' }));
    const [check] = takePolls();
    await checkScan(rt, log, sqsRecord(check!.job, { queue: 'poll' }));
    expect(sim.calls.map((c) => [c.action, c.status])).toEqual([['GetRepoTagScanStatus', 404]]);
    expect(rec.sent.polls).toEqual([]);
    expect(rec.sent.deadLetters).toEqual([]);
    expect(rec.notified()).toEqual([]);
  });

  it('on a "registry" route ACR’s own scan is read and sent, with no start call', async () => {
    const image = imageOf('auto-a', 'autoscan-web', '2.0.0');
    sim.pushTag('auto-a/autoscan-web', image.tag, image.digest);
    await webhook(sim.finishScan('auto-a/autoscan-web', '2.0.0', INSTANCE));
    const [check] = takePolls();
    expect(check!.job).toMatchObject({ route: 0, scanner: 'acr-hz', channels: ['audit'], fromEvent: true });
    await checkScan(rt, log, sqsRecord(check!.job, { queue: 'poll' }));
    const [job] = takeNotified();
    expect(job).toMatchObject({ route: 0, channel: 'audit', scanner: 'acr-hz', scannerLabel: 'Alibaba Cloud ACR', outcome: { status: 'complete' } });
    expect(sim.calls.map((c) => c.action)).not.toContain('CreateRepoTagScanTask');
    expect(sim.calls.map((c) => c.action)).not.toContain('GetRepository');
  });

  it('on a "registry" route a scan ACR does not yet report complete is followed by the timer that check starts', async () => {
    const image = imageOf('auto-a', 'autoscan-lagging', '2.0.0');
    sim.pushTag('auto-a/autoscan-lagging', image.tag, image.digest);
    const event = sim.finishScan('auto-a/autoscan-lagging', '2.0.0', INSTANCE);
    sim.setBehaviour('auto-a/autoscan-lagging', { outcome: 'never' });
    await webhook(event);
    const [check] = takePolls();
    await checkScan(rt, log, sqsRecord(check!.job, { queue: 'poll' }));
    expect(rec.sent.polls).toEqual([{ job: { ...check!.job, scan: { ...check!.job.scan, checks: 1 } }, delaySeconds: 8 }]);
    expect(rec.notified()).toEqual([]);
  });
});
