import * as z from 'zod';
import { strictObject } from '../config/strictObject.js';
import { CallError } from '../http/callError.js';
import { byWorstFirst, type Finding, MAX_FINDINGS_CARRIED, type Severity } from '../report/report.js';
import { type AcrImage, type AcrVulnerability, CR_API_VERSION, crEndpoint, createCrApi } from '../vendors/alibaba/cr.js';
import { AlibabaRegion } from '../vendors/alibaba/region.js';
import { AlibabaCredentialsConfig, createAlibabaScannerClient } from './alibaba.js';
import { defineScanner, type ScanHandle } from './scanner.js';

const AcrScannerConfig = strictObject({
  type: z.literal('acr'),
  region: AlibabaRegion,
  instanceId: z.string().min(1),
  /** Overrides `https://cr.{region}.aliyuncs.com`. */
  endpoint: z.url({ protocol: /^https?$/ }).optional(),
  /** Which engine ACR scans with: its own (the default) or Security Center's, run from inside ACR (paid, SAS quota). */
  engine: z.enum(['acr', 'sas']).optional(),
  credentials: AlibabaCredentialsConfig.optional(),
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

/** Console page of the repository's images, where each tag's scan report opens. Path shape unconfirmed for every region. */
const consoleUrl = (region: string, instanceId: string, repoId: string) =>
  `https://cr.console.aliyun.com/${region}/instance/${instanceId}/repository/${repoId}/images`;

export const acrScanner = defineScanner({
  type: 'acr',
  label: 'Alibaba Cloud ACR',
  configSchema: AcrScannerConfig,
  create(config, ctx) {
    const rpc = createAlibabaScannerClient(ctx, config.endpoint ?? crEndpoint(config.region), CR_API_VERSION, config.credentials);
    const cr = createCrApi(rpc);
    const repoIds = new Map<string, string>();

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
        const key = `${image.namespace}/${image.repository}`;
        let repoId = repoIds.get(key);
        if (!repoId) {
          repoId = await cr.getRepositoryId(config.instanceId, image.namespace, image.repository);
          repoIds.set(key, repoId);
        }
        const handle = { repoId, tag: image.tag };
        await cr.createRepoTagScanTask(imageOf(image.digest, handle), config.engine === 'sas' ? 'SAS_SCAN_SERVICE' : undefined);
        return handle;
      },

      async check(image, handle) {
        const status = await cr.getRepoTagScanStatus(imageOf(image.digest, handle));
        if (status === 'COMPLETE') return { state: 'complete' };
        if (status === 'FAILED') return { state: 'failed', reason: 'ACR reported the scan as FAILED' };
        return { state: 'running' }; // SCANNING, RETRYING
      },

      async report(image, handle) {
        const acrImage = imageOf(image.digest, handle);
        const summary = await cr.getRepoTagScanSummary(acrImage);
        const counts = { critical: 0, high: summary.high, medium: summary.medium, low: summary.low, unknown: summary.unknown };
        const findings: Finding[] = [];
        // Worst levels first, and only levels the summary says are there: usually one or two calls.
        for (const level of ACR_LEVELS) {
          const wanted = Math.min(MAX_FINDINGS_CARRIED - findings.length, counts[SEVERITY[level] as Severity]);
          if (wanted <= 0) continue;
          const page = await cr.listRepoTagScanResult(acrImage, { severity: level, pageSize: wanted });
          findings.push(...page.vulnerabilities.slice(0, wanted).map(toFinding));
          if (findings.length >= MAX_FINDINGS_CARRIED) break;
        }
        return {
          counts,
          total: Math.max(summary.total, counts.high + counts.medium + counts.low + counts.unknown),
          findings: findings.sort(byWorstFirst),
          consoleUrl: consoleUrl(config.region, config.instanceId, acrImage.repoId),
        };
      },
    };
  },
});
