import * as z from 'zod';
import { strictObject } from '../config/strictObject.js';
import { CallError } from '../http/callError.js';
import type { ImagePush } from '../messages/image.js';
import { harborCounts, harborSeverity } from '../report/harborSeverity.js';
import { byWorstFirst, type Finding, MAX_FINDINGS_CARRIED } from '../report/report.js';
import { createSwrApi, type SwrArtifactRef, type SwrVulnerability, swrEndpoint } from '../vendors/huawei/swr.js';
import { createHuaweiScannerClient, huaweiConsoleUrl, huaweiScannerFields } from './huawei.js';
import { defineScanner } from './scanner.js';

const SwrScannerConfig = strictObject({
  type: z.literal('swr'),
  ...huaweiScannerFields,
  /** The SWR Enterprise Edition instance; its webhooks do not carry it. */
  instanceId: z.string().min(1),
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

      async report(image) {
        const ref = refOf(image);
        const [overview, vulnerabilities] = await Promise.all([swr.scanOverview(ref), swr.vulnerabilities(ref)]);
        const counts = harborCounts(overview?.summary?.summary);
        const findings = vulnerabilities.map(toFinding).sort(byWorstFirst);
        const counted = Object.values(counts).reduce((a, b) => a + b, 0);
        if (counted === 0 && findings.length > 0) for (const f of findings) counts[f.severity]++;
        const fixable = overview?.summary?.fixable;
        return {
          counts,
          total: Math.max(
            Number(overview?.summary?.total) || 0,
            Object.values(counts).reduce((a, b) => a + b, 0),
          ),
          ...(typeof fixable === 'number' ? { fixable } : {}),
          findings: findings.slice(0, MAX_FINDINGS_CARRIED),
          consoleUrl: huaweiConsoleUrl('swr', config.region),
        };
      },
    };
  },
});
