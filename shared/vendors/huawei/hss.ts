import { type HuaweiClient, huaweiEndpoint } from './client.js';
import { pathSegment } from './signer.js';

/** Huawei Cloud HSS (Host Security) v5, container image scanning (https://support.huaweicloud.com/intl/en-us/api-hss2.0/CreateManualImageScanTask.html). */
export const hssEndpoint = (region: string): string => huaweiEndpoint('hss', region);

export type HssImageType = 'private_image' | 'shared_image' | 'instance_image';
export type HssScanStatus = 'unscan' | 'waiting_for_scan' | 'scanning' | 'success' | 'failed' | 'download_failed' | 'image_oversized' | string;
export type RepairNecessity = 'immediate_repair' | 'delay_repair' | 'not_needed_repair';

/** Where the images live: the SWR organisation kind, and for SWR Enterprise Edition the instance. */
export interface HssRegistry {
  imageType: HssImageType;
  instanceId?: string;
  instanceUrl?: string;
}

export interface HssImage {
  namespace: string;
  imageName: string;
  /** The tag; absent for a digest-only push. */
  version?: string;
  digest: string;
}

/** An image as HSS lists it (`image/swr-repository` and `image/registries/images` items, the fields both share). */
export interface HssListedImage {
  image_id?: string;
  namespace?: string;
  image_name?: string;
  image_digest?: string;
  image_version?: string;
  /** ms since the epoch. */
  latest_update_time?: number;
  /** ms since the epoch; 0 or absent when never scanned. */
  latest_scan_time?: number;
  scan_status?: HssScanStatus;
  scan_failed_code?: string;
  scan_failed_desc?: string;
}

export interface HssVulnerability {
  vul_id?: string;
  repair_necessity?: string;
  description?: string;
  app_name?: string;
  version?: string;
  solution?: string;
  url?: string;
}

const REGISTRY_TYPE: Record<HssImageType, string> = { private_image: 'SwrPrivate', shared_image: 'SwrShared', instance_image: 'SwrEnterprise' };

/** `scan_scope` bitmask for vulnerabilities only (0x000f0000, per the SDK's field comment; unconfirmed elsewhere). */
const SCAN_SCOPE_VULNERABILITIES = 0x000f0000;

const instanceFields = (r: HssRegistry) => ({
  ...(r.instanceId ? { instance_id: r.instanceId } : {}),
  ...(r.instanceUrl ? { instance_url: r.instanceUrl } : {}),
});

const list = <T>(reply: Record<string, unknown>): { total?: number; items: T[] } => ({
  ...(reply.total_num !== undefined && Number.isFinite(Number(reply.total_num)) ? { total: Number(reply.total_num) } : {}),
  items: Array.isArray(reply.data_list) ? (reply.data_list as T[]) : [],
});

export const createHssApi = (client: HuaweiClient, enterpriseProjectId: string) => {
  const v5 = `/v5/${pathSegment(client.projectId)}/image`;
  const eps = { enterprise_project_id: enterpriseProjectId };

  /** SWR EE images from `image/registries/images`, the others from `image/swr-repository`; by tag when there is one. */
  const listPage = async (
    registry: HssRegistry,
    image: Partial<Omit<HssImage, 'digest'>>,
    page: { offset: number; limit: number; scanStatus?: HssScanStatus },
  ): Promise<{ total?: number; items: HssListedImage[] }> => {
    const enterprise = registry.imageType === 'instance_image';
    const reply = await client.call(enterprise ? 'ListRegistryImages' : 'ListSwrImageRepository', {
      method: 'GET',
      path: enterprise ? `${v5}/registries/images` : `${v5}/swr-repository`,
      query: {
        ...eps,
        image_type: registry.imageType,
        namespace: image.namespace,
        image_name: image.imageName,
        image_version: image.version,
        instance_id: registry.instanceId,
        scan_status: page.scanStatus,
        offset: String(page.offset),
        limit: String(page.limit),
      },
    });
    return list<HssListedImage>(reply);
  };

  return {
    /** CreateManualImageScanTask: any number of images, each by digest (plus its tag when it has one). Empty reply. */
    async createScanTask(registry: HssRegistry, images: HssImage[]): Promise<void> {
      await client.call('CreateManualImageScanTask', {
        method: 'POST',
        path: `${v5}/image-scan/tasks`,
        // `global_image_type` is left to its default, `registry`: the SDK and the doc disagree on its other value.
        query: eps,
        body: {
          scan_scope: SCAN_SCOPE_VULNERABILITIES,
          image_info: images.map((image) => ({
            image_digest: image.digest,
            namespace: image.namespace,
            image_name: image.imageName,
            ...(image.version ? { image_version: image.version } : {}),
            registry_type: REGISTRY_TYPE[registry.imageType],
            ...instanceFields(registry),
          })),
        },
      });
    },

    /** BatchScanSwrImage: images by tag only (its list has no digest field). Empty reply. */
    async batchScan(registry: HssRegistry, images: (HssImage & { version: string })[]): Promise<void> {
      await client.call('BatchScanSwrImage', {
        method: 'POST',
        path: `${v5}/batch-scan`,
        query: eps,
        body: {
          image_type: registry.imageType,
          operate_all: false,
          image_info_list: images.map((image) => ({
            namespace: image.namespace,
            image_name: image.imageName,
            image_version: image.version,
            ...instanceFields(registry),
          })),
        },
      });
    },

    /**
     * The image's entries as HSS lists them: SWR EE images from `image/registries/images`, the others from
     * `image/swr-repository`. Filtered by tag when there is one; a digest-only push lists every version (up to 200).
     */
    async listImages(registry: HssRegistry, image: HssImage): Promise<HssListedImage[]> {
      return (await listPage(registry, image, { offset: 0, limit: image.version ? 10 : 200 })).items;
    },

    /**
     * One page of every version of an image whose scan succeeded (`scan_status=success`), each with its digest and
     * `latest_update_time` (https://support.huaweicloud.com/intl/en-us/api-hss2.0/ListSwrImageRepository_0.html, marked
     * deprecated there). SWR EE images: ListRegistryImages, `limit` 1–200 and the same filter, as the official SDK documents
     * it (https://github.com/huaweicloud/huaweicloud-sdk-nodejs-v3/blob/master/services/hss/v5/HssClient.ts); 200 a page
     * for the other list too is unconfirmed.
     */
    scannedVersions: (registry: HssRegistry, image: Omit<HssImage, 'version' | 'digest'>, page: { offset: number; limit: number }) =>
      listPage(registry, image, { ...page, scanStatus: 'success' }),

    /**
     * One page of the images HSS lists (every repository and version it knows of the registry), or of one repository's
     * versions: the lists above without a name, or by name only. Filtering by neither is allowed, as the same pages
     * document both fields as optional.
     */
    images: (registry: HssRegistry, repository: Omit<HssImage, 'version' | 'digest'> | undefined, page: { offset: number; limit: number }) =>
      listPage(registry, repository ?? {}, page),

    /**
     * ListImageVulnerabilities, of one repair necessity or all: the total and `limit` (10–200) findings from `offset`
     * (https://support.huaweicloud.com/intl/en-us/api-hss2.0/ListImageVulnerabilities.html).
     */
    async vulnerabilities(
      registry: HssRegistry,
      imageId: string,
      image: { namespace: string; imageName: string; tagName: string },
      necessity: RepairNecessity | undefined,
      limit: number,
      offset = 0,
    ): Promise<{ total?: number; items: HssVulnerability[] }> {
      const reply = await client.call('ListImageVulnerabilities', {
        method: 'GET',
        path: `${v5}/${pathSegment(imageId)}/vulnerabilities`,
        query: {
          ...eps,
          image_type: registry.imageType,
          namespace: image.namespace,
          image_name: image.imageName,
          tag_name: image.tagName,
          instance_id: registry.instanceId,
          repair_necessity: necessity,
          offset: String(offset),
          limit: String(Math.min(200, Math.max(10, limit))),
        },
      });
      return list<HssVulnerability>(reply);
    },
  };
};
export type HssApi = ReturnType<typeof createHssApi>;
