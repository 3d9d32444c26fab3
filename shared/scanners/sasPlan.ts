import { type ImagePush, tagsOf } from '../messages/image.js';
import { bareDigest, type SasRegistryType, type SasScanFilters, type SasSyncImage } from '../vendors/alibaba/sas.js';

/** One Security Center create call covering some of a batch's images. */
export interface SasScanCall {
  /** Indices into the batch of the images this call scans (several when pushes share a digest). */
  images: number[];
  /** Distinct digests in this call. */
  digests: number;
  region: string;
  filters: SasScanFilters;
  /** The same images for PublicSyncAndCreateImageScanTask, when Security Center does not know them yet. */
  sync: SasSyncImage[];
}

export interface SasPlanOptions {
  registryType: SasRegistryType;
  /** Used when a push carries no region. */
  region: string;
  instanceId?: string;
  maxImagesPerTask: number;
  now: number;
}

/** Splits `items` into the fewest chunks of at most `max`, as even as possible: 23 by 10 → 8, 8, 7. */
export const evenChunks = <T>(items: readonly T[], max: number): T[][] => {
  if (items.length === 0) return [];
  const count = Math.ceil(items.length / Math.max(1, max));
  const base = Math.floor(items.length / count);
  const larger = items.length % count;
  const chunks: T[][] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    const size = base + (i < larger ? 1 : 0);
    chunks.push(items.slice(at, at + size));
    at += size;
  }
  return chunks;
};

/** Security Center's RepoNames takes the repository's own name, without its namespace. */
export const bareRepoName = (image: ImagePush): string =>
  image.repository.startsWith(`${image.namespace}/`) ? image.repository.slice(image.namespace.length + 1) : image.repository;

interface DigestEntry {
  hex: string;
  indices: number[];
  tags: string[];
  /** Where this digest was pushed: namespace and bare repository name. */
  repos: { namespace: string; name: string }[];
}

const distinct = (values: string[]) => [...new Set(values)].join(',');

/**
 * Plans the create calls for a batch of pushes: per region (and tagged or not, since a Tags filter would exclude a
 * digest-only push), the digests split evenly into calls of at most `maxImagesPerTask`. Each call names its
 * digests, their repositories and namespaces, and their tags. The filter fields are ANDed, each a list, so a call
 * for repos A and B also matches A's copy of a digest pushed to B: only an image with the very content pushed,
 * which is rare and costs one scan of it; in return, 100 pushes to 100 repositories take 10 calls, not 100.
 */
export const planSasScanCalls = (images: readonly ImagePush[], opts: SasPlanOptions): SasScanCall[] => {
  const groups = new Map<string, { region: string; tagged: boolean; digests: Map<string, DigestEntry> }>();
  images.forEach((image, index) => {
    const region = image.region ?? opts.region;
    const tags = tagsOf(image);
    const key = JSON.stringify([region, tags.length > 0]);
    const group = groups.get(key) ?? { region, tagged: tags.length > 0, digests: new Map<string, DigestEntry>() };
    groups.set(key, group);
    const hex = bareDigest(image.digest);
    const entry = group.digests.get(hex) ?? { hex, indices: [], tags: [], repos: [] };
    entry.indices.push(index);
    entry.tags = [...new Set([...entry.tags, ...tags])];
    const repo = { namespace: image.namespace, name: bareRepoName(image) };
    if (!entry.repos.some((r) => r.namespace === repo.namespace && r.name === repo.name)) entry.repos.push(repo);
    group.digests.set(hex, entry);
  });

  return [...groups.values()].flatMap((group) =>
    evenChunks([...group.digests.values()], opts.maxImagesPerTask).map((chunk): SasScanCall => {
      const base = {
        registryType: opts.registryType,
        ...(opts.instanceId ? { instanceId: opts.instanceId } : {}),
        regionId: group.region,
        createTime: opts.now,
        updateTime: opts.now,
      };
      const repos = chunk.flatMap((e) => e.repos);
      return {
        images: chunk.flatMap((e) => e.indices).sort((a, b) => a - b),
        digests: chunk.length,
        region: group.region,
        filters: {
          RegistryTypes: opts.registryType,
          RegionIds: group.region,
          ...(opts.instanceId ? { InstanceIds: opts.instanceId } : {}),
          RepoNamespaces: distinct(repos.map((r) => r.namespace)),
          RepoNames: distinct(repos.map((r) => r.name)),
          Digests: chunk.map((e) => e.hex).join(','),
          ...(group.tagged ? { Tags: distinct(chunk.flatMap((e) => e.tags)) } : {}),
        },
        sync: chunk.flatMap((e) =>
          e.repos.flatMap((r) => {
            const image = { ...base, repoNamespace: r.namespace, repoName: r.name, digest: e.hex };
            return e.tags.length ? e.tags.map((tag) => ({ ...image, tag })) : [image];
          }),
        ),
      };
    }),
  );
};

/** An ACR Enterprise Edition repository, as GetRepository names it. */
export interface AcrRepository {
  instanceId: string;
  namespace: string;
  name: string;
}

/**
 * The repository whose id (`repoId`) a PublicSyncAndCreateImageScanTask entry carries: an ACR image whose instance
 * the scanner knows (https://www.alibabacloud.com/help/en/security-center/developer-reference/api-sas-2018-12-03-publicsyncandcreateimagescantask
 * lists `RepoId`). ACR's GetRepository cannot be asked without the instance id (its InstanceId is required:
 * https://www.alibabacloud.com/help/en/acr/developer-reference/api-cr-2018-12-01-getrepository), and a Harbor or
 * Quay repository has no ACR id: those entries are sent without a `repoId` key.
 */
export const acrRepositoryOf = (entry: SasSyncImage): AcrRepository | undefined =>
  entry.registryType === 'acr' && entry.instanceId ? { instanceId: entry.instanceId, namespace: entry.repoNamespace, name: entry.repoName } : undefined;

export const acrRepositoryKey = (repo: AcrRepository): string => JSON.stringify([repo.instanceId, repo.namespace, repo.name]);

/** The distinct repositories of a call's `sync` entries whose ids it needs, in order of first appearance. */
export const repositoriesToIdentify = (sync: readonly SasSyncImage[]): AcrRepository[] => {
  const found = new Map<string, AcrRepository>();
  for (const entry of sync) {
    const repo = acrRepositoryOf(entry);
    if (repo && !found.has(acrRepositoryKey(repo))) found.set(acrRepositoryKey(repo), repo);
  }
  return [...found.values()];
};

/** The entries with each ACR repository's `repoId` from `ids` (by `acrRepositoryKey`); the others as they are. */
export const withRepoIds = (sync: readonly SasSyncImage[], ids: ReadonlyMap<string, string>): SasSyncImage[] =>
  sync.map((entry) => {
    const repo = acrRepositoryOf(entry);
    const repoId = repo ? ids.get(acrRepositoryKey(repo)) : undefined;
    if (!repoId) return entry;
    const { registryType, ...rest } = entry;
    return { registryType, repoId, ...rest }; // in the order of the doc's example
  });
