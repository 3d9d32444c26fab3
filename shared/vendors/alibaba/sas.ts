import { CallError } from '../../http/callError.js';
import { bareDigest } from '../encoding.js';
import type { RpcClient, RpcParams } from './rpc.js';

/** Alibaba Cloud Security Center (SAS, "tds"), API 2018-12-03 (https://help.aliyun.com/zh/security-center/developer-reference/api-sas-2018-12-03-publiccreateimagescantask). */
export const SAS_API_VERSION = '2018-12-03';

/** Security Center has two endpoints, not one per region: mainland China (finance and Hong Kong included) and the rest. */
export const sasEndpoint = (region: string): string =>
  region.startsWith('cn-') ? 'https://tds.cn-shanghai.aliyuncs.com' : 'https://tds.ap-southeast-1.aliyuncs.com';

/** Every SAS image API documents the digest as bare hex. Accepts `sha256:…` or bare hex. */
export { bareDigest };

export type SasRegistryType = 'acr' | 'harbor' | 'quay';

/** The filters of a pre-check or create call, each a comma-separated list; the fields are ANDed. */
export interface SasScanFilters {
  RegistryTypes?: string;
  RegionIds?: string;
  InstanceIds?: string;
  RepoNamespaces?: string;
  RepoNames?: string;
  Digests: string;
  Tags?: string;
}

/**
 * One image for PublicSyncAndCreateImageScanTask's `Images` JSON: the fields and their lower-camel keys as the API
 * reference lists them (https://www.alibabacloud.com/help/en/security-center/developer-reference/api-sas-2018-12-03-publicsyncandcreateimagescantask)
 * and as the official SDK's model documents them (https://github.com/aliyun/alibabacloud-typescript-sdk/blob/master/sas-20181203/src/models/PublicSyncAndCreateImageScanTaskRequest.ts).
 */
export interface SasSyncImage {
  registryType: SasRegistryType;
  /**
   * The repository's id in ACR Enterprise Edition (`crr-…`), from ACR's GetRepository. Only an ACR image whose
   * instance the scanner knows has one; otherwise the key is left out (see the SAS scanner).
   */
  repoId?: string;
  instanceId?: string;
  regionId: string;
  repoNamespace: string;
  repoName: string;
  /** Bare hex. */
  digest: string;
  tag?: string;
  createTime: number;
  updateTime: number;
}

export interface SasTaskStart {
  taskId?: string;
  canCreate?: boolean;
  status?: string;
  result?: string;
}

export interface SasTask {
  taskId: string;
  status: string;
  target: string;
  startTime?: number;
}

export interface SasVulRecord {
  Name?: string;
  AliasName?: string;
  Related?: string;
  Necessity?: string;
  ImageDigest?: string;
  ExtendContentJson?: unknown;
}

/** An image Security Center holds, as DescribeImageInstances lists it. */
export interface SasImageInstance {
  namespace: string;
  repo: string;
  tag?: string;
  /** Bare hex. */
  digest: string;
  /** ImageUpdate, ms since the epoch (0 when absent). */
  updatedAt: number;
  /** ScaStatus: `SUCCESS` once the image's scan completed; absent from some replies. */
  scanStatus?: string;
  lastScanTime?: number;
  regionId?: string;
  registryType?: string;
}

/** One search condition of DescribeImageInstances' `Criteria`. */
export interface SasCriterion {
  name: string;
  value: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

const imageInstance = (raw: unknown): SasImageInstance[] => {
  const i = (raw ?? {}) as Record<string, unknown>;
  const digest = str(i.Digest);
  if (!digest) return [];
  const tag = str(i.Tag);
  const scanStatus = str(i.ScaStatus);
  const regionId = str(i.RegionId);
  const registryType = str(i.RegistryType);
  const lastScanTime = Number(i.LastScanTime);
  return [
    {
      namespace: str(i.RepoNamespace) ?? '',
      repo: str(i.RepoName) ?? '',
      ...(tag ? { tag } : {}),
      digest: bareDigest(digest),
      updatedAt: Number(i.ImageUpdate) || Number(i.ImageCreate) || 0,
      ...(scanStatus ? { scanStatus } : {}),
      ...(lastScanTime > 0 ? { lastScanTime } : {}),
      ...(regionId ? { regionId } : {}),
      ...(registryType ? { registryType } : {}),
    },
  ];
};

const taskStart = (res: Record<string, unknown>): SasTaskStart => {
  const data = (res.Data ?? {}) as Record<string, unknown>;
  return {
    ...(data.TaskId ? { taskId: String(data.TaskId) } : {}),
    ...(typeof data.CanCreate === 'boolean' ? { canCreate: data.CanCreate } : {}),
    ...(data.Status ? { status: String(data.Status) } : {}),
    ...(data.Result ? { result: String(data.Result) } : {}),
  };
};

/**
 * The RAM action of each call is `yundun-sas:<Action>`; documented for PublicCreateImageScanTask and
 * PublicSyncAndCreateImageScanTask (https://www.alibabacloud.com/help/en/security-center/developer-reference/api-sas-2018-12-03-publicsyncandcreateimagescantask),
 * assumed for the others.
 */
const withRamHint = async <T>(action: string, call: () => Promise<T>): Promise<T> => {
  try {
    return await call();
  } catch (err) {
    if (err instanceof CallError && err.kind === 'permission') {
      throw new CallError({
        kind: err.kind,
        code: err.code,
        message: `${err.message} (RAM action yundun-sas:${action})`,
        ...(err.status ? { status: err.status } : {}),
      });
    }
    if (err instanceof CallError && err.kind === 'quota') {
      throw new CallError({
        kind: err.kind,
        code: err.code,
        message: `Security Center's container image scan quota is used up (${err.code}): add quota in the Security Center console. ${err.message}`,
        ...(err.status ? { status: err.status } : {}),
      });
    }
    throw err;
  }
};

/** A create without a digest filter would scan every image the account has and burn the whole quota. */
const requireDigests = (action: string, filters: SasScanFilters): void => {
  if (!filters.Digests.split(',').some((d) => d.trim())) {
    throw new CallError({
      kind: 'invalid',
      code: 'UnfilteredScan',
      message: `${action}: refusing to send a scan without a digest filter: it would scan every image`,
    });
  }
};

export const createSasApi = (rpc: RpcClient) => {
  const call = (action: string, params: RpcParams, options?: { repeatable?: boolean }) => withRamHint(action, () => rpc.call(action, params, options));

  return {
    /** How many images the filters cover. The two counts' descriptions look swapped in the docs, so the larger is taken. */
    async preCheckImageScanTask(filters: SasScanFilters): Promise<{ images: number }> {
      requireDigests('PublicPreCheckImageScanTask', filters);
      const res = await call('PublicPreCheckImageScanTask', { ...filters });
      const data = (res.Data ?? {}) as Record<string, unknown>;
      return { images: Math.max(Number(data.ScanImageCount) || 0, Number(data.NeedAuthCount) || 0) };
    },

    /**
     * DescribeImageScanAuthCount: the image-scan authorizations bought (`ImageScanCapacity`) and used (`ScanCount`)
     * (https://www.alibabacloud.com/help/en/security-center/developer-reference/api-sas-2018-12-03-describeimagescanauthcount).
     */
    async imageScanAuthCount(): Promise<{ capacity: number; used: number }> {
      const res = await call('DescribeImageScanAuthCount', {});
      const scan = (res.ImageScan ?? {}) as Record<string, unknown>;
      return { capacity: Number(scan.ImageScanCapacity) || 0, used: Number(scan.ScanCount) || 0 };
    },

    async createImageScanTask(filters: SasScanFilters): Promise<SasTaskStart> {
      requireDigests('PublicCreateImageScanTask', filters);
      // Each create spends scan quota and one of the 10 task slots: never sent again blindly.
      return taskStart(await call('PublicCreateImageScanTask', { ...filters }, { repeatable: false }));
    },

    /** Imports images Security Center has not synced yet, and scans them. Keys in lower camel, as the doc's example and the SDK's model. */
    async syncAndCreateImageScanTask(images: SasSyncImage[]): Promise<SasTaskStart> {
      if (images.length === 0 || images.some((i) => !i.digest)) {
        throw new CallError({ kind: 'invalid', code: 'UnfilteredScan', message: 'PublicSyncAndCreateImageScanTask: refusing to send images without digests' });
      }
      return taskStart(await call('PublicSyncAndCreateImageScanTask', { Images: JSON.stringify(images) }, { repeatable: false }));
    },

    /** The image's latest scan tasks (usually one); none before its first scan is registered. */
    async describeImageLatestScanTask(digest: string): Promise<SasTask[]> {
      const res = await call('DescribeImageLatestScanTask', { Digest: bareDigest(digest) });
      const tasks = Array.isArray(res.Task) ? (res.Task as Record<string, unknown>[]) : [];
      return tasks.map((t) => ({
        taskId: String(t.TaskId ?? ''),
        status: String(t.Status ?? ''),
        target: String(t.Target ?? ''),
        ...(Number(t.StartTime) > 0 ? { startTime: Number(t.StartTime) } : {}),
      }));
    },

    /**
     * DescribeImageInstances: the image assets that meet every one of `criteria` (names as DescribeImageRepoCriteria lists
     * them: repoNamespace, repoName, tag, …), with tag, digest, ImageUpdate and the scan's ScaStatus
     * (https://www.alibabacloud.com/help/en/security-center/developer-reference/api-sas-2018-12-03-describeimageinstances;
     * fields as the official SDK's model documents them:
     * https://github.com/aliyun/alibabacloud-typescript-sdk/blob/master/sas-20181203/src/models/DescribeImageInstancesResponseBody.ts).
     * Its largest page size is not documented (default 20).
     */
    async describeImageInstances(criteria: SasCriterion[], page: { currentPage: number; pageSize: number }) {
      const res = await call('DescribeImageInstances', {
        Criteria: JSON.stringify(criteria.map((c) => ({ ...c, logicalExp: 'OR' }))),
        LogicalExp: 'AND',
        CurrentPage: page.currentPage,
        PageSize: page.pageSize,
      });
      const total = Number((res.PageInfo as Record<string, unknown> | undefined)?.TotalCount);
      return {
        ...(Number.isFinite(total) ? { total } : {}),
        images: (Array.isArray(res.ImageInstanceList) ? res.ImageInstanceList : []).flatMap(imageInstance),
      };
    },

    async describeImageVulList(digest: string, page: { currentPage: number; pageSize: number }) {
      const res = await call('DescribeImageVulList', {
        Type: 'cve',
        Digest: bareDigest(digest),
        Lang: 'en',
        CurrentPage: page.currentPage,
        PageSize: page.pageSize,
      });
      const totalCount = Number(res.TotalCount);
      return {
        ...(res.TotalCount !== undefined && Number.isFinite(totalCount) ? { totalCount } : {}),
        records: (Array.isArray(res.VulRecords) ? res.VulRecords : []) as SasVulRecord[],
      };
    },
  };
};
export type SasApi = ReturnType<typeof createSasApi>;
