import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AcrSimulator, acrSimRepoId, startAcrSimulator } from '../../../local/simulators/acr.js';
import { ALIBABA_SIM_CREDENTIALS } from '../../../local/simulators/acs3Verifier.js';
import { type SasSimulator, startSasSimulator } from '../../../local/simulators/sas.js';
import { CallError } from '../../../shared/http/callError.js';
import { createHttpClient, type HttpClient } from '../../../shared/http/client.js';
import type { ImagePush } from '../../../shared/messages/image.js';
import { sasScanner } from '../../../shared/scanners/sas.js';
import type { ScanHandle, ScannerClient } from '../../../shared/scanners/scanner.js';
import { createRpcClient } from '../../../shared/vendors/alibaba/rpc.js';
import { createSasApi, SAS_API_VERSION } from '../../../shared/vendors/alibaba/sas.js';
import { digestOf } from '../../support/events.js';

/** The SAS scanner against the Security Center simulator on 127.0.0.1 (and ACR's, for repository ids): real HTTP, real signatures. */
let sim: SasSimulator;
let acr: AcrSimulator;
let http: HttpClient;
const env = { ALIBABA_CLOUD_ACCESS_KEY_ID: ALIBABA_SIM_CREDENTIALS.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: ALIBABA_SIM_CREDENTIALS.accessKeySecret };
const retry = { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 };

const scanner = (overrides: Record<string, unknown> = {}): ScannerClient =>
  sasScanner.create(
    sasScanner.configSchema.parse({
      type: 'sas',
      region: 'cn-hangzhou',
      instanceId: 'cri-unit',
      endpoint: sim.url,
      acrEndpoint: acr.url,
      busyRetrySeconds: 7,
      ...overrides,
    }),
    { http, retry, env, onRetry: () => undefined },
  );

let seq = 0;
/** A fresh digest for every image, so tests never see each other's tasks. */
const image = (repository: string, extra: Partial<ImagePush> = {}): ImagePush => {
  seq++;
  return {
    source: 'acr',
    region: 'cn-hangzhou',
    namespace: 'unit',
    repository,
    tag: `1.0.${seq}`,
    digest: `sha256:${(0xabc000 + seq).toString(16).padStart(64, '0')}`,
    ...extra,
  };
};
const hexOf = (img: ImagePush) => img.digest.slice(7);

const fulfilled = (results: PromiseSettledResult<ScanHandle>[]) =>
  results.map((r) => {
    if (r.status !== 'fulfilled') throw r.reason;
    return r.value;
  });
const rejection = (result: PromiseSettledResult<ScanHandle> | undefined): CallError => {
  expect(result?.status).toBe('rejected');
  const reason = (result as PromiseRejectedResult).reason;
  expect(reason).toBeInstanceOf(CallError);
  return reason as CallError;
};

/** Checks until the scan is no longer running. */
const finish = async (client: ScannerClient, img: ImagePush, handle: ScanHandle, max = 10) => {
  for (let i = 0; i < max; i++) {
    const state = await client.check(img, handle);
    if (state.state !== 'running') return state;
  }
  return { state: 'running' as const };
};

beforeAll(async () => {
  sim = await startSasSimulator();
  acr = await startAcrSimulator();
  http = createHttpClient({ timeoutMs: 2000 });
});
afterAll(async () => {
  await http.close();
  await sim.close();
  await acr.close();
});
beforeEach(() => {
  sim.calls.length = 0;
  acr.calls.length = 0;
  sim.setTaskLimit(1000);
  sim.setQuota(10_000, 0);
});

describe('starting scans', () => {
  it('one push: a pre-check, then one create with every filter, and the task id as the handle', async () => {
    const img = image('api');
    const handle = await scanner().start(img);
    expect(sim.calls.map((c) => c.action)).toEqual(['PublicPreCheckImageScanTask', 'PublicCreateImageScanTask']);
    const filters = {
      RegistryTypes: 'acr',
      RegionIds: 'cn-hangzhou',
      InstanceIds: 'cri-unit',
      RepoNamespaces: 'unit',
      RepoNames: 'api',
      Digests: hexOf(img),
      Tags: img.tag,
    };
    expect(sim.calls[0]!.params).toEqual(filters);
    expect(sim.calls[1]!.params).toEqual(filters);
    expect(handle.taskId).toBe(sim.tasks.at(-1)!.id);
    expect(sim.tasks.at(-1)!.images.map((a) => a.digest)).toEqual([hexOf(img)]);
  });

  it('23 pushes of one repository together: 3 create calls of 8, 8 and 7 digests; each image the handle of its own call', async () => {
    const images = Array.from({ length: 23 }, () => image('batch'));
    const handles = fulfilled(await scanner().startMany!(images));
    const creates = sim.calls.filter((c) => c.action === 'PublicCreateImageScanTask');
    expect(creates.map((c) => c.params.Digests!.split(',').length).sort()).toEqual([7, 8, 8]);
    for (const [i, img] of images.entries()) {
      const task = sim.tasks.find((t) => t.id === handles[i]!.taskId)!;
      expect(task.images.map((a) => a.digest)).toContain(hexOf(img));
    }
    expect(new Set(handles.map((h) => h.taskId)).size).toBe(3);
  });

  it("a coalesced batch scans only its own images, not a pushed digest's copy in another repository nor other images of the repository", async () => {
    const api = image('api-tight');
    const web = image('web-tight');
    // Already in the asset center: web's digest in api's repository, and an older image of web.
    sim.addAsset({
      registryType: 'acr',
      regionId: 'cn-hangzhou',
      instanceId: 'cri-unit',
      namespace: 'unit',
      repo: 'api-tight',
      digest: hexOf(web),
      tag: web.tag!,
    });
    sim.addAsset({
      registryType: 'acr',
      regionId: 'cn-hangzhou',
      instanceId: 'cri-unit',
      namespace: 'unit',
      repo: 'web-tight',
      digest: 'f'.repeat(64),
      tag: 'old',
    });
    const before = sim.tasks.length;
    fulfilled(await scanner().startMany!([api, web]));
    const scanned = sim.tasks.slice(before).flatMap((t) => t.images.map((a) => `${a.repo}@${a.digest}`));
    expect(scanned.sort()).toEqual([`api-tight@${hexOf(api)}`, `web-tight@${hexOf(web)}`].sort());
  });

  it('an image Security Center has not synced yet is imported and scanned with PublicSyncAndCreateImageScanTask', async () => {
    const img = image('fresh-unsynced');
    const handle = await scanner().start(img);
    expect(sim.calls.map((c) => c.action)).toEqual(['PublicPreCheckImageScanTask', 'PublicSyncAndCreateImageScanTask']);
    expect(acr.calls.map((c) => [c.action, c.params])).toEqual([
      ['GetRepository', { InstanceId: 'cri-unit', RepoNamespaceName: 'unit', RepoName: 'fresh-unsynced' }],
    ]);
    expect(JSON.parse(sim.calls[1]!.params.Images!)).toEqual([
      expect.objectContaining({
        registryType: 'acr',
        repoId: acrSimRepoId('unit', 'fresh-unsynced'),
        instanceId: 'cri-unit',
        regionId: 'cn-hangzhou',
        repoNamespace: 'unit',
        repoName: 'fresh-unsynced',
        digest: hexOf(img),
        tag: img.tag,
      }),
    ]);
    expect(await finish(scanner(), img, handle)).toEqual({ state: 'complete' });
  });

  it('a known image with two tags does not hide a new one: the pre-check counts entries, so the call imports both', async () => {
    const known = image('two-tags-unsynced', { tags: ['v1', 'v2'], tag: 'v1' });
    for (const tag of ['v1', 'v2']) {
      sim.addAsset({
        registryType: 'acr',
        regionId: 'cn-hangzhou',
        instanceId: 'cri-unit',
        namespace: 'unit',
        repo: 'two-tags-unsynced',
        digest: hexOf(known),
        tag,
      });
    }
    const fresh = image('new-one-unsynced');
    const results = await scanner().startMany!([known, fresh]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(sim.calls.map((c) => c.action)).toEqual(['PublicPreCheckImageScanTask', 'PublicSyncAndCreateImageScanTask']);
    const imported = JSON.parse(sim.calls[1]!.params.Images!) as { repoName: string }[];
    expect(imported.map((i) => i.repoName)).toContain('new-one-unsynced');
  });

  it('a create whose reply never came is not sent again when its task exists: the task is found and followed', async () => {
    const img = image('late-create');
    sim.setBehaviour('unit/late-create', { lateCreateMs: 1500 });
    const quick = createHttpClient({ timeoutMs: 500 });
    try {
      const config = { type: 'sas', region: 'cn-hangzhou', instanceId: 'cri-unit', endpoint: sim.url, acrEndpoint: acr.url };
      const client = sasScanner.create(sasScanner.configSchema.parse(config), {
        http: quick,
        retry,
        env,
        onRetry: () => undefined,
      });
      const handle = await client.start(img);
      expect(sim.count('PublicCreateImageScanTask')).toBe(1);
      expect(sim.tasks.filter((t) => t.images.some((a) => a.repo === 'late-create'))).toHaveLength(1);
      expect(handle.taskId).toBe(sim.tasks.find((t) => t.images.some((a) => a.repo === 'late-create'))!.id);
    } finally {
      await quick.close();
    }
  });

  it('never sends a create, pre-check or sync without a digest filter', async () => {
    const api = createSasApi(createRpcClient({ http, endpoint: sim.url, version: SAS_API_VERSION, credentials: () => ALIBABA_SIM_CREDENTIALS, retry }));
    await expect(api.createImageScanTask({ RegistryTypes: 'acr', RepoNames: 'api', Digests: '' })).rejects.toMatchObject({
      kind: 'invalid',
      code: 'UnfilteredScan',
    });
    await expect(api.createImageScanTask({ Digests: ' , ' })).rejects.toMatchObject({ code: 'UnfilteredScan' });
    await expect(api.preCheckImageScanTask({ Digests: '' })).rejects.toMatchObject({ code: 'UnfilteredScan' });
    await expect(api.syncAndCreateImageScanTask([])).rejects.toMatchObject({ code: 'UnfilteredScan' });
    expect(sim.calls).toHaveLength(0);
  });
});

describe("the repository id (repoId) of PublicSyncAndCreateImageScanTask's images", () => {
  const imported = (): Record<string, unknown>[] => {
    const sync = sim.calls.find((c) => c.action === 'PublicSyncAndCreateImageScanTask');
    return sync ? JSON.parse(sync.params.Images!) : [];
  };

  it('an image Security Center already knows needs no id: no GetRepository', async () => {
    await scanner().start(image('known'));
    expect(sim.count('PublicCreateImageScanTask')).toBe(1);
    expect(acr.calls).toEqual([]);
  });

  it('each repository of a coalesced import is looked up once, its id on each of its entries', async () => {
    const images = [image('ids-a-unsynced', { tags: ['x', 'y'], tag: 'x' }), image('ids-a-unsynced'), image('ids-b-unsynced')];
    fulfilled(await scanner().startMany!(images));
    expect(acr.calls.map((c) => c.params.RepoName).sort()).toEqual(['ids-a-unsynced', 'ids-b-unsynced']);
    expect(imported().map((i) => [i.repoName, i.repoId])).toEqual([
      ['ids-a-unsynced', acrSimRepoId('unit', 'ids-a-unsynced')],
      ['ids-a-unsynced', acrSimRepoId('unit', 'ids-a-unsynced')],
      ['ids-a-unsynced', acrSimRepoId('unit', 'ids-a-unsynced')],
      ['ids-b-unsynced', acrSimRepoId('unit', 'ids-b-unsynced')],
    ]);
  });

  it('a client keeps the ids it read: later imports of the same repository ask ACR no more, even calls running together', async () => {
    const client = scanner({ maxImagesPerTask: 1 });
    fulfilled(await client.startMany!([image('cached-unsynced'), image('cached-unsynced'), image('cached-unsynced')]));
    await client.start(image('cached-unsynced'));
    expect(sim.count('PublicSyncAndCreateImageScanTask')).toBe(4);
    expect(acr.count('GetRepository')).toBe(1);
    // Another instance's repository of the same name is another repository.
    await scanner({ instanceId: 'cri-other' }).start(image('cached-unsynced'));
    expect(acr.calls.map((c) => c.params.InstanceId)).toEqual(['cri-unit', 'cri-other']);
  });

  it("GetRepository goes to ACR's endpoint in the image's region unless acrEndpoint says where", async () => {
    // Security Center's calls reach the simulator; any other request is recorded and refused before it leaves.
    const elsewhere: string[] = [];
    const guarded: HttpClient = {
      send: async (req, target) => {
        if (req.url.startsWith(sim.url)) return http.send(req, target);
        elsewhere.push(new URL(req.url).origin);
        throw new CallError({ kind: 'invalid', code: 'NotHere', message: 'not sent in tests' });
      },
      close: async () => undefined,
    };
    const config = sasScanner.configSchema.parse({ type: 'sas', region: 'cn-hangzhou', instanceId: 'cri-unit', endpoint: sim.url });
    expect(config).not.toHaveProperty('acrEndpoint');
    const client = sasScanner.create(config, { http: guarded, retry, env, onRetry: () => undefined });
    const [result] = await client.startMany!([image('endpoint-unsynced', { region: 'cn-shanghai' })]);
    expect(rejection(result).code).toBe('NotHere');
    expect(elsewhere).toEqual(['https://cr.cn-shanghai.aliyuncs.com']);
    expect(() => sasScanner.configSchema.parse({ type: 'sas', region: 'cn-hangzhou', acrEndpoint: 'ftp://x' })).toThrow();
  });

  it('without instanceId (ACR) or for Harbor, the entries go without repoId and ACR is not asked', async () => {
    await scanner({ instanceId: undefined }).start(image('noinst-unsynced'));
    await scanner({ instanceId: undefined, registryType: 'harbor' }).start(image('harbor-unsynced'));
    const syncs = sim.calls.filter((c) => c.action === 'PublicSyncAndCreateImageScanTask').map((c) => JSON.parse(c.params.Images!)[0]);
    expect(syncs.map((i) => [i.registryType, i.repoName])).toEqual([
      ['acr', 'noinst-unsynced'],
      ['harbor', 'harbor-unsynced'],
    ]);
    for (const entry of syncs) {
      expect(entry).not.toHaveProperty('repoId');
      expect(entry).not.toHaveProperty('instanceId');
    }
    expect(acr.calls).toEqual([]);
  });

  it('GetRepository refused: the scan fails naming cr:GetRepository, and nothing is imported', async () => {
    acr.setBehaviour('unit/nolookup-unsynced', { denyGetRepository: true });
    const [result] = await scanner().startMany!([image('nolookup-unsynced')]);
    const err = rejection(result);
    expect(err).toMatchObject({ kind: 'permission', code: 'NoPrivilege' });
    expect(err.message).toContain('GetRepository');
    expect(err.message).toContain('RAM action cr:GetRepository');
    expect(err.message).toContain('unit/nolookup-unsynced');
    expect(sim.count('PublicSyncAndCreateImageScanTask')).toBe(0);
  });

  it('a failed lookup is not kept: the next start asks again', async () => {
    acr.setBehaviour('unit/retry-lookup-unsynced', { failFirst: 3, failWith: 'unavailable' });
    const client = scanner();
    const err = rejection((await client.startMany!([image('retry-lookup-unsynced')]))[0]);
    expect(err).toMatchObject({ kind: 'unavailable', retryable: true });
    await client.start(image('retry-lookup-unsynced'));
    expect(imported()[0]).toMatchObject({ repoId: acrSimRepoId('unit', 'retry-lookup-unsynced') });
  });

  it('the simulator refuses an ACR EE entry without repoId or with another repository’s', async () => {
    const api = createSasApi(createRpcClient({ http, endpoint: sim.url, version: SAS_API_VERSION, credentials: () => ALIBABA_SIM_CREDENTIALS, retry }));
    const entry = {
      registryType: 'acr' as const,
      instanceId: 'cri-unit',
      regionId: 'cn-hangzhou',
      repoNamespace: 'unit',
      repoName: 'strict-unsynced',
      digest: hexOf(image('strict-unsynced')),
      createTime: 1,
      updateTime: 1,
    };
    await expect(api.syncAndCreateImageScanTask([entry])).rejects.toMatchObject({
      code: 'InvalidParameter',
      message: expect.stringContaining('repoId is required'),
    });
    await expect(api.syncAndCreateImageScanTask([{ ...entry, repoId: acrSimRepoId('unit', 'other') }])).rejects.toMatchObject({
      code: 'InvalidParameter',
    });
    await expect(api.syncAndCreateImageScanTask([{ ...entry, repoId: acrSimRepoId('unit', 'strict-unsynced') }])).resolves.toMatchObject({
      taskId: expect.any(String),
    });
  });
});

describe('refusals and failures at start', () => {
  it("at the task limit: the refused call's images get a busy error with the configured wait; the others start", async () => {
    sim.setTaskLimit(sim.running() + 2);
    const images = [image('limit-a'), image('limit-b'), image('limit-c')];
    const results = await scanner({ maxImagesPerTask: 1 }).startMany!(images);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    const busy = rejection(results.find((r) => r.status === 'rejected'));
    expect(busy).toMatchObject({ kind: 'busy', code: 'SasTaskLimit', retryAfterMs: 7000 });
    expect(busy.retryable).toBe(false);
    // The second create got a task and CanCreate false (no more after it); the third got no task: that one waits.
    const creates = sim.calls.filter((c) => c.action === 'PublicCreateImageScanTask').map((c) => c.body.Data as { TaskId?: string; CanCreate: boolean });
    expect(creates.map((d) => [Boolean(d.TaskId), d.CanCreate])).toEqual([
      [true, true],
      [true, false],
      [false, false],
    ]);
  });

  it('once refused, the rest of the batch waits without asking again', async () => {
    sim.setTaskLimit(sim.running());
    const images = Array.from({ length: 9 }, (_, i) => image(`full-${i}`));
    const results = await scanner({ maxImagesPerTask: 1 }).startMany!(images);
    expect(results.map((r) => (r.status === 'rejected' ? (r.reason as CallError).code : 'started'))).toEqual(Array(9).fill('SasTaskLimit'));
    expect(sim.count('PublicCreateImageScanTask')).toBeLessThanOrEqual(4); // the calls already under way, no more
  });

  it('quota used up (BeyondQuata): a quota failure that says so, not retried', async () => {
    sim.setQuota(2, 0);
    const images = [image('quota'), image('quota'), image('quota')];
    const results = await scanner().startMany!(images);
    for (const r of results) {
      const err = rejection(r);
      expect(err).toMatchObject({ kind: 'quota', code: 'BeyondQuata' });
      expect(err.message).toContain('scan quota is used up');
      expect(err.retryable).toBe(false);
    }
    expect(sim.count('PublicCreateImageScanTask')).toBe(1);
  });

  it('a region container image scan does not support: a failure naming the region', async () => {
    const [result] = await scanner().startMany!([image('far', { region: 'me-central-1' })]);
    const err = rejection(result);
    expect(err).toMatchObject({ kind: 'invalid', code: 'TASK_NOT_SUPPORT_REGION' });
    expect(err.message).toContain('region me-central-1');
    expect(sim.calls.find((c) => c.action === 'PublicCreateImageScanTask')!.params.RegionIds).toBe('me-central-1');
  });

  it('NoPermission: a permission failure naming the code and the RAM action, after one call', async () => {
    const [result] = await scanner().startMany!([image('vault-denied')]);
    const err = rejection(result);
    expect(err).toMatchObject({ kind: 'permission', code: 'NoPermission' });
    expect(err.message).toContain('yundun-sas:PublicPreCheckImageScanTask');
    expect(sim.calls).toHaveLength(1);
  });

  it('retries throttling and 5xx with fresh signatures', async () => {
    const throttled = image('gw-throttled');
    await scanner({}).start(throttled);
    const throttledCalls = sim.calls.filter((c) => c.status === 400 && c.body.Code === 'Throttling.User');
    expect(throttledCalls.map((c) => c.action)).toEqual([...Array(2).fill('PublicPreCheckImageScanTask'), ...Array(2).fill('PublicCreateImageScanTask')]);
    expect(sim.tasks.at(-1)!.images.map((a) => a.digest)).toEqual([hexOf(throttled)]);
    sim.calls.length = 0;
    await scanner({}).start(image('gw-flaky'));
    expect(sim.calls.filter((c) => c.status === 503).length).toBeGreaterThanOrEqual(2);
  });
});

describe('status checks', () => {
  it('running while the task starts, complete on SUCCESS', async () => {
    const client = scanner();
    const img = image('status');
    const handle = await client.start(img);
    expect(await client.check(img, handle)).toEqual({ state: 'running' });
    expect(await finish(client, img, handle)).toEqual({ state: 'complete' });
    expect(sim.calls.filter((c) => c.action === 'DescribeImageLatestScanTask').every((c) => c.params.Digest === hexOf(img))).toBe(true);
  });

  it('FAIL and TIMOUT end in a failure message', async () => {
    const client = scanner();
    const broken = image('report-broken');
    expect(await finish(client, broken, await client.start(broken))).toEqual({ state: 'failed', reason: 'Security Center reported the scan as FAIL' });
    const late = image('report-timeout');
    const state = await finish(client, late, await client.start(late));
    expect(state).toMatchObject({ state: 'failed' });
    expect((state as { reason: string }).reason).toContain('TIMOUT');
  });

  it('no task for the digest yet: still running', async () => {
    expect(await scanner().check(image('never-started'), { taskId: 'x', since: Date.now() })).toEqual({ state: 'running' });
  });

  it('ignores an older task of the same digest, but follows a newer one', async () => {
    const client = scanner();
    const img = image('rescanned');
    const first = await client.start(img);
    await finish(client, img, first);
    // A handle from a later start whose task the API does not list: the listed task is older, so it says nothing yet.
    expect(await client.check(img, { taskId: 'not-listed', since: Date.now() + 10 * 60_000 })).toEqual({ state: 'running' });
    // One from before the listed task: that task is a newer scan of the same image.
    expect(await client.check(img, { taskId: 'not-listed', since: Number(first.since) - 1000 })).toEqual({ state: 'complete' });
  });
});

describe('reports', () => {
  it('counts Necessity on the unified scale and carries the worst findings with package, version and fix command', async () => {
    const client = scanner();
    const img = image('api-findings');
    const handle = await client.start(img);
    await finish(client, img, handle);
    const report = await client.report(img, handle);
    expect(report.counts).toEqual({ critical: 0, high: 3, medium: 5, low: 7, unknown: 0 });
    expect(report.total).toBe(15);
    expect(report.fixable).toBe(13); // two nntf records have no fix command
    expect(report.findings[0]).toEqual({
      id: 'CVE-2024-1000',
      severity: 'high',
      package: 'openssl',
      installedVersion: '1.0.0-r0',
      fixCommand: 'apk upgrade openssl',
      link: 'https://nvd.nist.gov/vuln/detail/CVE-2024-1000',
    });
    expect(report.findings.map((f) => f.severity).slice(0, 4)).toEqual(['high', 'high', 'high', 'medium']);
    expect(report.consoleUrl).toBe(`https://yundun.console.aliyun.com/?p=sas#/containerImage/cn-shanghai?digest=${hexOf(img)}`);
    const list = sim.calls.filter((c) => c.action === 'DescribeImageVulList');
    expect(list[0]!.params).toMatchObject({ Type: 'cve', Digest: hexOf(img) });
  });

  it('reads every page: 130 findings in pages of 100, 20 carried', async () => {
    const client = scanner();
    const img = image('api-many');
    const handle = await client.start(img);
    await finish(client, img, handle);
    const report = await client.report(img, handle);
    expect(report.counts).toMatchObject({ high: 30, medium: 50, low: 50 });
    expect(report.total).toBe(130);
    expect(report.findings).toHaveLength(20);
    expect(report.findings.every((f) => f.severity === 'high')).toBe(true);
    expect(sim.calls.filter((c) => c.action === 'DescribeImageVulList').map((c) => [c.params.CurrentPage, c.params.PageSize])).toEqual([
      ['1', '100'],
      ['2', '100'],
    ]);
  });

  it('counts a vulnerability once when the digest sits in the asset center under two tags', async () => {
    const client = scanner();
    const img = image('two-tags', { tag: 'latest', tags: ['latest', '2.0'] });
    const handle = await client.start(img);
    expect(
      sim.tasks
        .at(-1)!
        .images.map((a) => a.tag)
        .sort(),
    ).toEqual(['2.0', 'latest']);
    await finish(client, img, handle);
    const report = await client.report(img, handle);
    expect(report.total).toBe(15);
  });

  it('a clean image: zero counts, no findings', async () => {
    const client = scanner();
    const img = image('billing-clean');
    const handle = await client.start(img);
    await finish(client, img, handle);
    expect(await client.report(img, handle)).toMatchObject({ total: 0, findings: [], counts: { high: 0, medium: 0, low: 0 } });
  });
});

describe('digest format', () => {
  it('sends bare hex to every SAS API (as each documents it), and the simulator refuses sha256:', async () => {
    const client = scanner();
    const img = image('format');
    const handle = await client.start(img);
    await finish(client, img, handle);
    await client.report(img, handle);
    const sent = sim.calls.flatMap((c) => [c.params.Digest, ...(c.params.Digests ?? '').split(',')]).filter(Boolean);
    expect(sent.length).toBeGreaterThanOrEqual(4);
    expect(sent.every((d) => /^[0-9a-f]{64}$/.test(d!))).toBe(true);

    const rpc = createRpcClient({ http, endpoint: sim.url, version: SAS_API_VERSION, credentials: () => ALIBABA_SIM_CREDENTIALS, retry });
    await expect(rpc.call('DescribeImageLatestScanTask', { Digest: img.digest })).rejects.toMatchObject({ code: 'InvalidParameter' });
  });

  it('accepts digests answered with sha256: and a push digest given either way', async () => {
    const client = scanner();
    const img = image('api-prefixed');
    const handle = await client.start(img);
    expect(await finish(client, img, handle)).toEqual({ state: 'complete' });
    const tasks = sim.calls.filter((c) => c.action === 'DescribeImageLatestScanTask').map((c) => (c.body.Task as { Target: string }[])[0]!.Target);
    expect(tasks.every((t) => t === img.digest)).toBe(true);
    expect((await client.report(img, handle)).total).toBe(15);
    const bare = { ...img, digest: hexOf(img) };
    expect(await client.check(bare, handle)).toEqual({ state: 'complete' });
    expect((await client.report(bare, handle)).total).toBe(15);
  });
});

describe('Security Center: what a sweep lists', () => {
  const DAY = 86_400_000;

  it('lists the asset center repositories of its registry type and region, their tags, and an image last scan with its time', async () => {
    const now = Date.now();
    const asset = (repo: string, tag: string, at: number, regionId = 'cn-hangzhou') => ({
      registryType: 'acr',
      regionId,
      instanceId: 'cri-unit',
      namespace: 'sweep-s',
      repo,
      tag,
      digest: digestOf(`${repo}:${tag}`).slice(7),
      addedAt: at,
    });
    sim.addAsset(asset('api', 'v1', now - 20 * DAY), { scanned: true });
    sim.addAsset(asset('api', 'v2', now - 2 * DAY));
    sim.addAsset(asset('elsewhere', 'v1', now - DAY, 'cn-beijing'), { scanned: true });
    const list = scanner().list!;
    const repositories = await list.repositories();
    expect(repositories).toContainEqual({ namespace: 'sweep-s', repository: 'api' });
    expect(repositories).not.toContainEqual({ namespace: 'sweep-s', repository: 'elsewhere' });
    const tags = await list.tags({ namespace: 'sweep-s', repository: 'api' });
    expect(tags.sort((a, b) => a.tag.localeCompare(b.tag))).toEqual([
      { tag: 'v1', digest: digestOf('api:v1'), pushedAt: now - 20 * DAY },
      { tag: 'v2', digest: digestOf('api:v2'), pushedAt: now - 2 * DAY },
    ]);
    const scanned = { source: 'acr', region: 'cn-hangzhou', namespace: 'sweep-s', repository: 'api', tag: 'v1', digest: digestOf('api:v1') };
    const last = await list.lastScan(scanned);
    expect(last?.complete).toBe(true);
    expect(last?.findings.length).toBeGreaterThan(0);
    expect(last?.scannedAt).toBeDefined();
    expect(await list.lastScan({ ...scanned, tag: 'v2', digest: digestOf('api:v2') })).toBeUndefined();
  });
});
