import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policyOf, readReport } from '../../../functions/pollStatus/readReport.js';
import { type AcrSimulator, startAcrSimulator } from '../../../local/simulators/acr.js';
import { ALIBABA_SIM_CREDENTIALS } from '../../../local/simulators/acs3Verifier.js';
import { digestOfGeneration } from '../../../local/simulators/findings.js';
import { type HssSimulator, startHssSimulator } from '../../../local/simulators/hss.js';
import { HUAWEI_SIM_KEYS, HUAWEI_SIM_PROJECT } from '../../../local/simulators/huaweiApig.js';
import { type IamSimulator, startIamSimulator } from '../../../local/simulators/iam.js';
import { type SasSimulator, startSasSimulator } from '../../../local/simulators/sas.js';
import { type SwrSimulator, startSwrSimulator } from '../../../local/simulators/swr.js';
import { parseConfig, type Route } from '../../../shared/config/config.js';
import { createHttpClient, type HttpClient } from '../../../shared/http/client.js';
import type { ImagePush } from '../../../shared/messages/image.js';
import type { ReportPolicy } from '../../../shared/report/policy.js';
import { type Delta, findingKey, type Report, SEVERITIES, type SeverityCounts } from '../../../shared/report/report.js';
import { acrScanner } from '../../../shared/scanners/acr.js';
import { hssScanner } from '../../../shared/scanners/hss.js';
import { sasScanner } from '../../../shared/scanners/sas.js';
import type { ScanHandle, ScannerClient } from '../../../shared/scanners/scanner.js';
import { swrScanner } from '../../../shared/scanners/swr.js';

/**
 * Each scanner finds its baseline and reads both whole lists through its own APIs, against its simulator on 127.0.0.1
 * (real HTTP, real signatures), as pollStatus does: `readReport`. `*delta*` repositories hold different findings per
 * digest generation: each generation fixes the first finding of every level and brings one new one.
 */
let http: HttpClient;
let acr: AcrSimulator;
let sas: SasSimulator;
let iam: IamSimulator;
let swr: SwrSimulator;
let hss: HssSimulator;
beforeAll(async () => {
  http = createHttpClient({ timeoutMs: 3000 });
  [acr, sas, iam] = await Promise.all([startAcrSimulator(), startSasSimulator(), startIamSimulator()]);
  [swr, hss] = await Promise.all([startSwrSimulator({ tokens: iam.tokens }), startHssSimulator({ tokens: iam.tokens })]);
});
afterAll(async () => {
  await http.close();
  await Promise.all([acr.close(), sas.close(), iam.close(), swr.close(), hss.close()]);
});

const ctx = () => ({
  http,
  retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 10 },
  env: {
    ALIBABA_CLOUD_ACCESS_KEY_ID: ALIBABA_SIM_CREDENTIALS.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: ALIBABA_SIM_CREDENTIALS.accessKeySecret,
    HUAWEICLOUD_SDK_AK: HUAWEI_SIM_KEYS.accessKey,
    HUAWEICLOUD_SDK_SK: HUAWEI_SIM_KEYS.secretKey,
  },
  onRetry: () => undefined,
});

interface Harness {
  name: string;
  /** Levels the usual findings spread over: each generation has one new and one fixed finding per level. */
  levels: number;
  client(): ScannerClient;
  /** `tag` (and `more` tags) of `team/{repo}` pushed as `digest` at `at`, and scanned to completion. */
  scanned(client: ScannerClient, repo: string, tag: string, digest: string, at: number, more?: string[]): Promise<{ image: ImagePush; handle: ScanHandle }>;
  /** A tag pushed at `at` that was never scanned. */
  unscanned(repo: string, tag: string, digest: string, at: number): void;
  /** Reading the baseline (tag `baselineTag`) of `repo` is throttled however often it is retried. */
  throttleBaseline(repo: string, baselineTag: string): void;
  /** This many findings per image instead of the usual ones. */
  manyFindings(repo: string, n: number): void;
  /** List calls (finding lists and baseline lookups) so far. */
  listCalls(): number;
}

const imageOf = (repo: string, tag: string, digest: string, more: string[] = []): ImagePush => ({
  source: 'acr',
  region: 'cn-hangzhou',
  namespace: 'team',
  repository: repo,
  tag,
  ...(more.length ? { tags: [tag, ...more] } : {}),
  digest,
});

const untilComplete = async (client: ScannerClient, image: ImagePush, handle: ScanHandle) => {
  for (let i = 0; i < 8; i++) if ((await client.check(image, handle)).state === 'complete') return;
  throw new Error(`${image.repository}:${image.tag} never completed`);
};

const harnesses: Harness[] = [
  {
    name: 'ACR',
    levels: 4,
    client: () => acrScanner.create({ type: 'acr', region: 'cn-hangzhou', instanceId: 'cri-baseline', endpoint: acr.url }, ctx()),
    async scanned(client, repo, tag, digest, at, more = []) {
      const image = imageOf(repo, tag, digest, more);
      const handle = await client.start(image);
      for (const t of [tag, ...more]) acr.pushTag(`team/${repo}`, t, digest, at);
      await untilComplete(client, image, handle);
      return { image, handle };
    },
    unscanned: (repo, tag, digest, at) => acr.pushTag(`team/${repo}`, tag, digest, at),
    throttleBaseline: (repo) => acr.setBehaviour(`team/${repo}`, { failFirst: 1000, failActions: ['ListRepoTag'] }),
    manyFindings: (repo, n) => acr.setBehaviour(`team/${repo}`, { findings: n }),
    listCalls: () => acr.calls.filter((c) => ['ListRepoTag', 'ListRepoTagScanResult'].includes(c.action)).length,
  },
  {
    name: 'Security Center',
    levels: 3,
    client: () => sasScanner.create(sasScanner.configSchema.parse({ type: 'sas', region: 'cn-hangzhou', endpoint: sas.url }), ctx()),
    async scanned(client, repo, tag, digest, at, more = []) {
      const image = imageOf(repo, tag, digest, more);
      const handle = await client.start(image);
      for (const a of sas.assets) if (a.repo === repo && `sha256:${a.digest}` === digest) a.addedAt = at;
      await untilComplete(client, image, handle);
      return { image, handle };
    },
    unscanned: (repo, tag, digest, at) =>
      sas.addAsset({ registryType: 'acr', regionId: 'cn-hangzhou', namespace: 'team', repo, digest: digest.slice(7), tag, addedAt: at }),
    throttleBaseline: (repo) => sas.setBehaviour(`team/${repo}`, { failFirst: 1000, failActions: ['DescribeImageInstances'] }),
    manyFindings: (repo, n) => sas.setBehaviour(`team/${repo}`, { findings: n }),
    listCalls: () => sas.calls.filter((c) => ['DescribeImageInstances', 'DescribeImageVulList'].includes(c.action)).length,
  },
  {
    name: 'SWR EE',
    levels: 5,
    client: () =>
      swrScanner.create(
        swrScanner.configSchema.parse({ type: 'swr', region: 'cn-north-4', projectId: HUAWEI_SIM_PROJECT, instanceId: 'ee-baseline', endpoint: swr.url }),
        ctx(),
      ),
    async scanned(client, repo, tag, digest, at, more = []) {
      const image = imageOf(repo, tag, digest, more);
      const handle = await client.start(image);
      for (const t of [tag, ...more]) swr.pushArtifact(`team/${repo}`, digest, t, at);
      await untilComplete(client, image, handle);
      return { image, handle };
    },
    unscanned: (repo, tag, digest, at) => swr.pushArtifact(`team/${repo}`, digest, tag, at),
    throttleBaseline: (repo) => swr.setBehaviour(`team/${repo}`, { throttle: ['ListInstanceArtifacts'] }),
    manyFindings: (repo, n) => swr.setBehaviour(`team/${repo}`, { findings: n }),
    listCalls: () => swr.calls.filter((c) => ['ListInstanceArtifacts', 'ListInstanceArtifactVulnerabilities'].includes(c.operation)).length,
  },
  {
    name: 'HSS',
    levels: 3,
    client: () =>
      hssScanner.create(hssScanner.configSchema.parse({ type: 'hss', region: 'cn-north-4', projectId: HUAWEI_SIM_PROJECT, endpoint: hss.url }), ctx()),
    async scanned(client, repo, tag, digest, at, more = []) {
      const image = imageOf(repo, tag, digest, more);
      const handle = await client.start(image);
      hss.setImage('private_image', 'team', repo, tag, digest, at);
      for (const t of more) hss.setImage('private_image', 'team', repo, t, digest, at);
      await untilComplete(client, image, handle);
      return { image, handle };
    },
    unscanned: (repo, tag, digest, at) => hss.setImage('private_image', 'team', repo, tag, digest, at),
    throttleBaseline: (repo, baselineTag) => hss.setBehaviour(`team/${repo}`, { throttleTags: [baselineTag] }),
    manyFindings: (repo, n) => hss.setBehaviour(`team/${repo}`, { findings: n }),
    listCalls: () => hss.calls.filter((c) => ['ListSwrImageRepository', 'ListImageVulnerabilities'].includes(c.operation)).length,
  },
];

const T0 = Date.parse('2026-11-01T00:00:00Z');
const policy = (over: Partial<Route> = {}): ReportPolicy => {
  const config = parseConfig({
    sources: { acr: { secret: 'a-long-enough-webhook-secret-1234' } },
    scanners: { s: { type: 'acr' } },
    channels: { c: { type: 'webhook', url: 'https://example.com/hook' } },
    routes: [{ source: 'acr', scanner: 's', channels: ['c'], ...over }],
  });
  return policyOf(config, config.routes[0]);
};
const read = (client: ScannerClient, scan: { image: ImagePush; handle: ScanHandle }, p = policy(), onBaselineFailure?: (err: unknown) => void) =>
  readReport(client, scan.image, scan.handle, p, {
    now: new Date(),
    timeLeftMs: Number.POSITIVE_INFINITY,
    ...(onBaselineFailure ? { onBaselineFailure } : {}),
  });
const sum = (c: SeverityCounts) => SEVERITIES.reduce((n, s) => n + c[s], 0);
const compared = (report: Report): Extract<Delta, { status: 'compared' }> => {
  expect(report.delta?.status, JSON.stringify(report.delta)).toBe('compared');
  return report.delta as Extract<Delta, { status: 'compared' }>;
};

describe.each(harnesses)('$name: the baseline', (h) => {
  it('is the most recently pushed other tag whose scan completed: new and fixed per severity, over both whole lists', async () => {
    const client = h.client();
    const repo = 'prev-delta';
    await h.scanned(client, repo, '1.0.0', digestOfGeneration(0, `${h.name}a`), T0);
    const previous = await h.scanned(client, repo, '1.1.0', digestOfGeneration(1, `${h.name}b`), T0 + 1000);
    h.unscanned(repo, '1.3.0', digestOfGeneration(3, `${h.name}d`), T0 + 5000); // newer, never scanned: skipped
    const current = await h.scanned(client, repo, '1.2.0', digestOfGeneration(2, `${h.name}c`), T0 + 2000);

    const report = await read(client, current);
    const delta = compared(report);
    expect(delta.baseline).toEqual({ tag: '1.1.0', digest: previous.image.digest });
    expect(sum(delta.new)).toBe(h.levels);
    expect(sum(delta.fixed)).toBe(h.levels);
    expect(SEVERITIES.map((s) => delta.new[s])).toEqual(SEVERITIES.map((s) => delta.fixed[s]));
    const before = new Set((await client.fullReport(previous.image, previous.handle)).findings.map(findingKey));
    expect(delta.newFindings).toHaveLength(h.levels);
    expect(delta.newFindings.every((f) => !before.has(findingKey(f)))).toBe(true);
    // The full report is still the scanner's own.
    expect(report.counts).toEqual((await client.fullReport(current.image, current.handle)).report.counts);
  });

  it('a named tag is compared with that tag; one without a completed scan, or the push itself, is no baseline', async () => {
    const client = h.client();
    const repo = 'named-delta';
    const prod = await h.scanned(client, repo, 'prod', digestOfGeneration(0, `${h.name}p`), T0);
    await h.scanned(client, repo, '2.0.0', digestOfGeneration(1, `${h.name}q`), T0 + 1000);
    const current = await h.scanned(client, repo, '2.1.0', digestOfGeneration(2, `${h.name}r`), T0 + 2000);

    const delta = compared(await read(client, current, policy({ baseline: { tag: 'prod' } })));
    expect(delta.baseline).toEqual({ tag: 'prod', digest: prod.image.digest });
    expect(sum(delta.new)).toBeGreaterThan(h.levels); // two generations apart
    expect((await read(client, current, policy({ baseline: { tag: 'staging' } }))).delta).toEqual({ status: 'none', reason: 'tag_missing', tag: 'staging' });
    expect((await read(client, current, policy({ baseline: { tag: '2.1.0' } }))).delta).toEqual({ status: 'none', reason: 'is_baseline', tag: '2.1.0' });
  });

  it('never one of the push’s own tags: a tag moved with this push is this image', async () => {
    const client = h.client();
    const repo = 'own-delta';
    await h.scanned(client, repo, '1.0.0', digestOfGeneration(0, `${h.name}s`), T0);
    await h.scanned(client, repo, 'latest', digestOfGeneration(3, `${h.name}t`), T0 + 3000);
    const current = await h.scanned(client, repo, '1.1.0', digestOfGeneration(1, `${h.name}u`), T0 + 4000, ['latest']);
    expect(compared(await read(client, current)).baseline.tag).toBe('1.0.0');
  });

  it('the first image of a repository has none: the full report, saying so', async () => {
    const client = h.client();
    const current = await h.scanned(client, 'first-delta', '1.0.0', digestOfGeneration(0, `${h.name}v`), T0);
    const report = await read(client, current);
    expect(report.delta).toEqual({ status: 'none', reason: 'first' });
    expect(report.findings.length).toBeGreaterThan(0);
  });

  it('the same digest under a new tag: compared with the earlier tag, nothing new and nothing fixed', async () => {
    const client = h.client();
    const digest = digestOfGeneration(1, `${h.name}w`);
    await h.scanned(client, 'same-delta', '1.0.0', digest, T0);
    const again = await h.scanned(client, 'same-delta', 'release', digest, T0 + 1000);
    const delta = compared(await read(client, again));
    expect(delta.baseline).toEqual({ tag: '1.0.0', digest });
    expect([sum(delta.new), sum(delta.fixed), delta.newFindings.length]).toEqual([0, 0, 0]);
  });

  it('a baseline read throttled past the retries: the full report, saying why, and the failure heard', async () => {
    const client = h.client();
    const repo = 'held-baseline-delta';
    await h.scanned(client, repo, '1.0.0', digestOfGeneration(0, `${h.name}x`), T0);
    const current = await h.scanned(client, repo, '1.1.0', digestOfGeneration(1, `${h.name}y`), T0 + 1000);
    h.throttleBaseline(repo, '1.0.0');
    const failures: unknown[] = [];
    const report = await read(client, current, policy(), (err) => failures.push(err));
    expect(report.delta).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(/^the scanner kept throttling: .*(Throttling|APIG\.0308)/) });
    expect(failures).toHaveLength(1);
    const full = await client.fullReport(current.image, current.handle);
    expect(report.counts).toEqual(full.report.counts);
    expect(report.findings).toHaveLength(Math.min(20, full.findings.length));
  });

  it('reads 1 000-finding images whole, page by page, and still finds the one new and the one fixed', async () => {
    const client = h.client();
    const repo = 'large-delta';
    h.manyFindings(repo, 1000);
    await h.scanned(client, repo, '1.0.0', digestOfGeneration(0, `${h.name}z`), T0);
    const current = await h.scanned(client, repo, '1.1.0', digestOfGeneration(1, `${h.name}0`), T0 + 1000);
    const before = h.listCalls();
    const report = await read(client, current);
    const delta = compared(report);
    expect([sum(delta.new), sum(delta.fixed)]).toEqual([1, 1]);
    expect(report.total).toBe(1000);
    expect(h.listCalls() - before).toBeGreaterThanOrEqual(h.name === 'SWR EE' ? 3 : 10);
  });
});
