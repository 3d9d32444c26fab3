import { CallError } from '../../http/callError.js';
import { prefixedDigest } from '../../messages/image.js';
import type { RpcClient } from './rpc.js';

/** Alibaba Cloud Container Registry Enterprise Edition, API 2018-12-01 (https://www.alibabacloud.com/help/en/acr/developer-reference/api-cr-2018-12-01-getrepotagscanstatus). */
export const CR_API_VERSION = '2018-12-01';
export const crEndpoint = (region: string): string => `https://cr.${region}.aliyuncs.com`;

export type AcrScanStatus = 'SCANNING' | 'COMPLETE' | 'FAILED' | 'RETRYING';
export type AcrScanService = 'ACR_SCAN_SERVICE' | 'SAS_SCAN_SERVICE';

export interface AcrImage {
  instanceId: string;
  repoId: string;
  tag: string;
  /** `sha256:…`. The docs' examples disagree on the prefix (CreateRepoTagScanTask's has it, GetRepoTagScanStatus's not): see `digestParam`. */
  digest?: string;
}

/** A tag of a repository, as ListRepoTag and GetRepoTag list it. */
export interface AcrTag {
  tag: string;
  /** `sha256:…` (the docs' examples show bare hex: normalised). */
  digest: string;
  /** ImageUpdate, ms since the epoch (0 when absent). */
  updatedAt: number;
}

/** A repository as ListRepository lists it. */
export interface AcrRepository {
  namespace: string;
  name: string;
  repoId: string;
}

export interface AcrScanState {
  status: AcrScanStatus;
  /** Which engine scanned it (`ACR_SCAN_SERVICE` / `SAS_SCAN_SERVICE`), where the reply says. */
  scanService?: string;
}

const acrTag = (raw: unknown): AcrTag | undefined => {
  const t = (raw ?? {}) as Record<string, unknown>;
  if (typeof t.Tag !== 'string' || !t.Tag || typeof t.Digest !== 'string' || !t.Digest) return undefined;
  return { tag: t.Tag, digest: prefixedDigest(t.Digest), updatedAt: Number(t.ImageUpdate) || Number(t.ImageCreate) || 0 };
};

/** A count the API may send as a number or a numeric string (ListRepoTag's TotalCount is a string in the SDK's model). */
const countOf = (v: unknown): number | undefined => (v === undefined || v === null || v === '' || !Number.isFinite(Number(v)) ? undefined : Number(v));

export interface AcrVulnerability {
  Severity?: string;
  CveName?: string;
  Feature?: string;
  Version?: string;
  VersionFixed?: string;
  FixCmd?: string;
  CveLink?: string;
  AliasName?: string;
}

/**
 * Create and Summary document `sha256:…`; Status shows the bare hex. Unconfirmed which form each API accepts,
 * so each call sends the form its own page documents.
 */
const digestParam = (digest: string | undefined, prefixed: boolean): string | undefined =>
  digest === undefined ? undefined : prefixed ? digest : digest.replace(/^sha256:/, '');

export const createCrApi = (rpc: RpcClient) => ({
  /**
   * The repository's id (`crr-…`) by instance, namespace and name. InstanceId is required; the RAM action is
   * `cr:GetRepository` (https://www.alibabacloud.com/help/en/acr/developer-reference/api-cr-2018-12-01-getrepository).
   */
  async getRepositoryId(instanceId: string, namespace: string, name: string): Promise<string> {
    const res = await rpc.call('GetRepository', { InstanceId: instanceId, RepoNamespaceName: namespace, RepoName: name });
    if (typeof res.RepoId !== 'string' || !res.RepoId) {
      throw new CallError({ kind: 'invalid', code: 'NoRepoId', message: `ACR GetRepository answered no RepoId for ${namespace}/${name}` });
    }
    return res.RepoId;
  },

  /**
   * ListRepository: the instance's repositories, paged (https://www.alibabacloud.com/help/en/acr/developer-reference/api-cr-2018-12-01-listrepository).
   * Its largest page is not documented: callers ask for ListRepoTag's 100 (unconfirmed). Only repositories in state
   * NORMAL are asked for; an entry without a namespace, a name or an id is left out.
   */
  async listRepositories(instanceId: string, page: { pageNo: number; pageSize: number }): Promise<{ total?: number; repositories: AcrRepository[] }> {
    const res = await rpc.call('ListRepository', { InstanceId: instanceId, RepoStatus: 'NORMAL', PageNo: page.pageNo, PageSize: page.pageSize });
    const total = countOf(res.TotalCount);
    const repositories = (Array.isArray(res.Repositories) ? res.Repositories : []).flatMap((raw) => {
      const r = (raw ?? {}) as Record<string, unknown>;
      return typeof r.RepoNamespaceName === 'string' &&
        r.RepoNamespaceName &&
        typeof r.RepoName === 'string' &&
        r.RepoName &&
        typeof r.RepoId === 'string' &&
        r.RepoId
        ? [{ namespace: r.RepoNamespaceName, name: r.RepoName, repoId: r.RepoId }]
        : [];
    });
    return { ...(total !== undefined ? { total } : {}), repositories };
  },

  async createRepoTagScanTask(image: AcrImage, scanService?: AcrScanService): Promise<void> {
    await rpc.call('CreateRepoTagScanTask', {
      InstanceId: image.instanceId,
      RepoId: image.repoId,
      Tag: image.tag,
      Digest: digestParam(image.digest, true),
      ScanService: scanService,
    });
  },

  /** The scan's status and, per the API reference, the engine that ran it (`ScanService`). */
  async getRepoTagScanStatus(image: AcrImage): Promise<AcrScanState> {
    const res = await rpc.call('GetRepoTagScanStatus', {
      InstanceId: image.instanceId,
      RepoId: image.repoId,
      Tag: image.tag,
      Digest: digestParam(image.digest, false),
    });
    return { status: String(res.Status) as AcrScanStatus, ...(typeof res.ScanService === 'string' && res.ScanService ? { scanService: res.ScanService } : {}) };
  },

  /**
   * ListRepoTag: a repository's tags, each with its digest and ImageUpdate (ms), at most 100 a page
   * (https://www.alibabacloud.com/help/en/acr/developer-reference/api-cr-2018-12-01-listrepotag; fields and the page
   * limit as the official SDK's model documents them:
   * https://github.com/aliyun/alibabacloud-typescript-sdk/blob/master/cr-20181201/src/models/ListRepoTagResponseBody.ts).
   * The order of the list is not documented.
   */
  async listRepoTags(instanceId: string, repoId: string, page: { pageNo: number; pageSize: number }): Promise<{ total?: number; tags: AcrTag[] }> {
    const res = await rpc.call('ListRepoTag', { InstanceId: instanceId, RepoId: repoId, PageNo: page.pageNo, PageSize: page.pageSize });
    const total = countOf(res.TotalCount);
    return { ...(total !== undefined ? { total } : {}), tags: (Array.isArray(res.Images) ? res.Images : []).flatMap((i) => acrTag(i) ?? []) };
  },

  /**
   * GetRepoTag: one tag's digest and ImageUpdate (https://www.alibabacloud.com/help/en/acr/developer-reference/api-cr-2018-12-01-getrepotag).
   * How it answers for a tag the repository lacks is not documented: any not-found reply, or a reply without a digest, is none.
   */
  async getRepoTag(instanceId: string, repoId: string, tag: string): Promise<AcrTag | undefined> {
    try {
      return acrTag(await rpc.call('GetRepoTag', { InstanceId: instanceId, RepoId: repoId, Tag: tag }));
    } catch (err) {
      if (err instanceof CallError && err.kind === 'not_found') return undefined;
      throw err;
    }
  },

  async getRepoTagScanSummary(image: AcrImage) {
    const res = await rpc.call('GetRepoTagScanSummary', {
      InstanceId: image.instanceId,
      RepoId: image.repoId,
      Tag: image.tag,
      Digest: digestParam(image.digest, true),
    });
    const n = (v: unknown) => (typeof v === 'number' && v >= 0 ? v : Number(v) || 0);
    return {
      total: n(res.TotalSeverity),
      high: n(res.HighSeverity),
      medium: n(res.MediumSeverity),
      low: n(res.LowSeverity),
      unknown: n(res.UnknownSeverity),
    };
  },

  async listRepoTagScanResult(image: AcrImage, opts: { severity?: string; pageSize: number; pageNo?: number }) {
    const res = await rpc.call('ListRepoTagScanResult', {
      InstanceId: image.instanceId,
      RepoId: image.repoId,
      Tag: image.tag,
      Digest: digestParam(image.digest, true),
      Severity: opts.severity,
      PageNo: opts.pageNo ?? 1,
      PageSize: opts.pageSize,
    });
    const totalCount = countOf(res.TotalCount);
    return {
      ...(totalCount !== undefined ? { totalCount } : {}),
      vulnerabilities: (Array.isArray(res.Vulnerabilities) ? res.Vulnerabilities : []) as AcrVulnerability[],
    };
  },
});
export type CrApi = ReturnType<typeof createCrApi>;
