import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFullConfig } from '../../../local/fullConfig.js';
import type { ImagePush } from '../../../shared/messages/image.js';
import {
  acrRepositoryKey,
  acrRepositoryOf,
  bareRepoName,
  evenChunks,
  planSasScanCalls,
  repositoriesToIdentify,
  type SasPlanOptions,
  withRepoIds,
} from '../../../shared/scanners/sasPlan.js';
import { bareDigest, sasEndpoint } from '../../../shared/vendors/alibaba/sas.js';

const hex = (n: number) => n.toString(16).padStart(64, '0');
const push = (repository: string, n: number, extra: Partial<ImagePush> = {}): ImagePush => ({
  source: 'acr',
  region: 'cn-hangzhou',
  namespace: 'team-a',
  repository,
  tag: `v${n}`,
  digest: `sha256:${hex(n)}`,
  ...extra,
});
const opts: SasPlanOptions = { registryType: 'acr', region: 'cn-shanghai', instanceId: 'cri-abc', maxImagesPerTask: 10, now: 1_700_000_000_000 };

describe('evenChunks', () => {
  it('splits 23 by 10 into 8, 8, 7, not 10, 10, 3', () => {
    expect(
      evenChunks(
        Array.from({ length: 23 }, (_, i) => i),
        10,
      ).map((c) => c.length),
    ).toEqual([8, 8, 7]);
  });

  it.each([
    [0, 10, []],
    [1, 10, [1]],
    [10, 10, [10]],
    [11, 10, [6, 5]],
    [20, 10, [10, 10]],
    [21, 10, [7, 7, 7]],
    [5, 1, [1, 1, 1, 1, 1]],
  ])('%i items by %i → %j', (n, max, sizes) => {
    expect(
      evenChunks(
        Array.from({ length: n }, (_, i) => i),
        max,
      ).map((c) => c.length),
    ).toEqual(sizes);
  });

  it('for any size: keeps every item once and in order, uses the fewest chunks, none over max, sizes differ by at most 1', () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { maxLength: 300 }), fc.integer({ min: 1, max: 100 }), (items, max) => {
        const chunks = evenChunks(items, max);
        expect(chunks.flat()).toEqual(items);
        expect(chunks).toHaveLength(Math.ceil(items.length / max));
        const sizes = chunks.map((c) => c.length);
        if (sizes.length) {
          expect(Math.max(...sizes)).toBeLessThanOrEqual(max);
          expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        }
      }),
    );
  });
});

describe('planSasScanCalls: the filters of each create call', () => {
  it('one image: every filter set, the digest as bare hex, the repository by its bare name', () => {
    const [call, ...rest] = planSasScanCalls([push('api', 1)], opts);
    expect(rest).toEqual([]);
    expect(call).toMatchObject({
      images: [0],
      digests: 1,
      region: 'cn-hangzhou',
      filters: {
        RegistryTypes: 'acr',
        RegionIds: 'cn-hangzhou',
        InstanceIds: 'cri-abc',
        RepoNamespaces: 'team-a',
        RepoNames: 'api',
        Digests: hex(1),
        Tags: 'v1',
      },
    });
    expect(call!.filters.Digests).not.toContain('sha256:');
    expect(call!.sync).toEqual([
      {
        registryType: 'acr',
        instanceId: 'cri-abc',
        regionId: 'cn-hangzhou',
        repoNamespace: 'team-a',
        repoName: 'api',
        digest: hex(1),
        tag: 'v1',
        createTime: opts.now,
        updateTime: opts.now,
      },
    ]);
  });

  it('takes the region from the push, else the scanner', () => {
    expect(planSasScanCalls([push('api', 1, { region: 'eu-central-1' })], opts)[0]!.filters.RegionIds).toBe('eu-central-1');
    const { region: _, ...noRegion } = push('api', 1);
    expect(planSasScanCalls([noRegion], opts)[0]!.filters.RegionIds).toBe('cn-shanghai');
  });

  it('leaves out InstanceIds when the scanner has none (Harbor, Quay)', () => {
    const { instanceId: _, ...harbor } = opts;
    const [call] = planSasScanCalls([push('api', 1)], { ...harbor, registryType: 'harbor' });
    expect(call!.filters).not.toHaveProperty('InstanceIds');
    expect(call!.filters.RegistryTypes).toBe('harbor');
    expect(call!.sync[0]).not.toHaveProperty('instanceId');
  });

  it('strips the namespace when a source gives the full repository name', () => {
    expect(bareRepoName(push('team-a/api', 1))).toBe('api');
    expect(bareRepoName(push('api', 1))).toBe('api');
    expect(bareRepoName(push('tools/team-a/api', 1))).toBe('tools/team-a/api');
  });

  it("coalesces one repository's pushes: 23 images → 3 calls of 8, 8, 7, each image in exactly one", () => {
    const images = Array.from({ length: 23 }, (_, i) => push('api', i + 1));
    const calls = planSasScanCalls(images, opts);
    expect(calls.map((c) => c.filters.Digests.split(',').length)).toEqual([8, 8, 7]);
    expect(calls.flatMap((c) => c.images).sort((a, b) => a - b)).toEqual(images.map((_, i) => i));
    for (const call of calls) {
      // Tags listed with the digests of this call only.
      expect(call.filters.Tags!.split(',')).toEqual(call.images.map((i) => `v${i + 1}`));
      expect(call.filters.RepoNames).toBe('api');
    }
  });

  it('honours maxImagesPerTask', () => {
    const images = Array.from({ length: 7 }, (_, i) => push('api', i + 1));
    expect(planSasScanCalls(images, { ...opts, maxImagesPerTask: 3 }).map((c) => c.digests)).toEqual([3, 2, 2]);
  });

  it('coalesces across repositories and namespaces of one region, naming each once; regions apart', () => {
    const images = [push('api', 1), push('web', 2), push('api', 3, { namespace: 'team-b' }), push('api', 4, { region: 'cn-beijing' }), push('api', 5)];
    const calls = planSasScanCalls(images, opts);
    expect(calls).toHaveLength(2);
    const [hangzhou, beijing] = calls;
    expect(hangzhou!.images).toEqual([0, 1, 2, 4]);
    expect(hangzhou!.filters.RegionIds).toBe('cn-hangzhou');
    expect(hangzhou!.filters.RepoNames!.split(',').sort()).toEqual(['api', 'web']);
    expect(hangzhou!.filters.RepoNamespaces!.split(',').sort()).toEqual(['team-a', 'team-b']);
    expect(hangzhou!.filters.Digests.split(',')).toHaveLength(4);
    expect(beijing!.images).toEqual([3]);
    expect(beijing!.filters.RegionIds).toBe('cn-beijing');
  });

  it('100 pushes to 100 repositories of one region: 10 calls of 10 digests', () => {
    const images = Array.from({ length: 100 }, (_, i) => push(`svc-${i}`, i + 1));
    const calls = planSasScanCalls(images, opts);
    expect(calls.map((c) => c.digests)).toEqual(Array(10).fill(10));
    expect(calls.flatMap((c) => c.images).sort((a, b) => a - b)).toEqual(images.map((_, i) => i));
  });

  it('a digest-only push goes in a call without a Tags filter (a tag filter would exclude it)', () => {
    const { tag: _, ...untagged } = push('api', 2);
    const calls = planSasScanCalls([push('api', 1), untagged], opts);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.filters.Tags).toBe('v1');
    expect(calls[1]!.filters).not.toHaveProperty('Tags');
    expect(calls[1]!.sync[0]).not.toHaveProperty('tag');
  });

  it('one digest pushed twice (two jobs, or one job with several tags) is one digest in one call, with every tag', () => {
    const images = [push('api', 1, { tag: 'latest', tags: ['latest', '1.0'] }), push('api', 1, { tag: 'stable' }), push('api', 2)];
    const [call, ...rest] = planSasScanCalls(images, opts);
    expect(rest).toEqual([]);
    expect(call!.images).toEqual([0, 1, 2]);
    expect(call!.filters.Digests).toBe(`${hex(1)},${hex(2)}`);
    expect(call!.filters.Tags!.split(',').sort()).toEqual(['1.0', 'latest', 'stable', 'v2']);
    expect(call!.sync.map((s) => `${s.digest.slice(-1)}:${s.tag}`).sort()).toEqual(['1:1.0', '1:latest', '1:stable', '2:v2']);
  });

  it('every call it plans has a non-empty digest filter', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.integer({ min: 1, max: 40 })), { minLength: 1, maxLength: 60 }), (pairs) => {
        const calls = planSasScanCalls(
          pairs.map(([repo, n]) => push(repo, n)),
          opts,
        );
        for (const call of calls) {
          expect(call.filters.Digests.split(',').every((d) => /^[0-9a-f]{64}$/.test(d))).toBe(true);
          expect(call.digests).toBeLessThanOrEqual(10);
        }
        expect(calls.flatMap((c) => c.images)).toHaveLength(pairs.length);
      }),
    );
  });
});

describe("repoId on PublicSyncAndCreateImageScanTask's entries", () => {
  const images = [push('api', 1, { tags: ['v1', 'latest'] }), push('web', 2), push('api', 3, { namespace: 'team-b' }), push('api', 4)];

  it('the plan names no id itself: the scanner reads them', () => {
    for (const entry of planSasScanCalls(images, opts)[0]!.sync) expect(entry).not.toHaveProperty('repoId');
  });

  it('asks for each ACR repository of a call once, by instance, namespace and bare name', () => {
    const [call] = planSasScanCalls(images, opts);
    expect(repositoriesToIdentify(call!.sync)).toEqual([
      { instanceId: 'cri-abc', namespace: 'team-a', name: 'api' },
      { instanceId: 'cri-abc', namespace: 'team-a', name: 'web' },
      { instanceId: 'cri-abc', namespace: 'team-b', name: 'api' },
    ]);
    expect(repositoriesToIdentify(planSasScanCalls([push('team-a/api', 1)], opts)[0]!.sync)).toEqual([
      { instanceId: 'cri-abc', namespace: 'team-a', name: 'api' },
    ]);
  });

  it('none where the id cannot be known: ACR without an instance id, Harbor, Quay', () => {
    const { instanceId: _, ...noInstance } = opts;
    for (const registryType of ['acr', 'harbor', 'quay'] as const) {
      const [call] = planSasScanCalls(images, { ...noInstance, registryType });
      expect(repositoriesToIdentify(call!.sync)).toEqual([]);
      expect(call!.sync.every((e) => acrRepositoryOf(e) === undefined)).toBe(true);
    }
    // An instance id with Harbor would be a config mistake: still no ACR lookup for a Harbor image.
    expect(repositoriesToIdentify(planSasScanCalls(images, { ...opts, registryType: 'harbor' })[0]!.sync)).toEqual([]);
  });

  it('puts each id on every entry of its repository, and leaves the others as they are', () => {
    const [call] = planSasScanCalls(images, opts);
    const ids = new Map([
      [acrRepositoryKey({ instanceId: 'cri-abc', namespace: 'team-a', name: 'api' }), 'crr-a'],
      [acrRepositoryKey({ instanceId: 'cri-abc', namespace: 'team-b', name: 'api' }), 'crr-b'],
    ]);
    const out = withRepoIds(call!.sync, ids);
    expect(out.map((e) => [`${e.repoNamespace}/${e.repoName}:${e.tag}`, e.repoId])).toEqual([
      ['team-a/api:v1', 'crr-a'],
      ['team-a/api:latest', 'crr-a'],
      ['team-a/web:v2', undefined],
      ['team-b/api:v3', 'crr-b'],
      ['team-a/api:v4', 'crr-a'],
    ]);
    expect(out[2]).not.toHaveProperty('repoId');
    // The keys in the order of the API doc's example: registryType, repoId, instanceId, …
    expect(Object.keys(out[0]!).slice(0, 3)).toEqual(['registryType', 'repoId', 'instanceId']);
    expect(out[0]).toEqual({ ...call!.sync[0], repoId: 'crr-a' });
  });
});

describe('digests and endpoints', () => {
  it('bareDigest accepts a digest with or without sha256:, in either case', () => {
    expect(bareDigest(`sha256:${hex(7)}`)).toBe(hex(7));
    expect(bareDigest(hex(7))).toBe(hex(7));
    expect(bareDigest(`SHA256:${hex(7).toUpperCase()}`)).toBe(hex(7));
  });

  it.each([
    ['cn-hangzhou', 'https://tds.cn-shanghai.aliyuncs.com'],
    ['cn-beijing', 'https://tds.cn-shanghai.aliyuncs.com'],
    ['cn-hongkong', 'https://tds.cn-shanghai.aliyuncs.com'],
    ['cn-shanghai-finance-1', 'https://tds.cn-shanghai.aliyuncs.com'],
    ['ap-southeast-1', 'https://tds.ap-southeast-1.aliyuncs.com'],
    ['eu-central-1', 'https://tds.ap-southeast-1.aliyuncs.com'],
    ['us-west-1', 'https://tds.ap-southeast-1.aliyuncs.com'],
  ])('%s → %s', (region, endpoint) => {
    expect(sasEndpoint(region)).toBe(endpoint);
  });
});

describe('the sas scanner entry in the config', () => {
  const doc = (scanner: Record<string, unknown>) => ({
    sources: { acr: { secret: 'x'.repeat(16) } },
    scanners: { sas: scanner },
    channels: { audit: { type: 'webhook', url: 'https://audit.example.com/scans' } },
    routes: [{ source: 'acr', scanner: 'sas', channels: ['audit'] }],
  });
  const error = (scanner: Record<string, unknown>) => {
    try {
      parseFullConfig(doc(scanner));
      return '';
    } catch (err) {
      return (err as Error).message;
    }
  };

  it('takes acrEndpoint, where GetRepository is asked', () => {
    expect(parseFullConfig(doc({ type: 'sas', region: 'cn-hangzhou', acrEndpoint: 'http://127.0.0.1:9' })).scanners.sas).toMatchObject({
      acrEndpoint: 'http://127.0.0.1:9',
    });
  });

  it('fills in the defaults', () => {
    expect(parseFullConfig(doc({ type: 'sas', region: 'cn-hangzhou' })).scanners.sas).toEqual({
      type: 'sas',
      region: 'cn-hangzhou',
      registryType: 'acr',
      maxImagesPerTask: 10,
      busyRetrySeconds: 30,
    });
  });

  it('names each bad field', () => {
    expect(error({ type: 'sas', region: 'Hangzhou' })).toContain('scanners.sas.region: expected a region id');
    expect(error({ type: 'sas', region: 'cn-hangzhou', registryType: 'gcr' })).toContain('scanners.sas.registryType');
    expect(error({ type: 'sas', region: 'cn-hangzhou', maxImagesPerTask: 0 })).toContain('scanners.sas.maxImagesPerTask');
    expect(error({ type: 'sas', region: 'cn-hangzhou', maxImagesPerTask: 101 })).toContain('scanners.sas.maxImagesPerTask');
    expect(error({ type: 'sas', region: 'cn-hangzhou', endpoint: 'ftp://x' })).toContain('scanners.sas.endpoint');
    expect(error({ type: 'sas', region: 'cn-hangzhou', acrEndpoint: 'not a url' })).toContain('scanners.sas.acrEndpoint');
  });

  it('the ACR scanner takes engine "acr" or "sas" and nothing else', () => {
    const acr = { type: 'acr', region: 'cn-hangzhou', instanceId: 'cri-1' };
    expect(parseFullConfig(doc({ ...acr, engine: 'sas' })).scanners.sas).toMatchObject({ engine: 'sas' });
    expect(error({ ...acr, engine: 'trivy' })).toContain('scanners.sas.engine');
  });
});
