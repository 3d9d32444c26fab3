import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HssSimulator, hssSimDigest, startHssSimulator } from '../../../local/simulators/hss.js';
import { HUAWEI_SIM_KEYS, HUAWEI_SIM_PROJECT } from '../../../local/simulators/huaweiApig.js';
import { type IamSimulator, startIamSimulator } from '../../../local/simulators/iam.js';
import { CallError } from '../../../shared/http/callError.js';
import { createHttpClient, type HttpClient } from '../../../shared/http/client.js';
import type { ImagePush } from '../../../shared/messages/image.js';
import { hssScanner } from '../../../shared/scanners/hss.js';
import type { ScanHandle } from '../../../shared/scanners/scanner.js';
import { digestOf } from '../../support/events.js';

let iam: IamSimulator;
let sim: HssSimulator;
let http: HttpClient;
beforeAll(async () => {
  iam = await startIamSimulator();
  sim = await startHssSimulator({ tokens: iam.tokens });
  http = createHttpClient({ timeoutMs: 2000 });
});
afterAll(async () => {
  await http.close();
  await Promise.all([sim.close(), iam.close()]);
});

const env = { HUAWEICLOUD_SDK_AK: HUAWEI_SIM_KEYS.accessKey, HUAWEICLOUD_SDK_SK: HUAWEI_SIM_KEYS.secretKey };
const scanner = (over: Record<string, unknown> = {}) =>
  hssScanner.create(hssScanner.configSchema.parse({ type: 'hss', region: 'cn-north-4', projectId: HUAWEI_SIM_PROJECT, endpoint: sim.url, ...over }), {
    http,
    retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 10 },
    env,
    onRetry: () => undefined,
  });

const push = (namespace: string, repository: string, tag?: string, digest = digestOf(`${namespace}/${repository}:${tag}`)): ImagePush => ({
  source: 'acr',
  namespace,
  repository,
  ...(tag ? { tag } : {}),
  digest,
});

/** The request bodies of one operation's calls since `from`. */
const startBodies = (operation: string, from: number) => sim.calls.slice(from).filter((c) => c.operation === operation);

const checkUntilDone = async (client: ReturnType<typeof scanner>, image: ImagePush, handle: ScanHandle, max = 10) => {
  const states: string[] = [];
  for (let i = 0; i < max; i++) {
    const check = await client.check(image, handle);
    states.push(check.state);
    if (check.state !== 'running') return { check, states };
  }
  return { check: { state: 'running' as const }, states };
};

describe('HSS scanner, method "task" (CreateManualImageScanTask)', () => {
  it('starts every push of a batch in one call, by digest and tag, then follows each image to its report', async () => {
    const client = scanner();
    const images = Array.from({ length: 10 }, (_, i) => push('team-a', `svc-${i}`, `1.0.${i}`));
    const from = sim.calls.length;
    const started = await client.startMany!(images);
    expect(started.every((s) => s.status === 'fulfilled')).toBe(true);
    const starts = startBodies('CreateManualImageScanTask', from);
    expect(starts).toHaveLength(1);
    expect(starts[0]!.images).toEqual(images.map((i) => `team-a/${i.repository}`));
    expect(starts[0]!.body).toEqual({
      scan_scope: 0x000f0000,
      image_info: images.map((i) => ({
        image_digest: i.digest,
        namespace: 'team-a',
        image_name: i.repository,
        image_version: i.tag,
        registry_type: 'SwrPrivate',
      })),
    });
    expect(sim.calls.slice(from).every((c) => c.status === 200)).toBe(true);

    const image = images[3]!;
    const handle = (started[3] as PromiseFulfilledResult<ScanHandle>).value;
    const { check, states } = await checkUntilDone(client, image, handle);
    expect(check.state).toBe('complete');
    expect(states).toEqual(['running', 'running', 'complete']);
    const report = await client.report(image, handle);
    expect(report.counts).toEqual({ critical: 0, high: 2, medium: 4, low: 6, unknown: 0 });
    expect(report.total).toBe(12);
    expect(report.findings).toHaveLength(12);
    expect(report.findings.slice(0, 2).every((f) => f.severity === 'high')).toBe(true);
    expect(report.findings.at(-1)!.severity).toBe('low');
    expect(report.findings[0]).toMatchObject({
      id: expect.stringMatching(/^CVE-2024-2/),
      package: expect.any(String),
      link: expect.stringContaining('nvd.nist.gov'),
    });
    expect(report.findings[0]!.fixCommand).toMatch(/^Upgrade /);
    expect(report.consoleUrl).toBe('https://console.huaweicloud.com/hss/?region=cn-north-4');
    // Three counts, one per repair necessity.
    expect(sim.calls.slice(from).filter((c) => c.operation === 'ListImageVulnerabilities')).toHaveLength(3);
  });

  it('100 pushes arriving as SQS batches of 10 take 10 start calls', async () => {
    const client = scanner();
    const from = sim.calls.length;
    for (let b = 0; b < 10; b++) {
      const results = await client.startMany!(Array.from({ length: 10 }, (_, i) => push('bulk', `img-${b}-${i}`, 'v1')));
      expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    }
    expect(startBodies('CreateManualImageScanTask', from)).toHaveLength(10);
  });

  it('a digest-only push is scanned and matched by digest, never sent as an image version', async () => {
    const client = scanner();
    const untagged = push('team-a', 'worker', undefined, digestOf('worker-untagged'));
    // Harbor puts the digest where the tag would be: the same push, as far as HSS is concerned.
    const harborStyle = { ...push('team-a', 'cron', undefined, digestOf('cron-untagged')), tag: digestOf('cron-untagged') };
    const from = sim.calls.length;
    const handles = await client.startMany!([untagged, harborStyle]);
    expect(handles.map((h) => h.status)).toEqual(['fulfilled', 'fulfilled']);
    const starts = sim.calls.slice(from);
    expect(starts.map((c) => c.operation)).toEqual(['CreateManualImageScanTask']);
    expect(starts[0]!.body.image_info).toEqual([
      { image_digest: untagged.digest, namespace: 'team-a', image_name: 'worker', registry_type: 'SwrPrivate' },
      { image_digest: harborStyle.digest, namespace: 'team-a', image_name: 'cron', registry_type: 'SwrPrivate' },
    ]);
    for (const image of [untagged, harborStyle]) {
      const { check } = await checkUntilDone(client, image, {});
      expect(check.state).toBe('complete');
      const listCall = sim.calls.filter((c) => c.operation === 'ListSwrImageRepository').at(-1)!;
      expect(listCall.path).toBe(`/v5/${HUAWEI_SIM_PROJECT}/image/swr-repository`);
      expect((await client.report(image, {})).total).toBe(12);
    }
  });

  it('an image HSS still lists under its tag with another digest (not yet synced) stays running', async () => {
    const client = scanner({ method: 'batch' });
    sim.setImage('private_image', 'team-a', 'lagging', '2.0.0', digestOf('the previous push'));
    const image = push('team-a', 'lagging', '2.0.0', digestOf('this push'));
    await client.start(image);
    const { states } = await checkUntilDone(client, image, {}, 5);
    expect(states).toEqual(['running', 'running', 'running', 'running', 'running']);
  });

  it('failures name the status and the reason HSS gives', async () => {
    const client = scanner();
    for (const [repository, reason] of [
      ['app-broken', 'HSS reported the scan as failed (failed): The scan engine did not answer in time. [response_timed_out]'],
      ['app-download', 'HSS could not download the image (download_failed): Failed to pull the image from the registry.'],
      ['app-oversized', 'the image is larger than HSS scans (image_oversized): The image exceeds the maximum size that can be scanned. [image_over_sized]'],
    ] as const) {
      const image = push('team-a', repository, '1.0.0');
      await client.start(image);
      const { check } = await checkUntilDone(client, image, {});
      expect(check).toEqual({ state: 'failed', reason });
    }
  });

  it('a refused start fails every image of the batch with the vendor code, sent once', async () => {
    const client = scanner();
    const from = sim.calls.length;
    const results = await client.startMany!([push('team-a', 'vault-denied', '1'), push('team-a', 'other', '1')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    const reason = (results[0] as PromiseRejectedResult).reason as CallError;
    expect(reason).toMatchObject({ kind: 'permission', code: 'HSS.0403' });
    expect(sim.calls.slice(from)).toHaveLength(1);
  });

  it('a clean image reports zero counts', async () => {
    const client = scanner();
    const image = push('team-a', 'base-clean', '1');
    await client.start(image);
    expect((await checkUntilDone(client, image, {})).check.state).toBe('complete');
    const report = await client.report(image, {});
    expect(report).toMatchObject({ total: 0, findings: [], counts: { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 } });
  });
});

describe('HSS scanner, method "batch" (BatchScanSwrImage)', () => {
  it('tagged pushes go in one batch-scan call by tag; digest-only ones in one scan task', async () => {
    const client = scanner({ method: 'batch', imageType: 'shared_image' });
    const tagged = ['a', 'b', 'c'].map((r) => push('shared', `lib-${r}`, '3.1', hssSimDigest('shared', `lib-${r}`, '3.1')));
    const untagged = push('shared', 'lib-d', undefined, digestOf('lib-d'));
    const from = sim.calls.length;
    const results = await client.startMany!([tagged[0]!, untagged, tagged[1]!, tagged[2]!]);
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    expect(results.map((r) => (r as PromiseFulfilledResult<ScanHandle>).value.method)).toEqual(['batch', 'task', 'batch', 'batch']);
    const ops = sim.calls.slice(from).map((c) => [c.operation, c.images]);
    expect(ops).toEqual(
      expect.arrayContaining([
        ['BatchScanSwrImage', ['shared/lib-a', 'shared/lib-b', 'shared/lib-c']],
        ['CreateManualImageScanTask', ['shared/lib-d']],
      ]),
    );
    expect(ops).toHaveLength(2);
    const batch = sim.calls.slice(from).find((c) => c.operation === 'BatchScanSwrImage')!;
    expect(batch.body).toEqual({
      image_type: 'shared_image',
      operate_all: false,
      image_info_list: tagged.map((i) => ({ namespace: 'shared', image_name: i.repository, image_version: '3.1' })),
    });
    expect(sim.calls.slice(from).find((c) => c.operation === 'CreateManualImageScanTask')!.body.image_info[0]).not.toHaveProperty('image_version');
    for (const image of [...tagged, untagged]) expect((await checkUntilDone(client, image, {})).check.state).toBe('complete');
  });
});

describe('HSS scanner for SWR Enterprise Edition images (instance_image)', () => {
  it('sends the instance, reads ListRegistryImages, and reports scan_failed_desc on failure', async () => {
    const client = scanner({ imageType: 'instance_image', instanceId: 'ee-inst-1', instanceUrl: 'ee-inst-1.swr.example.com' });
    const ok = push('ee-team', 'api', '1.0.0');
    const failing = push('ee-team', 'api-download', '1.0.0');
    const from = sim.calls.length;
    await client.startMany!([ok, failing]);
    expect((await checkUntilDone(client, ok, {})).check.state).toBe('complete');
    const failed = (await checkUntilDone(client, failing, {})).check;
    expect(failed).toEqual({ state: 'failed', reason: 'HSS could not download the image (download_failed): Failed to pull the image from the registry.' });
    expect(sim.calls[from]!.body.image_info[0]).toMatchObject({
      registry_type: 'SwrEnterprise',
      instance_id: 'ee-inst-1',
      instance_url: 'ee-inst-1.swr.example.com',
    });
    const ops = new Set(sim.calls.slice(from).map((c) => c.operation));
    expect(ops).toEqual(new Set(['CreateManualImageScanTask', 'ListRegistryImages']));
    expect((await client.report(ok, {})).counts.high).toBe(2);
  });

  it('the config needs instanceId for instance_image, naming the field', () => {
    const result = hssScanner.configSchema.safeParse({ type: 'hss', region: 'cn-north-4', projectId: 'p', imageType: 'instance_image' });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]).toMatchObject({ path: ['instanceId'], message: 'required when imageType is "instance_image"' });
  });
});

describe('HSS scanner report', () => {
  it('an image HSS does not list cannot be reported: a not_found error naming it', async () => {
    const err = await scanner()
      .report(push('nowhere', 'ghost', '1'), {})
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CallError);
    expect(err).toMatchObject({ kind: 'not_found', code: 'ImageNotListed' });
    expect((err as Error).message).toContain('nowhere/ghost@sha256:');
  });
});

describe('HSS: what a sweep lists', () => {
  const DAY = 86_400_000;

  it('lists the repositories of its image list, their tagged versions with push times, and an image last scan with its time', async () => {
    const now = Date.now();
    sim.setImage('private_image', 'sweep-h', 'api', 'v1', digestOf('h-api-1'), now - 20 * DAY, { scanned: true });
    sim.setImage('private_image', 'sweep-h', 'api', 'v2', digestOf('h-api-2'), now - 3 * DAY);
    sim.setImage('private_image', 'sweep-h', 'web', 'v1', digestOf('h-web-1'), now - DAY, { scanned: true });
    const list = scanner().list!;
    const repositories = await list.repositories();
    expect(repositories).toEqual(
      expect.arrayContaining([
        { namespace: 'sweep-h', repository: 'api' },
        { namespace: 'sweep-h', repository: 'web' },
      ]),
    );
    const tags = await list.tags({ namespace: 'sweep-h', repository: 'api' });
    expect(tags.sort((a, b) => a.tag.localeCompare(b.tag))).toEqual([
      { tag: 'v1', digest: digestOf('h-api-1'), pushedAt: now - 20 * DAY },
      { tag: 'v2', digest: digestOf('h-api-2'), pushedAt: now - 3 * DAY },
    ]);
    const last = await list.lastScan(push('sweep-h', 'api', 'v1', digestOf('h-api-1')));
    expect(last?.complete).toBe(true);
    expect(last?.findings.length).toBeGreaterThan(0);
    expect(last?.scannedAt).toBe(new Date(now - 20 * DAY).toISOString());
    expect(await list.lastScan(push('sweep-h', 'api', 'v2', digestOf('h-api-2')))).toBeUndefined();
  });
});
