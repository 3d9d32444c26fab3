import type { ImagePush } from '../messages.js';
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

const tagsOf = (image: ImagePush): string[] => [...new Set([image.tag, ...(image.tags ?? [])].filter((t): t is string => Boolean(t)))];

interface DigestEntry {
  hex: string;
  indices: number[];
  tags: string[];
}

/**
 * Plans the create calls for a batch of pushes. The filter fields of one call are ANDed, each a list, so a call
 * naming two repositories and two digests would also scan repo A's copy of repo B's digest. Hence one call covers
 * one repository (same region, namespace and name): its only filter values are that repository and the batch's
 * digests in it, and the tags pushed with them when every image of the call has one. Within a repository the
 * digests are split evenly into calls of at most `maxImagesPerTask`.
 */
export const planSasScanCalls = (images: readonly ImagePush[], opts: SasPlanOptions): SasScanCall[] => {
  const groups = new Map<string, { region: string; image: ImagePush; tagged: boolean; digests: Map<string, DigestEntry> }>();
  images.forEach((image, index) => {
    const region = image.region ?? opts.region;
    const tags = tagsOf(image);
    const key = JSON.stringify([region, image.namespace, bareRepoName(image), tags.length > 0]);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { region, image, tagged: tags.length > 0, digests: new Map() }));
    const hex = bareDigest(image.digest);
    const entry = group.digests.get(hex) ?? { hex, indices: [], tags: [] };
    entry.indices.push(index);
    entry.tags = [...new Set([...entry.tags, ...tags])];
    group.digests.set(hex, entry);
  });

  return [...groups.values()].flatMap((group) =>
    evenChunks([...group.digests.values()], opts.maxImagesPerTask).map((chunk): SasScanCall => {
      const tags = [...new Set(chunk.flatMap((e) => e.tags))];
      const base = {
        registryType: opts.registryType,
        ...(opts.instanceId ? { instanceId: opts.instanceId } : {}),
        regionId: group.region,
        repoNamespace: group.image.namespace,
        repoName: bareRepoName(group.image),
        createTime: opts.now,
        updateTime: opts.now,
      };
      return {
        images: chunk.flatMap((e) => e.indices).sort((a, b) => a - b),
        digests: chunk.length,
        region: group.region,
        filters: {
          RegistryTypes: opts.registryType,
          RegionIds: group.region,
          ...(opts.instanceId ? { InstanceIds: opts.instanceId } : {}),
          RepoNamespaces: group.image.namespace,
          RepoNames: bareRepoName(group.image),
          Digests: chunk.map((e) => e.hex).join(','),
          ...(group.tagged ? { Tags: tags.join(',') } : {}),
        },
        sync: chunk.flatMap((e) =>
          e.tags.length ? e.tags.map((tag) => ({ ...base, digest: e.hex, tag })) : [{ ...base, digest: e.hex }],
        ),
      };
    }),
  );
};
