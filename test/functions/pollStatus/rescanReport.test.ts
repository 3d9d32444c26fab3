import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRescanReport, rescanThreshold } from '../../../functions/pollStatus/rescanReport.js';
import { type AcrSimulator, startAcrSimulator } from '../../../local/simulators/acr.js';
import { createHttpClient, type HttpClient } from '../../../shared/http/client.js';
import type { ImagePush } from '../../../shared/messages/image.js';
import type { Rescan } from '../../../shared/messages/jobs.js';
import { encodeKnown } from '../../../shared/report/knownFindings.js';
import type { ReportPolicy } from '../../../shared/report/policy.js';
import { shouldNotify } from '../../../shared/report/threshold.js';
import { acrScanner } from '../../../shared/scanners/acr.js';
import { acrSimulatorEnv } from '../../support/runtime.js';

/** A finished re-scan against the ACR simulator, compared with the findings its sweep read before it started. */
let sim: AcrSimulator;
let http: HttpClient;
beforeAll(async () => {
  sim = await startAcrSimulator();
  http = createHttpClient({ timeoutMs: 2000 });
});
afterAll(async () => {
  await http.close();
  await sim.close();
});

const client = () =>
  acrScanner.create(
    { type: 'acr', region: 'cn-hangzhou', instanceId: 'cri-unit', endpoint: sim.url },
    { http, retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5 }, env: acrSimulatorEnv, onRetry: () => undefined },
  );
const NOW = new Date('2026-11-29T03:10:00Z');
const policy = (ignore: ReportPolicy['ignore'] = []): ReportPolicy => ({ baseline: 'previous', ignore, fixableOnly: false });

/** An image scanned long ago whose repository then got `advisory`; its re-scan started, and what its sweep carried. */
const rescanned = async (repository: string, advisory: string) => {
  const image: ImagePush = { source: 'acr', namespace: 'team', repository, tag: 'v1', digest: `sha256:${'d'.repeat(64)}` };
  sim.pushTag(`team/${repository}`, 'v1', image.digest, Date.now() - 30 * 86_400_000, { scanned: true });
  const acr = client();
  const last = await acr.list!.lastScan(image);
  const rescan: Rescan = { sweep: '2026-11-29T03:00:00Z', complete: true, known: encodeKnown(last!.findings) };
  sim.publishAdvisory(`team/${repository}`, advisory);
  const handle = await acr.start(image);
  return { acr, image, handle, rescan };
};

describe('a re-scan report', () => {
  it('counts as new only what the last scan did not have, and lists it first', async () => {
    const { acr, image, handle, rescan } = await rescanned('gains', 'CVE-2031-7777');
    const report = await readRescanReport(acr, image, handle, policy(), rescan, NOW);
    expect(report.delta).toMatchObject({ status: 'compared', new: { high: 1, medium: 0, low: 0, unknown: 0 } });
    expect(report.delta?.status === 'compared' && report.delta.newFindings.map((f) => f.id)).toEqual(['CVE-2031-7777']);
    const outcome = { status: 'complete' as const, report };
    expect(shouldNotify(outcome, rescanThreshold({ minSeverity: 'high', notifyOnPass: true, notify: 'always' }))).toBe(true);
    // Above the route's bar only: ACR has no Critical.
    expect(shouldNotify(outcome, rescanThreshold({ minSeverity: 'critical', notifyOnPass: true }))).toBe(false);
  });

  it('a new finding the ignore list covers is no news', async () => {
    const { acr, image, handle, rescan } = await rescanned('ignored', 'CVE-2031-8888');
    const ignore = [{ id: 'CVE-2031-8888', until: '2099-12-31', reason: 'not reachable' }];
    const report = await readRescanReport(acr, image, handle, policy(ignore), rescan, NOW);
    expect(report.delta).toMatchObject({ status: 'compared', new: { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 } });
    expect(report.ignored).toBe(1);
    expect(shouldNotify({ status: 'complete', report }, rescanThreshold({ minSeverity: 'none', notifyOnPass: true }))).toBe(false);
  });

  it('a last scan that was not read whole leaves the re-scan uncompared, posted as a push would be', async () => {
    const { acr, image, handle, rescan } = await rescanned('partial', 'CVE-2031-9999');
    const report = await readRescanReport(acr, image, handle, policy(), { ...rescan, complete: false }, NOW);
    expect(report.delta?.status).toBe('unavailable');
    expect(shouldNotify({ status: 'complete', report }, rescanThreshold({ minSeverity: 'high', notifyOnPass: false }))).toBe(true);
  });
});
