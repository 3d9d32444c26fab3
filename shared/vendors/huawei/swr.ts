import { type HuaweiClient, huaweiEndpoint } from './client.js';
import { pathSegment } from './signer.js';

/** Huawei Cloud SWR Enterprise Edition, API v2 (https://support.huaweicloud.com/intl/en-us/api-swr2/swr_03_1501.html). Basic and Enterprise Edition share the host. */
export const swrEndpoint = (region: string): string => huaweiEndpoint('swr-api', region);

/** The report type whose `scan_overview` entry SWR EE fills (Harbor's). */
export const SWR_REPORT_MIME = 'application/vnd.security.vulnerability.report; version=1.1';

export interface SwrArtifactRef {
  instanceId: string;
  namespace: string;
  /** May contain `/`: it is one path segment. */
  repository: string;
  /** `sha256:…`; the scan APIs take a digest, never a tag. */
  digest: string;
}

export type SwrScanStatus = 'Pending' | 'Running' | 'Success' | 'Error' | 'Stopped' | string;

export interface SwrScanOverview {
  scan_status?: SwrScanStatus;
  /** When the scan ended (ISO 8601), as Harbor's overview says. */
  end_time?: string;
  severity?: string;
  complete_percent?: number;
  summary?: { total?: number; fixable?: number; summary?: Record<string, number> };
}

export interface SwrVulnerability {
  id?: string;
  package?: string;
  version?: string;
  fix_version?: string;
  severity?: string;
  description?: string;
  links?: string[];
}

/** An artifact of a repository as ListInstanceArtifacts lists it: its digest, push time and tags. */
export interface SwrArtifact {
  digest: string;
  push_time?: string;
  tags?: { name?: string; push_time?: string }[];
}

/**
 * A repository name's `/` becomes `%2F` and that value is encoded once more for the path, so `team/api` goes on the
 * wire as `team%252Fapi` (what the SWR docs ask for and Huawei's Terraform provider sends).
 */
export const repositorySegment = (repository: string): string => pathSegment(repository.replaceAll('/', '%2F'));

const artifactsPath = (projectId: string, ref: Omit<SwrArtifactRef, 'digest'>): string =>
  [
    '/v2',
    pathSegment(projectId),
    'instances',
    pathSegment(ref.instanceId),
    'namespaces',
    pathSegment(ref.namespace),
    'repositories',
    repositorySegment(ref.repository),
    'artifacts',
  ].join('/');

export const artifactPath = (projectId: string, ref: SwrArtifactRef): string => `${artifactsPath(projectId, ref)}/${pathSegment(ref.digest)}`;

const pickReport = <T>(byMime: unknown): T | undefined => {
  if (!byMime || typeof byMime !== 'object') return undefined;
  const map = byMime as Record<string, T>;
  return map[SWR_REPORT_MIME] ?? Object.values(map)[0];
};

/** A repository of an instance as ListInstanceRepositories lists it. */
export interface SwrRepository {
  namespace: string;
  /** Without the namespace. */
  name: string;
}

/**
 * A repository entry's namespace and name. Whether `name` repeats the namespace (Harbor's own API writes
 * `project/repo`) is not documented: a leading `namespace/` is taken off.
 */
const swrRepository = (raw: unknown): SwrRepository | undefined => {
  const r = (raw ?? {}) as Record<string, unknown>;
  if (typeof r.namespace_name !== 'string' || !r.namespace_name || typeof r.name !== 'string' || !r.name) return undefined;
  const name = r.name.startsWith(`${r.namespace_name}/`) ? r.name.slice(r.namespace_name.length + 1) : r.name;
  return name ? { namespace: r.namespace_name, name } : undefined;
};

export const createSwrApi = (client: HuaweiClient) => ({
  /**
   * ListInstanceRepositories: one page of the instance's repositories, `GET /v2/{project_id}/instances/{instance_id}/repositories`
   * with `offset` (a multiple of `limit`) and `limit` (at most 100), answering `total` and `repositories` (as Huawei's
   * official SDKs model it: https://github.com/huaweicloud/huaweicloud-sdk-go-v3/tree/master/services/swr/v2; the
   * IAM action, by the API's name, `swr:repository:list`, unconfirmed).
   */
  async listRepositories(instanceId: string, page: { offset: number; limit: number }): Promise<{ total?: number; repositories: SwrRepository[] }> {
    const reply = await client.call('ListInstanceRepositories', {
      method: 'GET',
      path: ['/v2', pathSegment(client.projectId), 'instances', pathSegment(instanceId), 'repositories'].join('/'),
      query: { offset: String(page.offset), limit: String(page.limit) },
    });
    const total = Number(reply.total);
    const repositories = (Array.isArray(reply.repositories) ? reply.repositories : []).flatMap((r) => swrRepository(r) ?? []);
    return { ...(reply.total !== undefined && Number.isFinite(total) ? { total } : {}), repositories };
  },

  /** StartManualScanning: 202, empty body. Needs an instance at v25.7.20 or later. */
  async startManualScanning(ref: SwrArtifactRef): Promise<void> {
    await client.call('StartManualScanning', { method: 'POST', path: `${artifactPath(client.projectId, ref)}/scan` });
  },

  /** ShowInstanceArtifact with its scan overview (absent until a scan has been requested). */
  async scanOverview(ref: SwrArtifactRef): Promise<SwrScanOverview | undefined> {
    const artifact = await client.call('ShowInstanceArtifact', {
      method: 'GET',
      path: artifactPath(client.projectId, ref),
      query: { with_scan_overview: 'true' },
    });
    return pickReport<SwrScanOverview>(artifact.scan_overview);
  },

  /**
   * ListInstanceArtifacts: one page of a repository's artifacts with their tags and push times; `limit` at most 100 and
   * `offset` a multiple of it; the order is not documented (https://support.huaweicloud.com/intl/en-us/api-swr2/swr_03_0301.html).
   */
  async listArtifacts(
    ref: Omit<SwrArtifactRef, 'digest'>,
    page: { offset: number; limit: number; tag?: string },
  ): Promise<{ total?: number; artifacts: SwrArtifact[] }> {
    const reply = await client.call('ListInstanceArtifacts', {
      method: 'GET',
      path: artifactsPath(client.projectId, ref),
      // `tags` narrows to artifacts with a tag like it (a fuzzy match, per the same page).
      query: { offset: String(page.offset), limit: String(page.limit), ...(page.tag ? { tags: page.tag } : {}) },
    });
    const total = Number(reply.total);
    const artifacts = (Array.isArray(reply.artifacts) ? reply.artifacts : []).filter(
      (a): a is SwrArtifact => typeof a === 'object' && a !== null && typeof (a as SwrArtifact).digest === 'string',
    );
    return { ...(reply.total !== undefined && Number.isFinite(total) ? { total } : {}), artifacts };
  },

  /** ListInstanceArtifactVulnerabilities: every finding of the latest report, unpaged. */
  async vulnerabilities(ref: SwrArtifactRef): Promise<SwrVulnerability[]> {
    const reply = await client.call('ListInstanceArtifactVulnerabilities', {
      method: 'GET',
      path: `${artifactPath(client.projectId, ref)}/vulnerabilities`,
    });
    const report = pickReport<{ vulnerabilities?: unknown }>(reply);
    return Array.isArray(report?.vulnerabilities) ? (report.vulnerabilities as SwrVulnerability[]) : [];
  },
});
export type SwrApi = ReturnType<typeof createSwrApi>;
