import { CallError } from '../../http/callError.js';
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

  async createRepoTagScanTask(image: AcrImage, scanService?: AcrScanService): Promise<void> {
    await rpc.call('CreateRepoTagScanTask', {
      InstanceId: image.instanceId,
      RepoId: image.repoId,
      Tag: image.tag,
      Digest: digestParam(image.digest, true),
      ScanService: scanService,
    });
  },

  async getRepoTagScanStatus(image: AcrImage): Promise<AcrScanStatus> {
    const res = await rpc.call('GetRepoTagScanStatus', {
      InstanceId: image.instanceId,
      RepoId: image.repoId,
      Tag: image.tag,
      Digest: digestParam(image.digest, false),
    });
    return String(res.Status) as AcrScanStatus;
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
    return {
      totalCount: Number(res.TotalCount) || 0,
      vulnerabilities: (Array.isArray(res.Vulnerabilities) ? res.Vulnerabilities : []) as AcrVulnerability[],
    };
  },
});
export type CrApi = ReturnType<typeof createCrApi>;
