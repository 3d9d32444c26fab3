import { type Config, REGISTRY_SCANNER } from '../../shared/config/config.js';
import { matchRoute } from '../../shared/config/matchRoute.js';
import type { ImagePush } from '../../shared/messages/image.js';
import { jobIdFor, resultJobKey, scanJobKey } from '../../shared/messages/jobId.js';
import type { NotifyJob, PollJob, ScanJob } from '../../shared/messages/jobs.js';
import { notifyJobs } from '../../shared/messages/notifyJobs.js';
import { shouldNotify } from '../../shared/report/threshold.js';
import { type SourceConfig, sourcePlugin } from '../../shared/sources/index.js';
import type { ScanEnded } from '../../shared/sources/source.js';
import type { WebhookRead } from './readRequest.js';

/** What a webhook asks of scanhook: scans to start, results to post, scans to check now, and what it ignored and why. */
export interface JobPlan {
  scans: ScanJob[];
  notices: NotifyJob[];
  /** Status checks of scans the registry says ended, for the poll queue with no delay. */
  checks: PollJob[];
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
  const plan: JobPlan = { scans: [], notices: [], checks: [], accepted: [], ignored: [...parsed.ignored] };
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
  for (const ended of parsed.scansEnded ?? []) planChecks(config, sourceConfig, ended, receivedAt, plan);
  return plan;
};

/**
 * A scan the registry says ended is checked at once, by the scanner that reads it: on the route that scans the
 * image, if its scanner is of a type the event is about, and on the image's `"registry"` route through the
 * source's scanner. The check carries what the timer's would (route, scanner, image, handle), so both lead to the
 * same message. A scanner entry bound to another instance than the event's did not run that scan.
 */
const planChecks = (config: Config, sourceConfig: SourceConfig, ended: ScanEnded, receivedAt: string, plan: JobPlan) => {
  const at = new Date(receivedAt);
  const types = sourcePlugin(sourceConfig.type).scanEvents?.scannerTypes ?? [];
  const routes = [matchRoute(config, ended.image), matchRoute(config, ended.image, true)].filter((r) => r >= 0);
  const skip = (reason: string) => plan.ignored.push({ image: describePush(ended.image), event: ended.event, reason });
  if (routes.length === 0) skip('no route matches');
  for (const route of routes) {
    const matched = config.routes[route]!;
    const scanner = matched.scanner === REGISTRY_SCANNER ? String(sourceConfig.scanner) : matched.scanner;
    const entry = Object.hasOwn(config.scanners, scanner) ? config.scanners[scanner] : undefined;
    if (!entry || !types.includes(entry.type)) {
      skip(`its route scans with "${scanner}", which this event is not about: its status checks follow that scan`);
      continue;
    }
    if (typeof entry.instanceId === 'string' && ended.instanceId && entry.instanceId !== ended.instanceId) {
      skip(`scanner "${scanner}" reads instance ${entry.instanceId}, not ${ended.instanceId}`);
      continue;
    }
    if (plan.checks.some((j) => j.route === route && j.image.digest === ended.image.digest)) continue;
    const identity = { route, scanner, image: ended.image };
    const deadline = new Date(at.getTime() + config.polling.deadlineMinutes * 60_000).toISOString();
    const job: PollJob = {
      kind: 'poll',
      v: 1,
      jobId: jobIdFor(scanJobKey(identity), at),
      ...identity,
      channels: matched.channels,
      receivedAt,
      scan: { startedAt: receivedAt, deadline, checks: 0, handle: ended.handle },
      fromEvent: true,
    };
    plan.checks.push(job);
    plan.accepted.push({ jobId: job.jobId, image: describePush(ended.image), scanner });
  }
};
