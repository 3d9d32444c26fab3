import { type Config, REGISTRY_SCANNER } from '../../shared/config/config.js';
import { matchRoute } from '../../shared/config/matchRoute.js';
import type { ImagePush } from '../../shared/messages/image.js';
import { jobIdFor, resultJobKey, scanJobKey } from '../../shared/messages/jobId.js';
import type { NotifyJob, ScanJob } from '../../shared/messages/jobs.js';
import { notifyJobs } from '../../shared/messages/notifyJobs.js';
import { shouldNotify } from '../../shared/report/threshold.js';
import { sourcePlugin } from '../../shared/sources/index.js';
import type { WebhookRead } from './readRequest.js';

/** What a webhook asks of scanhook: scans to start, results to post, and what it ignored and why. */
export interface JobPlan {
  scans: ScanJob[];
  notices: NotifyJob[];
  accepted: { jobId: string; image: string; scanner: string }[];
  ignored: { image?: string; event?: string; reason: string }[];
}

const describePush = (p: ImagePush) => `${p.namespace}/${p.repository}${p.tag ? `:${p.tag}` : `@${p.digest}`}`;

/**
 * Routes what a webhook carried: one scan job per (route, digest) pushed, and for a scan result the registry sent,
 * one notify job per channel of its route — unless the route's threshold calls it a pass.
 */
export const planJobs = (config: Config, { sourceConfig, parsed }: WebhookRead, receivedAt: string): JobPlan => {
  const at = new Date(receivedAt);
  const plan: JobPlan = { scans: [], notices: [], accepted: [], ignored: [...parsed.ignored] };
  const unrouted = (push: ImagePush, registryResult: boolean, event?: string) => {
    const other = config.routes[matchRoute(config, push, !registryResult)];
    const reason = !other
      ? 'no route matches'
      : registryResult
        ? `its route scans with "${other.scanner}" instead of taking the registry's result`
        : `its route takes the registry's scan result (scanner "${REGISTRY_SCANNER}")`;
    plan.ignored.push({ image: describePush(push), ...(event ? { event } : {}), reason });
  };
  for (const push of parsed.pushes) {
    const route = matchRoute(config, push);
    const matched = config.routes[route];
    if (!matched) {
      unrouted(push, false);
      continue;
    }
    if (plan.scans.some((j) => j.route === route && j.image.digest === push.digest)) continue;
    const identity = { route, scanner: matched.scanner, image: push };
    const job: ScanJob = { kind: 'scan', v: 1, jobId: jobIdFor(scanJobKey(identity), at), ...identity, channels: matched.channels, receivedAt };
    plan.scans.push(job);
    plan.accepted.push({ jobId: job.jobId, image: describePush(push), scanner: job.scanner });
  }
  const registry = { type: sourceConfig.type, label: sourcePlugin(sourceConfig.type).label };
  for (const result of parsed.results ?? []) {
    const route = matchRoute(config, result.image, true);
    const matched = config.routes[route];
    if (!matched) {
      unrouted(result.image, true, result.event);
      continue;
    }
    if (plan.notices.some((n) => n.route === route && n.image.digest === result.image.digest)) continue;
    if (!shouldNotify(result.outcome, matched)) {
      plan.ignored.push({
        image: describePush(result.image),
        event: result.event,
        reason: `passed: nothing at or above the route's minSeverity (${matched.minSeverity})`,
      });
      continue;
    }
    const times = { finishedAt: result.finishedAt ?? receivedAt, scanStartedAt: result.scanStartedAt };
    const jobId = jobIdFor(resultJobKey({ route, image: result.image, outcome: result.outcome, finishedAt: times.finishedAt }), at);
    const subject = { jobId, route, scanner: REGISTRY_SCANNER, channels: matched.channels, image: result.image, receivedAt };
    plan.notices.push(...notifyJobs(subject, registry, result.outcome, times));
    plan.accepted.push({ jobId: subject.jobId, image: describePush(result.image), scanner: REGISTRY_SCANNER });
  }
  return plan;
};
