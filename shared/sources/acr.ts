import * as z from 'zod/mini';
import { strictObject } from '../config/strictObject.js';
import { Digest } from '../messages/image.js';
import { defineSource } from './source.js';

const AcrSourceConfig = strictObject({
  type: z.literal('acr'),
  /** ACR triggers can send nothing but a URL, so the secret travels as `?token=` in it. */
  secret: z.string().check(z.minLength(16, 'use a long random secret (16 characters or more)')),
});

/**
 * Alibaba ACR trigger payload (https://www.alibabacloud.com/help/doc-detail/60949.htm). Unknown fields are allowed: the
 * format is not versioned. Built on first use (`z.lazy`), as are the other sources' payload schemas: every function
 * loads the sources for their config schemas, and only onPush, for the sources configured, parses a payload.
 */
export const AcrPushPayload = z.lazy(() =>
  z.object({
    push_data: z.object({
      digest: Digest,
      /** `YYYY-MM-DD HH:mm:ss`, no zone (China time, unconfirmed): kept as given. */
      pushed_at: z.optional(z.string()),
      tag: z.string().check(z.minLength(1)),
    }),
    repository: z.object({
      name: z.string().check(z.minLength(1)),
      namespace: z.string().check(z.minLength(1)),
      region: z.string().check(z.minLength(1)),
      repo_full_name: z.optional(z.string()),
    }),
  }),
);

export const acrSource = defineSource({
  type: 'acr',
  label: 'Alibaba Cloud ACR',
  configSchema: AcrSourceConfig,
  presentedSecret: (req) => req.query.token,
  parse(req, sourceKey) {
    const { push_data: push, repository: repo } = AcrPushPayload.parse(req.payload);
    return {
      pushes: [
        {
          source: sourceKey,
          region: repo.region,
          namespace: repo.namespace,
          repository: repo.name,
          tag: push.tag,
          digest: push.digest,
          ...(push.pushed_at ? { pushedAt: push.pushed_at } : {}),
        },
      ],
      ignored: [],
    };
  },
});
