import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { type Config, REGISTRY_SCANNER } from './config.js';
import { globMatches } from './glob.js';
import { notifyJobs } from './jobs/notifyJobs.js';
import type { ImagePush, NotifyJob, ScanJob } from './messages.js';
import type { Runtime } from './runtime.js';
import { sourcePlugin } from './sources/registry.js';
import { shouldNotify } from './threshold.js';
import { formatIssues } from './zodPath.js';

export const MAX_BODY_BYTES = 256 * 1024;

export interface WebhookHttpRequest {
  source: string;
  headers: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
  body: string | undefined;
  isBase64Encoded?: boolean;
}

export interface WebhookHttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

const reply = (statusCode: number, body: unknown): WebhookHttpResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
const problem = (statusCode: number, error: string) => reply(statusCode, { error });

/** Constant-time comparison that does not leak the secret's length either. */
export const secretMatches = (presented: string | undefined, expected: string): boolean => {
  if (presented === undefined) return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(presented), digest(expected));
};

const isJsonType = (contentType: string, extra: string[]) => {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || extra.includes(type);
};

/**
 * The first route for this image. A push is matched against routes that scan; a registry's own scan result
 * (`registryResult`) against routes with the scanner "registry".
 */
export const matchRoute = (config: Config, push: ImagePush, registryResult = false): number =>
  config.routes.findIndex(
    (r) =>
      r.source === push.source &&
      (r.scanner === REGISTRY_SCANNER) === registryResult &&
      globMatches(r.namespace, push.namespace) &&
      globMatches(r.repository, push.repository) &&
      (push.tag === undefined ? r.tag === '*' : globMatches(r.tag, push.tag)),
  );

const describePush = (p: ImagePush) => `${p.namespace}/${p.repository}${p.tag ? `:${p.tag}` : `@${p.digest}`}`;
const lower = (h: Record<string, string | undefined>) =>
  Object.fromEntries(Object.entries(h).filter((e): e is [string, string] => e[1] !== undefined).map(([k, v]) => [k.toLowerCase(), v]));

/**
 * `POST /webhooks/{source}`: authenticate, validate, match routes, queue one scan job per (route, digest) — or, for a
 * scan result the registry sent, one notify job per channel — and answer 202. Every 4xx is decided before anything
 * is queued.
 */
export const handleWebhook = async (rt: Runtime, req: WebhookHttpRequest): Promise<WebhookHttpResponse> => {
  const sourceConfig = rt.config.sources[req.source];
  if (!sourceConfig) return problem(404, `unknown source "${req.source}"`);
  const plugin = sourcePlugin(sourceConfig.type);
  const headers = lower(req.headers);
  const query = Object.fromEntries(Object.entries(req.query).filter((e): e is [string, string] => e[1] !== undefined));

  if (!secretMatches(plugin.presentedSecret({ headers, query }, sourceConfig), sourceConfig.secret)) {
    return problem(401, 'missing or wrong webhook secret');
  }
  const raw = req.body === undefined ? '' : req.isBase64Encoded ? Buffer.from(req.body, 'base64').toString('utf8') : req.body;
  if (Buffer.byteLength(raw, 'utf8') > MAX_BODY_BYTES) return problem(413, `body larger than ${MAX_BODY_BYTES / 1024} KiB`);
  const contentType = headers['content-type'];
  if (contentType && !isJsonType(contentType, plugin.contentTypes ?? [])) {
    return problem(415, `content-type "${contentType.slice(0, 100)}" is not JSON`);
  }
  let payload: unknown;
  try {
    payload = JSON.parse(raw);
  } catch (err) {
    return problem(400, `body is not valid JSON: ${(err as Error).message}`);
  }
  let parsed;
  try {
    parsed = plugin.parse({ headers, query, payload }, req.source, sourceConfig);
  } catch (err) {
    if (err instanceof z.ZodError) return problem(400, `invalid ${sourceConfig.type} payload: ${formatIssues(err)}`);
    throw err;
  }

  const receivedAt = rt.now().toISOString();
  const jobs: ScanJob[] = [];
  const notices: NotifyJob[] = [];
  const accepted: { jobId: string; image: string; scanner: string }[] = [];
  const ignored: { image?: string; event?: string; reason: string }[] = [...parsed.ignored];
  const unrouted = (push: ImagePush, registryResult: boolean, event?: string) => {
    const other = rt.config.routes[matchRoute(rt.config, push, !registryResult)];
    const reason = !other
      ? 'no route matches'
      : registryResult
        ? `its route scans with "${other.scanner}" instead of taking the registry's result`
        : `its route takes the registry's scan result (scanner "${REGISTRY_SCANNER}")`;
    ignored.push({ image: describePush(push), ...(event ? { event } : {}), reason });
  };
  for (const push of parsed.pushes) {
    const route = matchRoute(rt.config, push);
    const matched = rt.config.routes[route];
    if (!matched) {
      unrouted(push, false);
      continue;
    }
    if (jobs.some((j) => j.route === route && j.image.digest === push.digest)) continue;
    const job: ScanJob = { kind: 'scan', v: 1, jobId: randomUUID(), route, scanner: matched.scanner, channels: matched.channels, image: push, receivedAt };
    jobs.push(job);
    accepted.push({ jobId: job.jobId, image: describePush(push), scanner: job.scanner });
  }
  for (const result of parsed.results ?? []) {
    const route = matchRoute(rt.config, result.image, true);
    const matched = rt.config.routes[route];
    if (!matched) {
      unrouted(result.image, true, result.event);
      continue;
    }
    if (notices.some((n) => n.route === route && n.image.digest === result.image.digest)) continue;
    if (!shouldNotify(result.outcome, matched)) {
      ignored.push({ image: describePush(result.image), event: result.event, reason: `passed: nothing at or above the route's minSeverity (${matched.minSeverity})` });
      continue;
    }
    const subject = { jobId: randomUUID(), route, scanner: REGISTRY_SCANNER, channels: matched.channels, image: result.image };
    notices.push(...notifyJobs(rt, subject, result.outcome, result.scanStartedAt, result.finishedAt));
    accepted.push({ jobId: subject.jobId, image: describePush(result.image), scanner: REGISTRY_SCANNER });
  }
  if (jobs.length > 0) await rt.queue.sendScanJobs(jobs);
  if (notices.length > 0) await rt.queue.sendResults(notices);
  return reply(202, { accepted: accepted.length, ignored, jobs: accepted });
};
