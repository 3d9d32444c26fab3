import * as z from 'zod/mini';
import { strictObject } from '../config/strictObject.js';
import { type ArtifactRef, CLOUD_EVENTS_TYPE, parseHarborWebhook } from './harborPayload.js';
import { headerSecret } from './headerSecret.js';
import { defineSource } from './source.js';

/** Harbor and SWR EE (Harbor-based) authenticate alike: a shared secret in a header. */
export const harborStyleConfig = <T extends string>(type: T) =>
  strictObject({
    type: z.literal(type),
    secret: z.string().check(z.minLength(16, 'use a long random secret (16 characters or more)')),
    /** The header that carries the secret; default `Authorization` (raw or `Bearer <secret>`). */
    header: z.optional(z.string().check(z.regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'expected an HTTP header name, e.g. "X-Scanhook-Token"'))),
    /** Put on every image from this source, for scanners and messages that need it. */
    region: z.optional(z.string().check(z.minLength(1))),
  });

const HarborSourceConfig = harborStyleConfig('harbor');

/**
 * Harbor's artifact page, built from `resource_url` (`host[:port]/project/repo…`). Unconfirmed: that the UI is served
 * over https on the registry's host, and that it resolves a project name where a numeric id is known only from
 * CloudEvents.
 */
const harborConsoleUrl = ({ image, resourceUrl, projectId }: ArtifactRef): string | undefined => {
  const host = resourceUrl?.split('/')[0];
  if (!host) return undefined;
  const project = encodeURIComponent(projectId ?? image.namespace);
  return `https://${host}/harbor/projects/${project}/repositories/${encodeURIComponent(image.repository)}/artifacts-tab/artifacts/${image.digest}`;
};

export const harborSource = defineSource({
  type: 'harbor',
  label: 'Harbor',
  configSchema: HarborSourceConfig,
  contentTypes: [CLOUD_EVENTS_TYPE],
  scanResults: true,
  presentedSecret: (req, config) => headerSecret(req.headers, config.header),
  parse: (req, sourceKey, config) => parseHarborWebhook(req, sourceKey, { ...(config.region ? { region: config.region } : {}), consoleUrl: harborConsoleUrl }),
});
