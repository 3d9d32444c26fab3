import * as z from 'zod/mini';
import { Digest, type ImagePush, tagName } from '../messages/image.js';
import { ReportSummary, registryScanOutcome } from './scanOverview.js';
import type { ParsedWebhook, RegistryScanResult, WebhookRequest } from './source.js';

/**
 * Harbor's webhook payloads (https://goharbor.io/docs/latest/working-with-projects/project-configuration/configure-webhooks), which SWR EE is expected to send too (its payload is unconfirmed):
 * the default format and CloudEvents. Unknown fields are allowed everywhere. Built on first use, as ACR's (see acr.ts).
 */
const Resource = z.lazy(() =>
  z.object({
    digest: Digest,
    /** The first tag; empty, or the digest itself, when the artifact has no tag. */
    tag: z.optional(z.string().check(z.regex(/^(|sha256:[0-9a-f]{64}|[\w][\w.-]{0,127})$/, 'expected a tag, or the digest of an untagged artifact'))),
    /** `{host}/{project}/{repository}:{tag}` or `…@{digest}`. */
    resource_url: z.optional(z.string()),
    scan_overview: z.nullish(z.record(z.string(), ReportSummary)),
  }),
);

/** `name` is everything after the project in `repo_full_name`, so it may itself contain `/`. */
const Repository = z.lazy(() =>
  z.pipe(
    z.object({
      namespace: z.optional(z.string()),
      name: z.optional(z.string()),
      repo_full_name: z.optional(z.string()),
    }),
    z.transform((repo, ctx) => {
      const full = repo.repo_full_name ?? '';
      const cut = full.indexOf('/');
      const namespace = repo.namespace || (cut > 0 ? full.slice(0, cut) : '');
      const rest = namespace && full.startsWith(`${namespace}/`) ? full.slice(namespace.length + 1) : '';
      const name = rest || repo.name || '';
      const missing = (field: string, what: string) =>
        ctx.issues.push({ code: 'custom', path: [field], message: `expected the ${what} name (or a repo_full_name "project/repository")`, input: repo });
      if (!namespace) missing('namespace', 'project');
      if (!name) missing('name', 'repository');
      return { namespace, name };
    }),
  ),
);

const EventData = z.lazy(() =>
  z.object({
    resources: z.array(Resource).check(z.minLength(1, 'expected at least one resource')),
    repository: Repository,
    scan: z.nullish(z.object({ scan_type: z.optional(z.string()) })),
  }),
);
type EventData = z.infer<typeof EventData>;

const HarborPayload = z.lazy(() =>
  z.object({
    type: z.string().check(z.minLength(1)),
    /** Unix seconds. */
    occur_at: z.optional(z.number()),
  }),
);

const HarborCloudEvent = z.lazy(() =>
  z.object({
    specversion: z.string().check(z.minLength(1)),
    type: z.string().check(z.minLength(1)),
    /** `/projects/{projectId}/webhook/policies/{policyId}`. */
    source: z.optional(z.string()),
    time: z.optional(z.string()),
  }),
);

const CLOUD_EVENT_TYPES: Record<string, string> = {
  'harbor.artifact.pushed': 'PUSH_ARTIFACT',
  'harbor.scan.completed': 'SCANNING_COMPLETED',
  'harbor.scan.failed': 'SCANNING_FAILED',
};
const HANDLED = Object.values(CLOUD_EVENT_TYPES);

export const CLOUD_EVENTS_TYPE = 'application/cloudevents+json';
const isCloudEvent = (req: WebhookRequest) =>
  req.headers['content-type']?.split(';')[0]?.trim().toLowerCase() === CLOUD_EVENTS_TYPE ||
  (typeof req.payload === 'object' && req.payload !== null && 'specversion' in req.payload);

/** What a console link to a scanned artifact is built from. */
export interface ArtifactRef {
  image: ImagePush;
  resourceUrl?: string;
  /** Harbor's numeric project id, known from a CloudEvent's `source` only. */
  projectId?: string;
}

export interface HarborParseOptions {
  region?: string;
  consoleUrl?: (ref: ArtifactRef) => string | undefined;
}

interface Envelope {
  event: string;
  /** The raw event type, for `ignored`. */
  rawType: string;
  dataField: 'event_data' | 'data';
  occurredAt?: string;
  projectId?: string;
}

/** A time in ms as ISO, or nothing when it is no date (Date's range ends at 8.64e15 ms). */
const isoTime = (ms: number): string | undefined => (ms > 0 && ms <= 8.64e15 ? new Date(ms).toISOString() : undefined);

const envelopeOf = (req: WebhookRequest): Envelope => {
  if (isCloudEvent(req)) {
    const ce = HarborCloudEvent.parse(req.payload);
    const time = isoTime(Date.parse(ce.time ?? ''));
    const projectId = /^\/projects\/(\d+)\//.exec(ce.source ?? '')?.[1];
    return {
      event: (Object.hasOwn(CLOUD_EVENT_TYPES, ce.type) ? CLOUD_EVENT_TYPES[ce.type] : undefined) ?? ce.type,
      rawType: ce.type,
      dataField: 'data',
      ...(time ? { occurredAt: time } : {}),
      ...(projectId ? { projectId } : {}),
    };
  }
  const payload = HarborPayload.parse(req.payload);
  const occurredAt = isoTime((payload.occur_at ?? 0) * 1000);
  return { event: payload.type, rawType: payload.type, dataField: 'event_data', ...(occurredAt ? { occurredAt } : {}) };
};

const imagesOf = (data: EventData, sourceKey: string, opts: HarborParseOptions, occurredAt: string | undefined): ImagePush[] =>
  data.resources.map((resource) => {
    const tag = tagName(resource.tag); // none, or the digest in its place: a digest-only push
    const tags = [...new Set(data.resources.filter((r) => r.digest === resource.digest).map((r) => tagName(r.tag)))].filter(
      (t): t is string => t !== undefined,
    );
    return {
      source: sourceKey,
      ...(opts.region ? { region: opts.region } : {}),
      namespace: data.repository.namespace,
      repository: data.repository.name,
      ...(tag ? { tag } : {}),
      ...(tags.length > 1 ? { tags } : {}),
      digest: resource.digest,
      ...(occurredAt ? { pushedAt: occurredAt } : {}),
    };
  });

/** Pushes become scan jobs; the registry's own scan results become messages (routes with scanner "registry"). */
export const parseHarborWebhook = (req: WebhookRequest, sourceKey: string, opts: HarborParseOptions = {}): ParsedWebhook => {
  const envelope = envelopeOf(req);
  if (!HANDLED.includes(envelope.event)) {
    return { pushes: [], ignored: [{ event: envelope.rawType, reason: 'not a push or scan result' }] };
  }
  const data = z.object({ [envelope.dataField]: EventData }).parse(req.payload)[envelope.dataField] as EventData;
  const images = imagesOf(data, sourceKey, opts, envelope.event === 'PUSH_ARTIFACT' ? envelope.occurredAt : undefined);
  if (envelope.event === 'PUSH_ARTIFACT') return { pushes: images, ignored: [] };

  if (data.scan?.scan_type && data.scan.scan_type !== 'vulnerability') {
    return { pushes: [], ignored: [{ event: envelope.rawType, reason: `a ${data.scan.scan_type} scan carries no vulnerability counts` }] };
  }
  const results: RegistryScanResult[] = images.map((image, i) => {
    const resource = data.resources[i]!;
    const consoleUrl = opts.consoleUrl?.({
      image,
      ...(resource.resource_url ? { resourceUrl: resource.resource_url } : {}),
      ...(envelope.projectId ? { projectId: envelope.projectId } : {}),
    });
    return {
      image,
      event: envelope.event,
      ...registryScanOutcome(envelope.event as 'SCANNING_COMPLETED' | 'SCANNING_FAILED', resource.scan_overview, consoleUrl),
    };
  });
  return { pushes: [], results, ignored: [] };
};
