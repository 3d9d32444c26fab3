import * as z from 'zod/mini';
import { strictObject } from '../config/strictObject.js';
import { Digest, type ImagePush, prefixedDigest } from '../messages/image.js';
import { CLOUD_EVENTS_TYPE } from './harborPayload.js';
import { defineSource, type ParsedWebhook, type WebhookRequest } from './source.js';

const AcrEventsSourceConfig = strictObject({
  type: z.literal('acr-events'),
  /** EventBridge's HTTP target sends nothing but a URL we choose, so the secret travels as `?token=` in it, as for ACR triggers. */
  secret: z.string().check(z.minLength(16, 'use a long random secret (16 characters or more)')),
  /** The `acr` scanner entry whose endpoint and credentials read ACR's own scan results, for `"registry"` routes. */
  scanner: z.optional(z.string().check(z.minLength(1))),
});

export const PUSH_COMPLETED = 'cr:Artifact:PushCompleted';
export const SCAN_COMPLETED = 'cr:Artifact:ScanCompleted';

/**
 * The CloudEvents envelope EventBridge delivers, as Alibaba's published examples show it
 * (https://www.alibabacloud.com/help/en/eventbridge/user-guide/container-registry-events): `specversion`, `type`,
 * `time`, `aliyunregionid`, `data`. Unknown fields are allowed everywhere: the format is not versioned. Built on first
 * use, as ACR's (see acr.ts).
 */
const Envelope = z.lazy(() =>
  z.object({
    specversion: z.string().check(z.minLength(1)),
    type: z.string().check(z.minLength(1)),
    time: z.optional(z.string()),
    aliyunregionid: z.optional(z.string()),
  }),
);

/** ACR's APIs answer digests with or without `sha256:` (ListRepoTag's examples show bare hex): both are taken. */
const EventDigest = z.lazy(() => z.pipe(z.pipe(z.string(), z.transform(prefixedDigest)), Digest));

/**
 * The `data` of both events. `InstanceId`, `RegionId`, `RepoId`, `RepoNamespaceName`, `RepoName` and `Tag` are
 * documented: in the published examples of the page above and in the parameters of ScanCompleted
 * (https://help.aliyun.com/zh/acr/user-guide/modify-an-event-notification-template). `Digest` is not documented for
 * either event (unconfirmed; it is the name ACR's own APIs use, e.g. ListRepoTag), but an image is its digest here:
 * an event without one is refused with a 400 naming `data.Digest`. PushCompleted's `data` is not published at
 * all (unconfirmed): it is read with the same names.
 */
const artifactFields = () => ({
  InstanceId: z.optional(z.string().check(z.minLength(1))),
  RegionId: z.optional(z.string().check(z.minLength(1))),
  RepoId: z.optional(z.string().check(z.minLength(1))),
  RepoNamespaceName: z.string().check(z.minLength(1)),
  RepoName: z.string().check(z.minLength(1)),
  Tag: z.string().check(z.minLength(1)),
  Digest: EventDigest,
});
const ArtifactData = z.lazy(() => z.object(artifactFields()));

/** ScanCompleted documents `RepoId`, which the ACR scanner finds the scan by. */
const ScanCompletedData = z.lazy(() => z.object({ ...artifactFields(), RepoId: z.string().check(z.minLength(1)) }));

const imageOf = (sourceKey: string, envelope: z.infer<typeof Envelope>, data: z.infer<typeof ArtifactData>, pushedAt?: string): ImagePush => {
  const region = data.RegionId ?? envelope.aliyunregionid;
  return {
    source: sourceKey,
    ...(region ? { region } : {}),
    namespace: data.RepoNamespaceName,
    repository: data.RepoName,
    tag: data.Tag,
    digest: data.Digest,
    ...(pushedAt ? { pushedAt } : {}),
  };
};

/** One event: a push to scan, a scan ACR finished (its result is read by a scanner), or something else, ignored. */
const parseEvent = (req: WebhookRequest, sourceKey: string): ParsedWebhook => {
  const envelope = Envelope.parse(req.payload);
  if (envelope.type === PUSH_COMPLETED) {
    const { data } = z.object({ data: ArtifactData }).parse(req.payload);
    return { pushes: [imageOf(sourceKey, envelope, data, envelope.time)], ignored: [] };
  }
  if (envelope.type === SCAN_COMPLETED) {
    const { data } = z.object({ data: ScanCompletedData }).parse(req.payload);
    return {
      pushes: [],
      scansEnded: [
        {
          image: imageOf(sourceKey, envelope, data),
          event: envelope.type,
          ...(data.InstanceId ? { instanceId: data.InstanceId } : {}),
          handle: { repoId: data.RepoId, tag: data.Tag },
        },
      ],
      ignored: [],
    };
  }
  return { pushes: [], ignored: [{ event: envelope.type, reason: 'not a push or scan-completed event' }] };
};

/**
 * Alibaba Cloud ACR Enterprise Edition events, delivered by an EventBridge rule to an HTTP(S) target: one rule for
 * the whole instance instead of a trigger per repository.
 */
export const acrEventsSource = defineSource({
  type: 'acr-events',
  label: 'Alibaba Cloud ACR',
  configSchema: AcrEventsSourceConfig,
  contentTypes: [CLOUD_EVENTS_TYPE],
  scanResults: true,
  scanEvents: { scannerTypes: ['acr'] },
  presentedSecret: (req) => req.query.token,
  parse: (req, sourceKey) => parseEvent(req, sourceKey),
});
