import * as z from 'zod/mini';
import { strictObject } from '../config/strictObject.js';
import { CallError } from '../http/callError.js';
import { limiter } from '../http/concurrency.js';
import { tagsOf } from '../messages/image.js';
import { uniqueFindings } from '../report/delta.js';
import { MAX_FINDINGS_READ } from '../report/judge.js';
import { byWorstFirst, type Finding, MAX_FINDINGS_CARRIED, type Report, type Severity, type SeverityCounts } from '../report/report.js';
import { type AcrImage, type AcrTag, type AcrVulnerability, CR_API_VERSION, crEndpoint, createCrApi } from '../vendors/alibaba/cr.js';
import { AlibabaRegion } from '../vendors/alibaba/region.js';
import { AlibabaCredentialsConfig, createAlibabaScannerClient } from './alibaba.js';
import { LIST_PAGES_IN_FLIGHT, listReader, type ReadBudget } from './pages.js';
import { defineScanner, type ScanHandle } from './scanner.js';

const AcrScannerConfig = strictObject({
  type: z.literal('acr'),
  region: AlibabaRegion,
  instanceId: z.string().check(z.minLength(1)),
  /** Overrides `https://cr.{region}.aliyuncs.com`. */
  endpoint: z.optional(z.url({ protocol: /^https?$/ })),
  /** Which engine ACR scans with: its own (the default) or Security Center's, run from inside ACR (paid, SAS quota). */
  engine: z.optional(z.enum(['acr', 'sas'])),
  credentials: z.optional(AlibabaCredentialsConfig),
});

/** ACR names its levels High/Medium/Low/Unknown and has no Critical: its High is our `high`. */
const SEVERITY: Record<string, Severity> = { High: 'high', Medium: 'medium', Low: 'low', Unknown: 'unknown' };
const ACR_LEVELS = ['High', 'Medium', 'Low', 'Unknown'] as const;

const toFinding = (v: AcrVulnerability): Finding => ({
  id: v.CveName || v.AliasName || 'unnamed',
  severity: SEVERITY[v.Severity ?? ''] ?? 'unknown',
  package: v.Feature || 'unknown',
  ...(v.Version ? { installedVersion: v.Version } : {}),
  ...(v.VersionFixed ? { fixedVersion: v.VersionFixed } : {}),
  ...(v.FixCmd ? { fixCommand: v.FixCmd } : {}),
  ...(v.CveLink ? { link: v.CveLink } : {}),
});

/** ListRepoTag's documented maximum page size; ListRepoTagScanResult documents none, and gets the same (unconfirmed). */
const PAGE_SIZE = 100;
/** Tags read to find the previous one: the list's order is not documented, so all of them, up to this many. */
const MAX_TAGS_READ = 2000;
/** Repositories a sweep reads from one instance, at most. */
const MAX_REPOSITORIES_READ = 10_000;
/** Tags whose scan status is asked, newest first, before the repository counts as having no baseline. */
const BASELINE_CANDIDATES = 5;

/** Console page of the repository's images, where each tag's scan report opens. Path shape unconfirmed for every region. */
const consoleUrl = (region: string, instanceId: string, repoId: string) =>
  `https://cr.console.aliyun.com/${region}/instance/${instanceId}/repository/${repoId}/images`;

const countsOf = (summary: { high: number; medium: number; low: number; unknown: number }): SeverityCounts => ({
  critical: 0,
  high: summary.high,
  medium: summary.medium,
  low: summary.low,
  unknown: summary.unknown,
});

export const acrScanner = defineScanner({
  type: 'acr',
  label: 'Alibaba Cloud ACR',
  configSchema: AcrScannerConfig,
  create(config, ctx) {
    const rpc = createAlibabaScannerClient(ctx, config.endpoint ?? crEndpoint(config.region), CR_API_VERSION, config.credentials);
    const cr = createCrApi(rpc);
    const repoIds = new Map<string, string>();
    const gate = limiter(LIST_PAGES_IN_FLIGHT);
    const listPages = listReader(PAGE_SIZE, gate);
    const scanService = config.engine === 'sas' ? 'SAS_SCAN_SERVICE' : 'ACR_SCAN_SERVICE';

    /** Every finding of a scanned tag: ListRepoTagScanResult, every page, one at a time. */
    const scanResults = async (acrImage: AcrImage, budget?: ReadBudget) => {
      const list = await listPages(MAX_FINDINGS_READ, budget, (index) =>
        cr.listRepoTagScanResult(acrImage, { pageNo: index + 1, pageSize: PAGE_SIZE }).then((p) => ({ items: p.vulnerabilities, total: p.totalCount })),
      );
      return { findings: list.items.map(toFinding), complete: list.complete };
    };

    const reportOf = (summary: { total: number }, counts: SeverityCounts, findings: Finding[], repoId: string): Report => ({
      counts,
      total: Math.max(summary.total, counts.high + counts.medium + counts.low + counts.unknown),
      findings: findings.sort(byWorstFirst).slice(0, MAX_FINDINGS_CARRIED),
      consoleUrl: consoleUrl(config.region, config.instanceId, repoId),
    });

    const repoIdOf = async (namespace: string, repository: string) => {
      const key = `${namespace}/${repository}`;
      let repoId = repoIds.get(key);
      if (!repoId) {
        repoId = await cr.getRepositoryId(config.instanceId, namespace, repository);
        repoIds.set(key, repoId);
      }
      return repoId;
    };

    const imageOf = (digest: string, handle: ScanHandle): AcrImage => ({
      instanceId: config.instanceId,
      repoId: String(handle.repoId),
      tag: String(handle.tag),
      digest,
    });

    return {
      async start(image) {
        if (!image.tag) {
          throw new CallError({ kind: 'invalid', code: 'TagRequired', message: 'ACR scans a tag: this push carries only a digest' });
        }
        const handle = { repoId: await repoIdOf(image.namespace, image.repository), tag: image.tag };
        await cr.createRepoTagScanTask(imageOf(image.digest, handle), config.engine === 'sas' ? 'SAS_SCAN_SERVICE' : undefined);
        return handle;
      },

      async check(image, handle) {
        const { status } = await cr.getRepoTagScanStatus(imageOf(image.digest, handle));
        if (status === 'COMPLETE') return { state: 'complete' };
        if (status === 'FAILED') return { state: 'failed', reason: 'ACR reported the scan as FAILED' };
        return { state: 'running' }; // SCANNING, RETRYING
      },

      async report(image, handle) {
        const acrImage = imageOf(image.digest, handle);
        const summary = await cr.getRepoTagScanSummary(acrImage);
        const counts = countsOf(summary);
        const findings: Finding[] = [];
        // Worst levels first, and only levels the summary says are there: usually one or two calls.
        for (const level of ACR_LEVELS) {
          const wanted = Math.min(MAX_FINDINGS_CARRIED - findings.length, counts[SEVERITY[level] as Severity]);
          if (wanted <= 0) continue;
          const page = await cr.listRepoTagScanResult(acrImage, { severity: level, pageSize: wanted });
          findings.push(...page.vulnerabilities.slice(0, wanted).map(toFinding));
          if (findings.length >= MAX_FINDINGS_CARRIED) break;
        }
        return reportOf(summary, counts, findings, acrImage.repoId);
      },

      async fullReport(image, handle) {
        const acrImage = imageOf(image.digest, handle);
        const summary = await cr.getRepoTagScanSummary(acrImage);
        const list = await scanResults(acrImage);
        return { report: reportOf(summary, countsOf(summary), uniqueFindings(list.findings), acrImage.repoId), ...list };
      },

      async findBaseline(image, handle, choice, budget) {
        const repoId = String(handle.repoId);
        const own = new Set(tagsOf(image));
        let candidates: AcrTag[];
        if (choice.kind === 'tag') {
          const tag = await gate(() => cr.getRepoTag(config.instanceId, repoId, choice.tag));
          candidates = tag ? [tag] : [];
        } else {
          const tags = await listPages(MAX_TAGS_READ, budget, (index) =>
            cr.listRepoTags(config.instanceId, repoId, { pageNo: index + 1, pageSize: PAGE_SIZE }).then((p) => ({ items: p.tags, total: p.total })),
          );
          candidates = tags.items.filter((t) => !own.has(t.tag)).sort((a, b) => b.updatedAt - a.updatedAt);
        }
        for (const candidate of candidates.slice(0, BASELINE_CANDIDATES)) {
          const state = await gate(() =>
            cr.getRepoTagScanStatus({ instanceId: config.instanceId, repoId, tag: candidate.tag, digest: candidate.digest }),
          ).catch((err: unknown) => {
            if (err instanceof CallError && err.kind === 'not_found') return undefined; // never scanned
            throw err;
          });
          // A reply without ScanService is taken as ours: the field is documented, its presence in every reply is not.
          if (state?.status === 'COMPLETE' && (state.scanService === undefined || state.scanService === scanService)) {
            return { tag: candidate.tag, digest: candidate.digest, handle: { repoId, tag: candidate.tag, digest: candidate.digest } };
          }
        }
        return undefined;
      },

      baselineFindings: (_image, { handle }, budget) => scanResults(imageOf(String(handle.digest), handle), budget),

      list: {
        async repositories(budget) {
          const list = await listPages(MAX_REPOSITORIES_READ, budget, (index) =>
            cr.listRepositories(config.instanceId, { pageNo: index + 1, pageSize: PAGE_SIZE }).then((p) => ({ items: p.repositories, total: p.total })),
          );
          for (const r of list.items) repoIds.set(`${r.namespace}/${r.name}`, r.repoId);
          return list.items.map((r) => ({ namespace: r.namespace, repository: r.name }));
        },

        async tags({ namespace, repository }, budget) {
          const repoId = await gate(() => repoIdOf(namespace, repository));
          const list = await listPages(MAX_TAGS_READ, budget, (index) =>
            cr.listRepoTags(config.instanceId, repoId, { pageNo: index + 1, pageSize: PAGE_SIZE }).then((p) => ({ items: p.tags, total: p.total })),
          );
          return list.items.map((t) => ({ tag: t.tag, digest: t.digest, pushedAt: t.updatedAt }));
        },

        // ACR says neither when a tag was scanned nor which scan is the last one: its current result is the last scan.
        async lastScan(image, budget) {
          if (!image.tag) return undefined;
          const acrImage = imageOf(image.digest, { repoId: await gate(() => repoIdOf(image.namespace, image.repository)), tag: image.tag });
          const state = await gate(() => cr.getRepoTagScanStatus(acrImage)).catch((err: unknown) => {
            if (err instanceof CallError && err.kind === 'not_found') return undefined; // never scanned
            throw err;
          });
          if (state?.status !== 'COMPLETE' || (state.scanService !== undefined && state.scanService !== scanService)) return undefined;
          return scanResults(acrImage, budget);
        },
      },
    };
  },
});
