import { createHash, timingSafeEqual } from 'node:crypto';
// Straight from zod's core: `z.core.$ZodError` would keep the whole of it, every locale too, in the bundle.
import { $ZodError } from 'zod/v4/core';
import type { Config } from '../../shared/config/config.js';
import { formatIssues } from '../../shared/config/zodIssues.js';
import { type ImagePush, imageName } from '../../shared/messages/image.js';
import type { SourceConfig } from '../../shared/sources/index.js';
import { sourcePlugin } from '../../shared/sources/index.js';
import type { ParsedWebhook } from '../../shared/sources/source.js';

export const MAX_BODY_BYTES = 256 * 1024;

export interface WebhookHttpRequest {
  source: string;
  headers: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
  body: string | undefined;
  isBase64Encoded?: boolean;
}

/** A request refused before anything is queued: its status and what is wrong. */
export interface Refusal {
  statusCode: number;
  error: string;
}

/** A request that passed every check: what its source's format says it carries. */
export interface WebhookRead {
  source: string;
  sourceConfig: SourceConfig;
  parsed: ParsedWebhook;
}

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

const definedEntries = (record: Record<string, string | undefined>) => Object.entries(record).filter((e): e is [string, string] => e[1] !== undefined);

/** `POST /webhooks/{source}`: which source, its secret, the body's size, type and JSON, its format's fields, and the image names. */
export const readRequest = (config: Config, req: WebhookHttpRequest): WebhookRead | Refusal => {
  const sourceConfig = Object.hasOwn(config.sources, req.source) ? config.sources[req.source] : undefined;
  if (!sourceConfig) return { statusCode: 404, error: `unknown source "${req.source}"` };
  const plugin = sourcePlugin(sourceConfig.type);
  const headers = Object.fromEntries(definedEntries(req.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const query = Object.fromEntries(definedEntries(req.query));

  if (!secretMatches(plugin.presentedSecret({ headers, query }, sourceConfig), sourceConfig.secret)) {
    return { statusCode: 401, error: 'missing or wrong webhook secret' };
  }
  const raw = req.body === undefined ? '' : req.isBase64Encoded ? Buffer.from(req.body, 'base64').toString('utf8') : req.body;
  if (Buffer.byteLength(raw, 'utf8') > MAX_BODY_BYTES) return { statusCode: 413, error: `body larger than ${MAX_BODY_BYTES / 1024} KiB` };
  const contentType = headers['content-type'];
  if (contentType && !isJsonType(contentType, plugin.contentTypes ?? [])) {
    return { statusCode: 415, error: `content-type "${contentType.slice(0, 100)}" is not JSON` };
  }
  let payload: unknown;
  try {
    payload = JSON.parse(raw);
  } catch (err) {
    return { statusCode: 400, error: `body is not valid JSON: ${(err as Error).message}` };
  }
  let parsed: ParsedWebhook;
  try {
    parsed = plugin.parse({ headers, query, payload }, req.source, sourceConfig);
  } catch (err) {
    if (err instanceof $ZodError) return { statusCode: 400, error: `invalid ${sourceConfig.type} payload: ${formatIssues(err)}` };
    throw err;
  }
  const images = [...parsed.pushes, ...[...(parsed.results ?? []), ...(parsed.scansEnded ?? [])].map((r) => r.image)];
  const badName = imageNameProblem(sourceConfig.type, images);
  if (badName) return { statusCode: 400, error: `invalid ${sourceConfig.type} payload: ${badName}` };
  return { source: req.source, sourceConfig, parsed };
};

/** The first image whose names break OCI's or the registry's rules, named `image.<field>` (`images[i].<field>` among several). */
const imageNameProblem = (registry: string, images: readonly ImagePush[]): string | undefined => {
  const schema = imageName(registry);
  for (const [i, image] of images.entries()) {
    const result = schema.safeParse(image);
    if (!result.success) return formatIssues(result.error, images.length > 1 ? ['images', i] : ['image']);
  }
  return undefined;
};
