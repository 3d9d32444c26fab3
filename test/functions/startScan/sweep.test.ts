import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runSweep, SWEEP_PART_SIZE } from '../../../functions/startScan/sweep.js';
import { type AcrSimulator, startAcrSimulator } from '../../../local/simulators/acr.js';
import { parseConfig } from '../../../shared/config/config.js';
import { knownCount, knownFindings } from '../../../shared/report/knownFindings.js';
import { withHttp } from '../../../shared/runtime/withHttp.js';
import { type ScannerRuntime, withScanners } from '../../../shared/runtime/withScanners.js';
import { digestOf } from '../../support/events.js';
import { acrSimulatorEnv, fakeRuntime, recordingQueue } from '../../support/runtime.js';

/** Sweeps against the ACR simulator on 127.0.0.1, with an in-memory queue recording what they queue. */
const NOW = new Date('2026-11-29T03:00:30.000Z');
const TICK = '2026-11-29T03:00:00Z';
const DAY = 86_400_000;
const log = new Logger({ serviceName: 'scanhook-test', logLevel: 'SILENT' });
const rec = recordingQueue();
let sim: AcrSimulator;
let rt: ScannerRuntime;

beforeAll(async () => {
  sim = await startAcrSimulator();
  const config = parseConfig({
    sources: { acr: { secret: 'a-long-enough-webhook-secret-1234' }, harbor: { secret: 'a-long-enough-webhook-secret-1234' } },
    scanners: {
      'acr-hz': { type: 'acr', region: 'cn-hangzhou', instanceId: 'cri-unit', endpoint: sim.url },
    },
    channels: { sec: { type: 'webhook', url: 'https://sec.invalid/hook' }, ops: { type: 'webhook', url: 'https://ops.invalid/hook' } },
    routes: [
      { source: 'harbor', namespace: 'legacy', scanner: 'registry', channels: ['sec'], watch: {} },
      { source: 'acr', namespace: 'team', repository: 'pinned', scanner: 'acr-hz', channels: ['sec'] },
      { source: 'acr', namespace: 'team', scanner: 'acr-hz', channels: ['sec'], watch: { tagsPerRepository: 2 } },
    ],
    opsChannels: ['ops'],
    watch: { schedule: 'rate(1 day)', maxImagesPerSweep: 30 },
    http: { timeoutMs: 2000, attempts: 3, baseDelayMs: 1, maxDelayMs: 20 },
  });
  rt = withScanners(withHttp(fakeRuntime(config, rec.queue, { now: () => NOW, env: acrSimulatorEnv })), log);
  const now = Date.now();
  for (let r = 0; r < 20; r++) {
    for (const [i, tag] of ['a', 'b', 'c'].entries())
      sim.pushTag(`team/svc-${r}`, tag, digestOf(`svc-${r}-${tag}`), now - (10 * i + r) * DAY, { scanned: true });
  }
  sim.pushTag('team/pinned', 'a', digestOf('pinned'), now, { scanned: true });
  sim.pushTag('legacy/old', 'a', digestOf('old'), now, { scanned: true });
});
afterAll(async () => {
  await rt?.http.close();
  await sim?.close();
});
beforeEach(() => {
  rec.clear();
  sim.calls.length = 0;
});

const sweep = () => runSweep(rt, log, { kind: 'sweep', v: 1, scheduledAt: TICK });

describe('a sweep lists the watched images', () => {
  it('keeps the newest tags of each repository up to maxImagesPerSweep, queues them in parts, and says in one line how many it skipped', async () => {
    await sweep();
    const images = rec.sent.sweeps.flatMap((p) => p.images ?? []);
    // 20 repositories × their 2 newest tags = 40, newest pushed first, cut at 30.
    expect(images).toHaveLength(30);
    expect(new Set(images.map((i) => i.image.tag))).toEqual(new Set(['a', 'b']));
    expect(rec.sent.sweeps.map((p) => [p.part, p.images?.length])).toEqual([
      [0, SWEEP_PART_SIZE],
      [1, 30 - SWEEP_PART_SIZE],
    ]);
    expect(images.every((i) => i.route === 2 && i.image.pushedAt !== undefined)).toBe(true);
    // team/pinned belongs to route 1 (first match, not watched); legacy/* to a route that takes Harbor's own results.
    expect(images.some((i) => i.image.repository === 'pinned' || i.image.namespace === 'legacy')).toBe(false);
    const ops = rec.notified();
    expect(ops.every((j) => j.channel === 'ops' && j.ops)).toBe(true);
    const reason = ops[0]?.outcome.status === 'error' ? ops[0].outcome.reason : '';
    expect(reason).toContain('10 of 40 images not re-scanned: watch.maxImagesPerSweep is 30');
    expect(reason).toContain('routes[0].watch: scanner "registry" cannot list its images for a sweep');
  });

  it('the same tick lists the same parts again: what the intake queue deduplicates', async () => {
    await sweep();
    const first = JSON.stringify(rec.sent.sweeps);
    rec.sent.sweeps.length = 0;
    await sweep();
    expect(JSON.stringify(rec.sent.sweeps)).toBe(first);
  });
});

describe('a part of a sweep reads each last scan and queues the re-scan', () => {
  const part = async () => {
    await sweep();
    return rec.sent.sweeps[0]!;
  };

  it("carries the last scan's finding identities; the same tick makes the same jobIds (a push's, at the scheduled time)", async () => {
    const job = await part();
    await runSweep(rt, log, job);
    const rescans = rec.sent.scanJobs;
    expect(rescans).toHaveLength(SWEEP_PART_SIZE);
    const first = rescans[0]!;
    expect(first.rescan).toMatchObject({ sweep: TICK, complete: true });
    // The simulator's usual image holds 16 findings.
    expect(knownCount(first.rescan!.known!)).toBe(16);
    expect(knownFindings(first.rescan!.known!)({ id: 'CVE-2024-1000', package: 'openssl' })).toBe(true);
    const ids = rescans.map((j) => j.jobId);
    rec.sent.scanJobs.length = 0;
    await runSweep(rt, log, job);
    expect(rec.sent.scanJobs.map((j) => j.jobId)).toEqual(ids);
  });

  it('an image whose last scan cannot be read is not re-scanned, and said so; the others are', async () => {
    const job = await part();
    const broken = job.images![3]!.image;
    sim.setBehaviour(`${broken.namespace}/${broken.repository}`, { failFirst: 100, failWith: 'unavailable', failActions: ['GetRepoTagScanStatus'] });
    rec.sent.notify.length = 0;
    await runSweep(rt, log, job);
    sim.setBehaviour(`${broken.namespace}/${broken.repository}`, {});
    const queued = rec.sent.scanJobs.map((j) => `${j.image.repository}:${j.image.tag}`);
    const sameRepository = job.images!.filter((i) => i.image.repository === broken.repository).length;
    expect(queued).toHaveLength(SWEEP_PART_SIZE - sameRepository);
    expect(queued).not.toContain(`${broken.repository}:${broken.tag}`);
    const reason = rec.notified()[0]?.outcome.status === 'error' ? (rec.notified()[0]!.outcome as { reason: string }).reason : '';
    expect(reason).toContain(`"team/${broken.repository}:${broken.tag}": its last scan could not be read, so it was not re-scanned`);
  });
});
