import * as z from 'zod/mini';
import { strictObject } from '../config/strictObject.js';
import { CallError } from '../http/callError.js';
import { limiter } from '../http/concurrency.js';
import { type ImagePush, tagsOf } from '../messages/image.js';
import { harborCounts, harborSeverity } from '../report/harborSeverity.js';
import { MAX_FINDINGS_READ } from '../report/judge.js';
import { byWorstFirst, type Finding, MAX_FINDINGS_CARRIED } from '../report/report.js';
import { createSwrApi, type SwrArtifactRef, type SwrVulnerability, swrEndpoint } from '../vendors/huawei/swr.js';
import { createHuaweiScannerClient, huaweiConsoleUrl, huaweiScannerFields } from './huawei.js';
import { LIST_PAGES_IN_FLIGHT, listReader } from './pages.js';
import { defineScanner } from './scanner.js';

/** ListInstanceArtifacts' largest page. */
const PAGE_SIZE = 100;
/** Artifacts read to find the previous tag (all, since the list's order is not documented), up to this many. */
const MAX_ARTIFACTS_READ = 2000;
/** Repositories a sweep reads from one instance, at most. */
const MAX_REPOSITORIES_READ = 10_000;
/** Digests whose scan is read, newest tag first, before the repository counts as having no baseline. */
const BASELINE_CANDIDATES = 5;

const SwrScannerConfig = strictObject({
  type: z.literal('swr'),
  ...huaweiScannerFields,
  /** The SWR Enterprise Edition instance; its webhooks do not carry it. */
  instanceId: z.string().check(z.minLength(1)),
});

const toFinding = (v: SwrVulnerability): Finding => ({
  id: v.id || 'unnamed',
  severity: harborSeverity(v.severity),
  package: v.package || 'unknown',
  ...(v.version ? { installedVersion: v.version } : {}),
  ...(v.fix_version ? { fixedVersion: v.fix_version } : {}),
  ...(v.links?.[0] ? { link: v.links[0] } : {}),
});

export const swrScanner = defineScanner({
  type: 'swr',
  label: 'Huawei Cloud SWR EE',
  configSchema: SwrScannerConfig,
  create(config, ctx) {
    const swr = createSwrApi(createHuaweiScannerClient(config, ctx, config.endpoint ?? swrEndpoint(config.region)));
    const refOf = (image: ImagePush): SwrArtifactRef => ({
      instanceId: config.instanceId,
      namespace: image.namespace,
      repository: image.repository,
      digest: image.digest,
    });

    const gate = limiter(LIST_PAGES_IN_FLIGHT);
    const listPages = listReader(PAGE_SIZE, gate);
    const listOf = (vulnerabilities: SwrVulnerability[]) => ({
      findings: vulnerabilities.slice(0, MAX_FINDINGS_READ).map(toFinding),
      complete: vulnerabilities.length <= MAX_FINDINGS_READ,
    });

    /** ShowInstanceArtifact for the counts, ListInstanceArtifactVulnerabilities (unpaged) for the findings. */
    const fullReport = async (image: ImagePush) => {
      const ref = refOf(image);
      const [overview, vulnerabilities] = await Promise.all([swr.scanOverview(ref), swr.vulnerabilities(ref)]);
      const list = listOf(vulnerabilities);
      const counts = harborCounts(overview?.summary?.summary);
      const findings = [...list.findings].sort(byWorstFirst);
      const counted = Object.values(counts).reduce((a, b) => a + b, 0);
      if (counted === 0 && findings.length > 0) for (const f of findings) counts[f.severity]++;
      const fixable = overview?.summary?.fixable;
      return {
        report: {
          counts,
          total: Math.max(
            Number(overview?.summary?.total) || 0,
            Object.values(counts).reduce((a, b) => a + b, 0),
          ),
          ...(typeof fixable === 'number' ? { fixable } : {}),
          findings: findings.slice(0, MAX_FINDINGS_CARRIED),
          consoleUrl: huaweiConsoleUrl('swr', config.region),
        },
        ...list,
      };
    };

    /**
     * The scan API answers 404 on instances older than v25.7.20 (its documented constraint), and for an artifact
     * that does not exist: reading the artifact tells the two apart.
     */
    const explainNotFound = async (ref: SwrArtifactRef, err: CallError): Promise<CallError> => {
      try {
        await swr.scanOverview(ref);
      } catch (readErr) {
        if (readErr instanceof CallError && readErr.kind === 'not_found') {
          return new CallError({
            kind: 'not_found',
            code: err.code,
            status: 404,
            message: `${err.message} (no artifact ${ref.namespace}/${ref.repository}@${ref.digest} in instance ${ref.instanceId})`,
          });
        }
        throw readErr;
      }
      return new CallError({
        kind: 'not_found',
        code: err.code,
        status: 404,
        message: `${err.message}: the artifact exists, so the instance is older than v25.7.20, the first SWR Enterprise Edition version with the scan API; upgrade instance ${ref.instanceId}`,
      });
    };

    return {
      async start(image) {
        const ref = refOf(image);
        try {
          await swr.startManualScanning(ref);
        } catch (err) {
          throw err instanceof CallError && err.kind === 'not_found' ? await explainNotFound(ref, err) : err;
        }
        return {};
      },

      async check(image) {
        const overview = await swr.scanOverview(refOf(image));
        switch (overview?.scan_status) {
          case 'Success':
            return { state: 'complete' };
          case 'Error':
          case 'Stopped':
            return { state: 'failed', reason: `SWR Enterprise Edition reported the scan as ${overview.scan_status}` };
          default: // Pending, Running, or no report yet
            return typeof overview?.complete_percent === 'number' ? { state: 'running', progress: overview.complete_percent } : { state: 'running' };
        }
      },

      report: async (image) => (await fullReport(image)).report,
      fullReport,

      async findBaseline(image, _handle, choice, budget) {
        const own = new Set(tagsOf(image));
        const listed = await listPages(MAX_ARTIFACTS_READ, budget, (_index, offset) =>
          swr
            .listArtifacts(refOf(image), { offset, limit: PAGE_SIZE, ...(choice.kind === 'tag' ? { tag: choice.tag } : {}) })
            .then((p) => ({ items: p.artifacts, total: p.total })),
        );
        const tagged = listed.items
          .flatMap((a) =>
            (a.tags ?? []).flatMap((t) =>
              t.name && !own.has(t.name) && (choice.kind !== 'tag' || t.name === choice.tag)
                ? [{ tag: t.name, digest: a.digest, at: Date.parse(t.push_time ?? a.push_time ?? '') || 0 }]
                : [],
            ),
          )
          .sort((a, b) => b.at - a.at);
        const checked = new Set<string>();
        for (const candidate of tagged) {
          if (checked.has(candidate.digest)) continue;
          if (checked.size >= BASELINE_CANDIDATES) break;
          checked.add(candidate.digest);
          // SWR EE scans a digest, not a tag: this push's own digest under an older tag was scanned just now.
          const done =
            candidate.digest === image.digest || (await gate(() => swr.scanOverview({ ...refOf(image), digest: candidate.digest })))?.scan_status === 'Success';
          if (done) return { tag: candidate.tag, digest: candidate.digest, handle: { digest: candidate.digest } };
        }
        return undefined;
      },

      async baselineFindings(image, { handle }) {
        return listOf(await gate(() => swr.vulnerabilities({ ...refOf(image), digest: String(handle.digest) })));
      },

      list: {
        async repositories(budget) {
          const listed = await listPages(MAX_REPOSITORIES_READ, budget, (_index, offset) =>
            swr.listRepositories(config.instanceId, { offset, limit: PAGE_SIZE }).then((p) => ({ items: p.repositories, total: p.total })),
          );
          return listed.items.map((r) => ({ namespace: r.namespace, repository: r.name }));
        },

        async tags({ namespace, repository }, budget) {
          const ref = { instanceId: config.instanceId, namespace, repository };
          const listed = await listPages(MAX_ARTIFACTS_READ, budget, (_index, offset) =>
            swr.listArtifacts(ref, { offset, limit: PAGE_SIZE }).then((p) => ({ items: p.artifacts, total: p.total })),
          );
          return listed.items.flatMap((a) =>
            (a.tags ?? []).flatMap((t) => (t.name ? [{ tag: t.name, digest: a.digest, pushedAt: Date.parse(t.push_time ?? a.push_time ?? '') || 0 }] : [])),
          );
        },

        // SWR EE scans a digest: the last scan of the image is its artifact's current report.
        async lastScan(image) {
          const overview = await gate(() => swr.scanOverview(refOf(image)));
          if (overview?.scan_status !== 'Success') return undefined;
          const list = listOf(await gate(() => swr.vulnerabilities(refOf(image))));
          const ended = overview.end_time && Number.isFinite(Date.parse(overview.end_time)) ? new Date(overview.end_time).toISOString() : undefined;
          return { ...list, ...(ended ? { scannedAt: ended } : {}) };
        },
      },
    };
  },
});
