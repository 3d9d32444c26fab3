import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HUAWEI_SIM_KEYS, HUAWEI_SIM_PROJECT } from '../../../local/simulators/huaweiApig.js';
import { type IamSimulator, startIamSimulator } from '../../../local/simulators/iam.js';
import { type SwrSimulator, startSwrSimulator } from '../../../local/simulators/swr.js';
import { CallError } from '../../../shared/http/callError.js';
import { createHttpClient, type HttpClient } from '../../../shared/http/client.js';
import type { ImagePush } from '../../../shared/messages/image.js';
import { swrScanner } from '../../../shared/scanners/swr.js';
import { digestOf } from '../../support/events.js';

let iam: IamSimulator;
let sim: SwrSimulator;
let http: HttpClient;
beforeAll(async () => {
  iam = await startIamSimulator();
  sim = await startSwrSimulator({ tokens: iam.tokens });
  http = createHttpClient({ timeoutMs: 2000 });
});
afterAll(async () => {
  await http.close();
  await Promise.all([sim.close(), iam.close()]);
});

const env = { HUAWEICLOUD_SDK_AK: HUAWEI_SIM_KEYS.accessKey, HUAWEICLOUD_SDK_SK: HUAWEI_SIM_KEYS.secretKey };
const INSTANCE = 'ee-0123';
const scanner = () =>
  swrScanner.create(
    swrScanner.configSchema.parse({ type: 'swr', region: 'cn-north-4', projectId: HUAWEI_SIM_PROJECT, instanceId: INSTANCE, endpoint: sim.url }),
    {
      http,
      retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 10 },
      env,
      onRetry: () => undefined,
    },
  );
const push = (namespace: string, repository: string): ImagePush => ({
  source: 'harbor',
  namespace,
  repository,
  tag: '1.0.0',
  digest: digestOf(`${namespace}/${repository}`),
});

const failure = async (p: Promise<unknown>): Promise<CallError> => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CallError);
  return err as CallError;
};

describe('SWR Enterprise Edition scanner', () => {
  it('starts a scan by digest for a repository name with /, follows its progress, and reports its findings', async () => {
    const client = scanner();
    const image = push('team-a', 'platform/api-gw');
    const handle = await client.start(image);
    const scanCall = sim.calls.at(-1)!;
    expect(scanCall).toMatchObject({ operation: 'StartManualScanning', status: 202, repository: 'team-a/platform/api-gw', auth: 'aksk' });
    expect(scanCall.rawPath).toBe(
      `/v2/${HUAWEI_SIM_PROJECT}/instances/${INSTANCE}/namespaces/team-a/repositories/platform%252Fapi-gw/artifacts/${image.digest}/scan`,
    );

    const checks = [await client.check(image, handle), await client.check(image, handle), await client.check(image, handle)];
    expect(checks).toEqual([{ state: 'running', progress: 33 }, { state: 'running', progress: 67 }, { state: 'complete' }]);
    const report = await client.report(image, handle);
    expect(report.counts).toEqual({ critical: 1, high: 2, medium: 3, low: 4, unknown: 1 });
    expect(report.total).toBe(11);
    expect(report.fixable).toBe(7); // the findings with a fix_version
    expect(report.findings).toHaveLength(11);
    expect(report.findings[0]).toEqual({
      id: 'CVE-2025-100',
      severity: 'critical',
      package: 'openssl',
      installedVersion: '3.0.0',
      fixedVersion: '3.0.1',
      link: 'https://nvd.nist.gov/vuln/detail/CVE-2025-100',
    });
    expect(report.findings.map((f) => f.severity)).toEqual(['critical', 'high', 'high', 'medium', 'medium', 'medium', 'low', 'low', 'low', 'low', 'unknown']);
    expect(report.consoleUrl).toBe('https://console.huaweicloud.com/swr/?region=cn-north-4');
    expect(sim.callsFor('team-a/platform/api-gw').every((c) => c.status < 300)).toBe(true);
  });

  it('a scan that ends in Error is a failed scan', async () => {
    const client = scanner();
    const image = push('team-a', 'report-broken');
    await client.start(image);
    let check = await client.check(image, {});
    for (let i = 0; i < 5 && check.state === 'running'; i++) check = await client.check(image, {});
    expect(check).toEqual({ state: 'failed', reason: 'SWR Enterprise Edition reported the scan as Error' });
  });

  it('a clean artifact reports nothing', async () => {
    const client = scanner();
    const image = push('team-a', 'base-clean');
    await client.start(image);
    const report = await client.report(image, {});
    expect(report).toMatchObject({ total: 0, findings: [], counts: { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 } });
  });

  it('a 404 from the scan API on an existing artifact says the instance is older than v25.7.20', async () => {
    const image = push('team-a', 'legacy-api');
    const err = await failure(scanner().start(image));
    expect(err).toMatchObject({ kind: 'not_found', code: 'SWR.EE.4040001', retryable: false });
    expect(err.message).toBe(
      `StartManualScanning: SWR.EE.4040001: resource not found: the artifact exists, so the instance is older than v25.7.20, the first SWR Enterprise Edition version with the scan API; upgrade instance ${INSTANCE}`,
    );
    expect(sim.callsFor('team-a/legacy-api').map((c) => [c.operation, c.status])).toEqual([
      ['StartManualScanning', 404],
      ['ShowInstanceArtifact', 200],
    ]);
  });

  it('a 404 for an artifact that does not exist says so instead', async () => {
    const image = push('team-a', 'missing-api');
    const err = await failure(scanner().start(image));
    expect(err.kind).toBe('not_found');
    expect(err.message).toContain(`(no artifact team-a/missing-api@${image.digest} in instance ${INSTANCE})`);
  });

  it('a permission refusal is thrown with the SWR code', async () => {
    const err = await failure(scanner().start(push('team-a', 'vault-denied')));
    expect(err).toMatchObject({ kind: 'permission', code: 'SWR.EE.4030001', status: 403 });
  });

  it('the config names a missing instance and a bad region', () => {
    const result = swrScanner.configSchema.safeParse({ type: 'swr', region: 'North 4', projectId: 'p' });
    expect(result.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['region', 'expected a region id such as "cn-north-4"'],
      ['instanceId', 'Invalid input: expected string, received undefined'],
    ]);
  });
});

describe('SWR Enterprise Edition: what a sweep lists', () => {
  const DAY = 86_400_000;

  it('lists the instance repositories (a name with /), their tagged artifacts with push times, and an image last scan with its end', async () => {
    const now = Date.now();
    sim.pushArtifact('sweep-a/platform/api', digestOf('api-1'), '1.0', now - 9 * DAY, { scanned: true });
    sim.pushArtifact('sweep-a/platform/api', digestOf('api-2'), '1.1', now - 2 * DAY);
    sim.pushArtifact('sweep-b/web', digestOf('web-1'), 'v1', now - DAY, { scanned: true });
    const list = scanner().list!;
    const repositories = await list.repositories();
    expect(repositories).toEqual(
      expect.arrayContaining([
        { namespace: 'sweep-a', repository: 'platform/api' },
        { namespace: 'sweep-b', repository: 'web' },
      ]),
    );
    expect(sim.calls.filter((c) => c.operation === 'ListInstanceRepositories').every((c) => c.status === 200)).toBe(true);

    const tags = await list.tags({ namespace: 'sweep-a', repository: 'platform/api' });
    expect(tags.sort((a, b) => a.tag.localeCompare(b.tag))).toEqual([
      { tag: '1.0', digest: digestOf('api-1'), pushedAt: now - 9 * DAY },
      { tag: '1.1', digest: digestOf('api-2'), pushedAt: now - 2 * DAY },
    ]);

    const image = { source: 'swr', namespace: 'sweep-a', repository: 'platform/api', tag: '1.0', digest: digestOf('api-1') };
    const last = await list.lastScan(image);
    expect(last?.complete).toBe(true);
    expect(last?.findings).toHaveLength(11);
    expect(last?.scannedAt).toBe(new Date(now - 9 * DAY).toISOString());
    // Never scanned: no last scan.
    expect(await list.lastScan({ ...image, tag: '1.1', digest: digestOf('api-2') })).toBeUndefined();
  });

  it('pages the repository list 100 at a time', async () => {
    for (let i = 0; i < 120; i++) sim.pushArtifact(`paged/r-${String(i).padStart(3, '0')}`, digestOf(`paged-${i}`), 'v1');
    const before = sim.count('ListInstanceRepositories');
    const repositories = await scanner().list!.repositories();
    expect(repositories.filter((r) => r.namespace === 'paged')).toHaveLength(120);
    expect(sim.count('ListInstanceRepositories') - before).toBeGreaterThanOrEqual(2);
  });
});
