import * as z from 'zod/mini';
import { strictObject } from '../config/strictObject.js';
import { asRepeatable, CallError } from '../http/callError.js';
import { eachLimited, limiter } from '../http/concurrency.js';
import { type ImagePush, tagsOf } from '../messages/image.js';
import { MAX_FINDINGS_READ } from '../report/judge.js';
import { type Finding, reportOfFindings, type Severity } from '../report/report.js';
import { CR_API_VERSION, type CrApi, crEndpoint, createCrApi } from '../vendors/alibaba/cr.js';
import { AlibabaRegion } from '../vendors/alibaba/region.js';
import {
  bareDigest,
  createSasApi,
  SAS_API_VERSION,
  type SasCriterion,
  type SasImageInstance,
  type SasSyncImage,
  type SasTask,
  type SasVulRecord,
  sasEndpoint,
} from '../vendors/alibaba/sas.js';
import { AlibabaCredentialsConfig, createAlibabaScannerClient } from './alibaba.js';
import { LIST_PAGES_IN_FLIGHT, listReader, type ReadBudget } from './pages.js';
import { type AcrRepository, acrRepositoryKey, planSasScanCalls, repositoriesToIdentify, type SasScanCall, withRepoIds } from './sasPlan.js';
import { defineScanner, type ScanCheck, type ScanHandle } from './scanner.js';

const SasScannerConfig = strictObject({
  type: z.literal('sas'),
  /** The registry's region: used for pushes that carry none, and picks the endpoint. */
  region: AlibabaRegion,
  registryType: z._default(z.enum(['acr', 'harbor', 'quay']), 'acr'),
  /** The ACR instance (`cri-…`); narrows every scan to it. */
  instanceId: z.optional(z.string().check(z.minLength(1))),
  /** Overrides `https://tds.cn-shanghai.aliyuncs.com` (cn-* regions) or `https://tds.ap-southeast-1.aliyuncs.com`. */
  endpoint: z.optional(z.url({ protocol: /^https?$/ })),
  /** Overrides `https://cr.{region}.aliyuncs.com`, where ACR's GetRepository gives an image's repository id (`registryType` acr with `instanceId`). */
  acrEndpoint: z.optional(z.url({ protocol: /^https?$/ })),
  /** Digests per create call when pushes arrive together; a larger batch is split evenly. */
  maxImagesPerTask: z._default(z.number().check(z.int(), z.gte(1), z.lte(100)), 10),
  /** How long a push waits before trying again when Security Center already runs its 10 tasks. */
  busyRetrySeconds: z._default(z.number().check(z.int(), z.gte(1), z.lte(900)), 30),
  credentials: z.optional(AlibabaCredentialsConfig),
});
type SasScannerConfig = z.infer<typeof SasScannerConfig>;

/** Security Center rates a vulnerability by how soon to fix it; it has no Critical. */
const NECESSITY: Record<string, Severity> = { asap: 'high', later: 'medium', nntf: 'low' };
/** Create calls in flight at once: a batch spanning many repositories starts a few at a time, not all together. */
const PARALLEL_CALLS = 4;
/** Neither list documents its largest page (defaults 10 and 20): a server that sends fewer per page is paged on by number. */
const PAGE_SIZE = 100;
/** Image entries read to find the previous tag (all, since the list's order is not documented), up to this many. */
const MAX_IMAGES_READ = 1000;
/** Assets a sweep reads from Security Center's list, at most. */
const MAX_ASSETS_READ = 20_000;
/** A task started this long before our start call still counts as ours: the clocks of Lambda and Alibaba differ. */
const CLOCK_SKEW_MS = 5 * 60_000;

interface PackageEntity {
  Name?: string;
  Version?: string;
  FullVersion?: string;
  UpdateCmd?: string;
}

/** `ExtendContentJson` is documented as an object; its name suggests it may arrive as a JSON string. */
const packagesOf = (record: SasVulRecord): PackageEntity[] => {
  let ext = record.ExtendContentJson;
  if (typeof ext === 'string') {
    try {
      ext = JSON.parse(ext);
    } catch {
      return [];
    }
  }
  const list = (ext as { RpmEntityList?: unknown } | undefined)?.RpmEntityList;
  return Array.isArray(list) ? (list as PackageEntity[]) : [];
};

const vulnerabilityId = (record: SasVulRecord): string =>
  record.Related?.split(',')[0]?.trim() || /CVE-\d{4}-\d+/.exec(record.Name ?? '')?.[0] || record.Name || record.AliasName || 'unnamed';

const toFinding = (record: SasVulRecord): Finding => {
  const pkg = packagesOf(record)[0];
  const id = vulnerabilityId(record);
  const version = pkg?.FullVersion || pkg?.Version;
  return {
    id,
    severity: NECESSITY[record.Necessity ?? ''] ?? 'unknown',
    package: pkg?.Name || 'unknown',
    ...(version ? { installedVersion: version } : {}),
    ...(pkg?.UpdateCmd ? { fixCommand: pkg.UpdateCmd } : {}),
    ...(/^CVE-\d{4}-\d+$/.test(id) ? { link: `https://nvd.nist.gov/vuln/detail/${id}` } : {}),
  };
};

/** Security Center's console, on its container image page for the digest. The route is unconfirmed. */
const consoleUrl = (region: string, digest: string) =>
  region.startsWith('cn-')
    ? `https://yundun.console.aliyun.com/?p=sas#/containerImage/cn-shanghai?digest=${digest}`
    : `https://yundun.console.alibabacloud.com/?p=sas#/containerImage/ap-southeast-1?digest=${digest}`;

const taskCheck = (task: SasTask): ScanCheck => {
  if (task.status === 'SUCCESS') return { state: 'complete' };
  if (task.status === 'FAIL') return { state: 'failed', reason: 'Security Center reported the scan as FAIL' };
  if (task.status === 'TIMOUT' || task.status === 'TIMEOUT')
    return { state: 'failed', reason: `Security Center gave up on the scan (${task.status}: timed out)` };
  return { state: 'running' }; // PROCESSING, START, MESSAGE_SEND, PRE_ANALYZER, or one we do not know: until the deadline
};

/** A failed GetRepository, saying what it was for and, when refused, the RAM action to grant. */
const repoIdFailure = (err: unknown, repo: AcrRepository): unknown =>
  err instanceof CallError
    ? new CallError({
        kind: err.kind,
        code: err.code,
        message: `${err.message} (the repository id of ${repo.namespace}/${repo.name}, which Security Center's import takes${err.kind === 'permission' ? '; RAM action cr:GetRepository' : ''})`,
        ...(err.status ? { status: err.status } : {}),
        ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
      })
    : err;

export const sasScanner = defineScanner({
  type: 'sas',
  label: 'Alibaba Cloud Security Center',
  configSchema: SasScannerConfig,
  create(config: SasScannerConfig, ctx) {
    /** Security Center's client and ACR's (for GetRepository) alike: one account, the scanner's retries. */
    const alibabaClient = (endpoint: string, version: string) => createAlibabaScannerClient(ctx, endpoint, version, config.credentials);
    const sas = createSasApi(alibabaClient(config.endpoint ?? sasEndpoint(config.region), SAS_API_VERSION));

    /** ACR's API at the image's region (an ACR EE instance lives in one region), one client per endpoint. */
    const crClients = new Map<string, CrApi>();
    const crAt = (region: string): CrApi => {
      const endpoint = config.acrEndpoint ?? crEndpoint(region);
      let cr = crClients.get(endpoint);
      if (!cr) {
        cr = createCrApi(alibabaClient(endpoint, CR_API_VERSION));
        crClients.set(endpoint, cr);
      }
      return cr;
    };
    /** Repository ids by (instance, namespace, repository), for this client's life; a failed lookup is not kept. */
    const repoIds = new Map<string, Promise<string>>();
    const repoIdOf = (region: string, repo: AcrRepository): Promise<string> => {
      const key = acrRepositoryKey(repo);
      let id = repoIds.get(key);
      if (!id) {
        id = crAt(region)
          .getRepositoryId(repo.instanceId, repo.namespace, repo.name)
          .catch((err: unknown) => {
            repoIds.delete(key);
            throw repoIdFailure(err, repo);
          });
        repoIds.set(key, id);
      }
      return id;
    };

    /**
     * The call's images for PublicSyncAndCreateImageScanTask, each ACR EE image with its repository's `repoId`, which
     * the API lists (https://www.alibabacloud.com/help/en/security-center/developer-reference/api-sas-2018-12-03-publicsyncandcreateimagescantask),
     * read with ACR's GetRepository. Where it cannot be known the entry goes without the key: an ACR scanner without
     * `instanceId` (GetRepository requires it), and Harbor or Quay (no ACR repository).
     */
    const syncImages = async (call: SasScanCall): Promise<SasSyncImage[]> => {
      const repos = repositoriesToIdentify(call.sync);
      const ids = await Promise.all(repos.map(async (repo) => [acrRepositoryKey(repo), await repoIdOf(call.region, repo)] as const));
      return withRepoIds(call.sync, new Map(ids));
    };

    const gate = limiter(LIST_PAGES_IN_FLIGHT);
    const listPages = listReader(PAGE_SIZE, gate);

    /** Every vulnerability of a digest, every page, once each: the same digest under another tag or repository repeats them. */
    const vulnerabilities = async (digest: string, budget?: ReadBudget) => {
      const bare = bareDigest(digest);
      const list = await listPages(MAX_FINDINGS_READ, budget, (index) =>
        sas.describeImageVulList(digest, { currentPage: index + 1, pageSize: PAGE_SIZE }).then((p) => ({ items: p.records, total: p.totalCount })),
      );
      const unique = new Map<string, SasVulRecord>();
      for (const record of list.items) {
        if (record.ImageDigest && bareDigest(record.ImageDigest) !== bare) continue;
        const key = `${record.Name ?? vulnerabilityId(record)}|${packagesOf(record)[0]?.Name ?? ''}`;
        if (!unique.has(key)) unique.set(key, record);
      }
      return { findings: [...unique.values()].map(toFinding), complete: list.complete };
    };

    const fullReport = async (image: ImagePush) => {
      const list = await vulnerabilities(image.digest);
      return {
        report: {
          ...reportOfFindings(list.findings),
          fixable: list.findings.filter((f) => f.fixCommand).length,
          consoleUrl: consoleUrl(config.region, bareDigest(image.digest)),
        },
        ...list,
      };
    };

    /** An asset of this scanner's registry type and region (where the listing says). */
    const inScope = (i: SasImageInstance) => (!i.registryType || i.registryType === config.registryType) && (!i.regionId || i.regionId === config.region);
    // ScaStatus SUCCESS is "image scan completed"; a reply without it counts a recorded scan time instead (unconfirmed).
    const scannedImage = (i: SasImageInstance) => i.scanStatus === 'SUCCESS' || (i.scanStatus === undefined && (i.lastScanTime ?? 0) > 0);

    const busy = () =>
      new CallError({
        kind: 'busy',
        code: 'SasTaskLimit',
        message: 'Security Center already runs as many image scan tasks as it allows (10): the scan starts again later',
        retryAfterMs: config.busyRetrySeconds * 1000,
      });

    /** Pre-check (what the filters cover), then create, or import-and-create for images Security Center has not synced. */
    const startCall = async (call: SasScanCall, since: number): Promise<ScanHandle> => {
      // The pre-check counts image entries (repository × tag × digest), as `sync` lists them: fewer means some image
      // is not in Security Center's asset list yet, and only import-and-create would scan it.
      const covered = await sas.preCheckImageScanTask(call.filters);
      const sync = covered.images >= call.sync.length ? undefined : await syncImages(call);
      const create = () => (sync ? sas.syncAndCreateImageScanTask(sync) : sas.createImageScanTask(call.filters));
      let started: Awaited<ReturnType<typeof create>>;
      try {
        started = await create();
      } catch (err) {
        if (!(err instanceof CallError && err.kind === 'ambiguous')) throw err;
        // The create may have gone through: a task started since then is ours; otherwise it is safe to create again.
        const ours = (await sas.describeImageLatestScanTask(call.filters.Digests.split(',')[0]!)).find(
          (t) => t.startTime !== undefined && t.startTime >= since - CLOCK_SKEW_MS,
        );
        if (ours) return { taskId: ours.taskId, since };
        started = await create().catch((again: unknown) => {
          throw asRepeatable(again); // still unknown: SQS redelivery tries again later
        });
      }
      if (started.result === 'TASK_NOT_SUPPORT_REGION') {
        throw new CallError({
          kind: 'invalid',
          code: 'TASK_NOT_SUPPORT_REGION',
          message: `Security Center's container image scan does not support region ${call.region} (TASK_NOT_SUPPORT_REGION)`,
        });
      }
      if (!started.taskId && started.canCreate === false) throw busy();
      if (!started.taskId) {
        throw new CallError({
          kind: 'unavailable',
          code: 'SasNoTaskId',
          message: `Security Center started no scan task (status ${started.status ?? 'none'}, result ${started.result ?? 'none'})`,
        });
      }
      return { taskId: started.taskId, since };
    };

    const startMany = async (images: ImagePush[]): Promise<PromiseSettledResult<ScanHandle>[]> => {
      const now = Date.now();
      const calls = planSasScanCalls(images, {
        registryType: config.registryType,
        region: config.region,
        ...(config.instanceId ? { instanceId: config.instanceId } : {}),
        maxImagesPerTask: config.maxImagesPerTask,
        now,
      });
      const results: PromiseSettledResult<ScanHandle>[] = images.map(() => ({ status: 'rejected', reason: new Error('not started') }));
      let refused: CallError | undefined;
      await eachLimited(calls, PARALLEL_CALLS, async (call) => {
        let result: PromiseSettledResult<ScanHandle>;
        if (refused) {
          // Security Center just refused a task for its limit: the rest of this batch waits too, without asking.
          result = { status: 'rejected', reason: refused };
        } else {
          try {
            result = { status: 'fulfilled', value: await startCall(call, now) };
          } catch (err) {
            if (err instanceof CallError && err.kind === 'busy') refused = err;
            result = { status: 'rejected', reason: err };
          }
        }
        for (const i of call.images) results[i] = result;
      });
      return results;
    };

    return {
      startMany,

      async start(image) {
        const [result] = await startMany([image]);
        if (result?.status !== 'fulfilled') throw result?.reason ?? new Error('no result');
        return result.value;
      },

      async check(image, handle) {
        const digest = bareDigest(image.digest);
        const tasks = (await sas.describeImageLatestScanTask(image.digest)).filter((t) => !t.target || bareDigest(t.target) === digest);
        // Ours, or one started since ours (someone scanned it again): an older task says nothing about this push.
        const task =
          tasks.find((t) => t.taskId === handle.taskId) ?? tasks.find((t) => t.startTime !== undefined && t.startTime >= Number(handle.since) - CLOCK_SKEW_MS);
        return task ? taskCheck(task) : { state: 'running' };
      },

      report: async (image) => (await fullReport(image)).report,
      fullReport,

      async findBaseline(image, _handle, choice, budget) {
        const own = new Set(tagsOf(image));
        const criteria: SasCriterion[] = [
          { name: 'repoNamespace', value: image.namespace },
          { name: 'repoName', value: image.repository },
          ...(choice.kind === 'tag' ? [{ name: 'tag', value: choice.tag }] : []),
        ];
        const listed = await listPages(MAX_IMAGES_READ, budget, (index) =>
          sas.describeImageInstances(criteria, { currentPage: index + 1, pageSize: PAGE_SIZE }).then((p) => ({ items: p.images, total: p.total })),
        );
        const region = image.region ?? config.region;
        const ours = (i: SasImageInstance) =>
          i.namespace === image.namespace &&
          i.repo === image.repository &&
          (!i.registryType || i.registryType === config.registryType) &&
          (!i.regionId || i.regionId === region);
        // ScaStatus SUCCESS is "image scan completed"; a reply without it counts a recorded scan time instead (unconfirmed).
        const scanned = (i: SasImageInstance) => i.scanStatus === 'SUCCESS' || (i.scanStatus === undefined && (i.lastScanTime ?? 0) > 0);
        const found = listed.items
          .filter((i) => ours(i) && scanned(i) && i.tag !== undefined && !own.has(i.tag) && (choice.kind !== 'tag' || i.tag === choice.tag))
          .sort((a, b) => b.updatedAt - a.updatedAt)[0];
        return found ? { tag: found.tag!, digest: `sha256:${found.digest}`, handle: { digest: found.digest } } : undefined;
      },

      baselineFindings: (_image, { handle }, budget) => vulnerabilities(String(handle.digest), budget),

      list: {
        // Security Center's asset list: every image it holds of this scanner's registry type, region and instance.
        async repositories(budget) {
          const listed = await listPages(MAX_ASSETS_READ, budget, (index) =>
            sas.describeImageInstances([], { currentPage: index + 1, pageSize: PAGE_SIZE }).then((p) => ({ items: p.images, total: p.total })),
          );
          const names = new Map<string, { namespace: string; repository: string }>();
          for (const i of listed.items)
            if (inScope(i) && i.namespace && i.repo) names.set(`${i.namespace}/${i.repo}`, { namespace: i.namespace, repository: i.repo });
          return [...names.values()];
        },

        async tags({ namespace, repository }, budget) {
          const criteria: SasCriterion[] = [
            { name: 'repoNamespace', value: namespace },
            { name: 'repoName', value: repository },
          ];
          const listed = await listPages(MAX_IMAGES_READ, budget, (index) =>
            sas.describeImageInstances(criteria, { currentPage: index + 1, pageSize: PAGE_SIZE }).then((p) => ({ items: p.images, total: p.total })),
          );
          return listed.items
            .filter((i) => inScope(i) && i.namespace === namespace && i.repo === repository && i.tag !== undefined)
            .map((i) => ({ tag: i.tag!, digest: `sha256:${i.digest}`, pushedAt: i.updatedAt }));
        },

        // The quota left, and what the pre-check says each task of the sweep's images would consume: whole tasks
        // while they fit, then as many images of the next as authorizations are left (one each at most).
        async fitQuota(images) {
          const { capacity, used } = await sas.imageScanAuthCount();
          const left = Math.max(0, capacity - used);
          const calls = planSasScanCalls(images, {
            registryType: config.registryType,
            region: config.region,
            ...(config.instanceId ? { instanceId: config.instanceId } : {}),
            maxImagesPerTask: config.maxImagesPerTask,
            now: Date.now(),
          });
          const kept: number[] = [];
          let needed = 0;
          for (const call of calls) {
            const need = (await sas.preCheckImageScanTask(call.filters)).images;
            const room = left - needed;
            needed += need;
            if (need <= room) kept.push(...call.images);
            else if (room > 0) kept.push(...call.images.slice(0, room));
          }
          const skipped = images.length - kept.length;
          return {
            kept: kept.sort((a, b) => a - b),
            ...(skipped > 0
              ? {
                  line: `${skipped} of ${images.length} images not re-scanned: Security Center has ${left} image-scan authorizations left, the pre-check counts ${needed} for them`,
                }
              : {}),
          };
        },

        async lastScan(image, budget) {
          const criteria: SasCriterion[] = [
            { name: 'repoNamespace', value: image.namespace },
            { name: 'repoName', value: image.repository },
            ...(image.tag ? [{ name: 'tag', value: image.tag }] : []),
          ];
          const page = await gate(() => sas.describeImageInstances(criteria, { currentPage: 1, pageSize: PAGE_SIZE }));
          const entry = page.images.find((i) => inScope(i) && i.digest === bareDigest(image.digest) && scannedImage(i));
          if (!entry) return undefined;
          const list = await vulnerabilities(entry.digest, budget);
          return { ...list, ...(entry.lastScanTime ? { scannedAt: new Date(entry.lastScanTime).toISOString() } : {}) };
        },
      },
    };
  },
});
