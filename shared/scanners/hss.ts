import * as z from 'zod/mini';
import { strictObject } from '../config/strictObject.js';
import { CallError } from '../http/callError.js';
import { limiter } from '../http/concurrency.js';
import { type ImagePush, tagOf, tagsOf } from '../messages/image.js';
import { MAX_FINDINGS_READ } from '../report/judge.js';
import { emptyCounts, type Finding, MAX_FINDINGS_CARRIED, reportOfFindings, type Severity } from '../report/report.js';
import { bareDigest } from '../vendors/encoding.js';
import {
  createHssApi,
  type HssImage,
  type HssListedImage,
  type HssRegistry,
  type HssVulnerability,
  hssEndpoint,
  type RepairNecessity,
} from '../vendors/huawei/hss.js';
import { createHuaweiScannerClient, huaweiConsoleUrl, huaweiScannerFields } from './huawei.js';
import { LIST_PAGES_IN_FLIGHT, listReader, type ReadBudget } from './pages.js';
import { defineScanner, type ScanCheck, type ScanHandle } from './scanner.js';

const HssScannerConfig = strictObject({
  type: z.literal('hss'),
  ...huaweiScannerFields,
  /** `0` is the default enterprise project. */
  enterpriseProjectId: z._default(z.string().check(z.minLength(1)), '0'),
  /** SWR private, shared or Enterprise Edition (`instance_image`) images. */
  imageType: z._default(z.enum(['private_image', 'shared_image', 'instance_image']), 'private_image'),
  /** The SWR Enterprise Edition instance, for `instance_image`. */
  instanceId: z.optional(z.string().check(z.minLength(1))),
  /** The instance's image download address, for `instance_image`. */
  instanceUrl: z.optional(z.string().check(z.minLength(1))),
  /** `task`: CreateManualImageScanTask (by digest); `batch`: BatchScanSwrImage (by tag). */
  method: z._default(z.enum(['task', 'batch']), 'task'),
}).check(
  z.refine((c) => c.imageType !== 'instance_image' || c.instanceId !== undefined, {
    path: ['instanceId'],
    message: 'required when imageType is "instance_image"',
  }),
);

/** HSS rates a vulnerability by how soon to repair it. */
const NECESSITIES: [RepairNecessity, Severity][] = [
  ['immediate_repair', 'high'],
  ['delay_repair', 'medium'],
  ['not_needed_repair', 'low'],
];

const SEVERITY_OF: Record<string, Severity> = Object.fromEntries(NECESSITIES);

/** ListImageVulnerabilities takes 10–200 a page; the image lists up to 200. */
const PAGE_SIZE = 200;
/** Versions read to find the previous tag (all, since the list's order is not documented), up to this many. */
const MAX_VERSIONS_READ = 1000;
/** Images (repository versions) a sweep reads from HSS's list, at most. */
const MAX_IMAGES_READ = 20_000;

const FAILED: Record<string, string> = {
  failed: 'HSS reported the scan as failed',
  download_failed: 'HSS could not download the image',
  image_oversized: 'the image is larger than HSS scans',
};

const toFinding = (v: HssVulnerability, severity: Severity): Finding => ({
  id: v.vul_id || 'unnamed',
  severity,
  package: v.app_name || 'unknown',
  // HSS gives the installed version but no fixed one; its `solution` is advice text.
  ...(v.solution ? { fixCommand: v.solution.slice(0, 300) } : {}),
  ...(v.url ? { link: v.url } : {}),
});

export const hssScanner = defineScanner({
  type: 'hss',
  label: 'Huawei Cloud HSS',
  configSchema: HssScannerConfig,
  create(config, ctx) {
    // HSS takes the region as a header as well; an older SDK marked it mandatory, so it is always sent.
    const client = createHuaweiScannerClient(config, ctx, config.endpoint ?? hssEndpoint(config.region), { region: config.region });
    const hss = createHssApi(client, config.enterpriseProjectId);
    const registry: HssRegistry = {
      imageType: config.imageType,
      ...(config.instanceId ? { instanceId: config.instanceId } : {}),
      ...(config.instanceUrl ? { instanceUrl: config.instanceUrl } : {}),
    };
    const hssImage = (image: ImagePush): HssImage => {
      const version = tagOf(image);
      return { namespace: image.namespace, imageName: image.repository, digest: image.digest, ...(version ? { version } : {}) };
    };

    const gate = limiter(LIST_PAGES_IN_FLIGHT);
    const listPages = listReader(PAGE_SIZE, gate);

    /** Every vulnerability of one listed image, of every repair necessity, every page. */
    const vulnerabilitiesOf = async (imageId: string, subject: { namespace: string; imageName: string; tagName: string }, budget?: ReadBudget) => {
      const list = await listPages(MAX_FINDINGS_READ, budget, (_index, offset) =>
        hss.vulnerabilities(registry, imageId, subject, undefined, PAGE_SIZE, offset).then((p) => ({ items: p.items, total: p.total })),
      );
      return { findings: list.items.map((v) => toFinding(v, SEVERITY_OF[v.repair_necessity ?? ''] ?? 'unknown')), complete: list.complete };
    };

    /** This push's listed entry with an image id, and how HSS names it for its vulnerability list. */
    const listed = async (image: ImagePush) => {
      const entry = await findEntry(image);
      if (!entry?.image_id) {
        throw new CallError({
          kind: 'not_found',
          code: 'ImageNotListed',
          message: `HSS no longer lists ${image.namespace}/${image.repository}@${image.digest}`,
        });
      }
      return {
        imageId: entry.image_id,
        subject: { namespace: image.namespace, imageName: image.repository, tagName: entry.image_version || tagOf(image) || image.digest },
      };
    };

    /**
     * This push's entry in HSS's list. Neither start call returns a task id, so the image is found again by name and
     * matched by digest; an entry of the same tag with another digest is HSS's view before it synced this push.
     */
    const findEntry = async (image: ImagePush): Promise<HssListedImage | undefined> => {
      const entries = await hss.listImages(registry, hssImage(image));
      const tag = tagOf(image);
      // HSS's digest format is not documented: compared as bare hex, with or without `sha256:`.
      return entries.find((e) => (e.image_digest ? bareDigest(e.image_digest) === bareDigest(image.digest) : tag !== undefined && e.image_version === tag));
    };

    const startMany = async (images: ImagePush[]): Promise<PromiseSettledResult<ScanHandle>[]> => {
      // One call per method for the whole batch (up to the scan queue's batch size, 100): HSS documents no maximum
      // list size (unconfirmed: if it has one, lower the scan queue's batchSize).
      // BatchScanSwrImage names images by tag only, so digest-only pushes go to a scan task even in batch mode.
      const byBatch = config.method === 'batch' ? images.filter((i) => tagOf(i) !== undefined) : [];
      const byTask = images.filter((i) => !byBatch.includes(i));
      const [batch, task] = await Promise.allSettled([
        byBatch.length
          ? hss.batchScan(
              registry,
              byBatch.map((i) => ({ ...hssImage(i), version: tagOf(i)! })),
            )
          : Promise.resolve(),
        byTask.length ? hss.createScanTask(registry, byTask.map(hssImage)) : Promise.resolve(),
      ]);
      return images.map((image) => {
        const result = byBatch.includes(image) ? batch : task;
        return result.status === 'fulfilled' ? { status: 'fulfilled', value: { method: byBatch.includes(image) ? 'batch' : 'task' } } : result;
      });
    };

    return {
      startMany,
      async start(image) {
        const [result] = await startMany([image]);
        if (result?.status !== 'fulfilled') throw result?.reason;
        return result.value;
      },

      async check(image): Promise<ScanCheck> {
        const entry = await findEntry(image);
        const status = entry?.scan_status;
        if (status === 'success') return { state: 'complete' };
        if (status && FAILED[status]) {
          const code = entry?.scan_failed_code && entry.scan_failed_code !== status ? ` [${entry.scan_failed_code}]` : '';
          const desc = entry?.scan_failed_desc ? `: ${entry.scan_failed_desc}` : '';
          return { state: 'failed', reason: `${FAILED[status]} (${status})${desc}${code}` };
        }
        return { state: 'running' }; // waiting_for_scan, scanning, unscan (the task is not picked up yet), or not listed yet
      },

      async report(image) {
        const { imageId, subject } = await listed(image);
        const pages = await Promise.all(NECESSITIES.map(([necessity]) => hss.vulnerabilities(registry, imageId, subject, necessity, MAX_FINDINGS_CARRIED)));
        const counts = emptyCounts();
        const findings: Finding[] = [];
        pages.forEach((page, i) => {
          const severity = NECESSITIES[i]![1];
          counts[severity] = Math.max(page.total ?? 0, page.items.length);
          findings.push(...page.items.map((v) => toFinding(v, severity)));
        });
        return {
          counts,
          total: counts.high + counts.medium + counts.low,
          findings: findings.slice(0, MAX_FINDINGS_CARRIED),
          consoleUrl: huaweiConsoleUrl('hss', config.region),
        };
      },

      async fullReport(image) {
        const { imageId, subject } = await listed(image);
        const list = await vulnerabilitiesOf(imageId, subject);
        return {
          report: { ...reportOfFindings(list.findings), consoleUrl: huaweiConsoleUrl('hss', config.region) },
          ...list,
        };
      },

      async findBaseline(image, _handle, choice, budget) {
        const own = new Set(tagsOf(image));
        const versions = await listPages(MAX_VERSIONS_READ, budget, (_index, offset) =>
          hss
            .scannedVersions(registry, { namespace: image.namespace, imageName: image.repository }, { offset, limit: PAGE_SIZE })
            .then((p) => ({ items: p.items, total: p.total })),
        );
        const found = versions.items
          .filter(
            (e) =>
              e.image_id &&
              e.image_version &&
              e.scan_status === 'success' &&
              !own.has(e.image_version) &&
              // An untagged artifact is listed under its digest (unconfirmed): a digest is no tag.
              !e.image_version.startsWith('sha256:') &&
              (choice.kind !== 'tag' || e.image_version === choice.tag),
          )
          .sort((a, b) => (b.latest_update_time ?? 0) - (a.latest_update_time ?? 0))[0];
        if (!found) return undefined;
        const digest = found.image_digest ? `sha256:${bareDigest(found.image_digest)}` : undefined;
        return { tag: found.image_version!, ...(digest ? { digest } : {}), handle: { imageId: found.image_id! } };
      },

      baselineFindings: (image, baseline, budget) =>
        vulnerabilitiesOf(String(baseline.handle.imageId), { namespace: image.namespace, imageName: image.repository, tagName: baseline.tag ?? '' }, budget),

      list: {
        async repositories(budget) {
          const listed = await listPages(MAX_IMAGES_READ, budget, (_index, offset) =>
            hss.images(registry, undefined, { offset, limit: PAGE_SIZE }).then((p) => ({ items: p.items, total: p.total })),
          );
          const names = new Map<string, { namespace: string; repository: string }>();
          for (const e of listed.items) {
            if (e.namespace && e.image_name) names.set(`${e.namespace}/${e.image_name}`, { namespace: e.namespace, repository: e.image_name });
          }
          return [...names.values()];
        },

        async tags({ namespace, repository }, budget) {
          const listed = await listPages(MAX_VERSIONS_READ, budget, (_index, offset) =>
            hss.images(registry, { namespace, imageName: repository }, { offset, limit: PAGE_SIZE }).then((p) => ({ items: p.items, total: p.total })),
          );
          // An untagged artifact is listed under its digest (unconfirmed): a digest is no tag.
          return listed.items.flatMap((e) =>
            e.image_version && e.image_digest && !e.image_version.startsWith('sha256:')
              ? [{ tag: e.image_version, digest: `sha256:${bareDigest(e.image_digest)}`, pushedAt: Number(e.latest_update_time) || 0 }]
              : [],
          );
        },

        async lastScan(image, budget) {
          const entry = await gate(() => findEntry(image));
          if (entry?.scan_status !== 'success' || !entry.image_id) return undefined;
          const tagName = entry.image_version || tagOf(image) || image.digest;
          const list = await vulnerabilitiesOf(entry.image_id, { namespace: image.namespace, imageName: image.repository, tagName }, budget);
          const scanned = Number(entry.latest_scan_time) || 0;
          return { ...list, ...(scanned > 0 ? { scannedAt: new Date(scanned).toISOString() } : {}) };
        },
      },
    };
  },
});
