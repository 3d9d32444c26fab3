import * as z from 'zod/mini';
import { CallError, type FailureKind } from '../http/callError.js';
import type { HttpResponse } from '../http/client.js';
import { jsonObject } from '../http/jsonObject.js';
import type { NotifyJob } from '../messages/jobs.js';
import { clipNotice } from './fit.js';
import { type Locale, LocaleSchema, texts } from './i18n.js';
import type { Notice } from './notice.js';

export interface ChatRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface RenderInput {
  job: NotifyJob;
  /** Built in the channel's locale (`buildNotice(job, label, locale)`). */
  notice: Notice;
  now: Date;
}

/**
 * A target's posting limit. scanhook keeps no state between invocations, so it respects a limit as far as one SQS
 * batch allows: a batch makes at most `posts` posts to one channel, and combines what does not fit into one summary.
 */
export type RateLimit = { posts: number; perSeconds: number } | 'unlimited';

/**
 * A chat target is one file exporting one of these, plus one entry in `index.ts`.
 * `render` is pure (previews and golden files use it); `check` reads the target's reply: it returns nothing
 * on success and a CallError otherwise (`throttled` ones are retried after `retryAfterMs`).
 */
export interface ChannelPlugin<Schema extends z.ZodMiniType = z.ZodMiniType> {
  type: string;
  configSchema: Schema;
  render(config: z.infer<Schema>, input: RenderInput): ChatRequest;
  check(res: HttpResponse): CallError | undefined;
  /** Every target states its limit: there is no default that would mean "unlimited" by omission. */
  rateLimit: RateLimit;
  /** The target drops a repeated post (Google Chat's requestId): a post that may have arrived is safe to resend. */
  idempotent?: boolean;
}

export const defineChannel = <Schema extends z.ZodMiniType>(plugin: ChannelPlugin<Schema>): ChannelPlugin<Schema> => plugin;

/** What a target renders: the notice clipped to chat sizes, and the words of the channel's locale (English by default). */
export const localNotice = (config: { locale?: Locale | undefined }, raw: Notice) => {
  const locale = config.locale ?? 'en';
  return { locale, t: texts(locale), notice: clipNotice(raw) };
};

/** An http(s) URL; errors never repeat it. */
export const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });

/** Plain http to anything but this machine: whatever credential the request carries would cross the network unencrypted. */
export const isPlainHttpAway = (url: URL): boolean =>
  url.protocol === 'http:' && !['localhost', '[::1]'].includes(url.hostname) && !/^127\.\d+\.\d+\.\d+$/.test(url.hostname);

export const PLAIN_HTTP_CREDENTIALS = 'sends its credentials over plain http: use https (plain http only to this machine)';

/** Config fields every chat target shares. The URL is the credential of most targets, so it must be https beyond this machine. */
export const channelFields = {
  url: httpUrl.check(z.refine((u) => !URL.canParse(u) || !isPlainHttpAway(new URL(u)), PLAIN_HTTP_CREDENTIALS)),
  locale: z.optional(LocaleSchema),
};

/** A URL field that must also pass `test` (a query key, a path shape); the message says what is missing, never the URL. */
export const chatUrl = (test: (url: URL) => boolean, message: string) => channelFields.url.check(z.refine((u) => test(new URL(u)), message));

/** `Retry-After` in seconds (or an HTTP date), as milliseconds. */
export const retryAfterMs = (header: string | undefined, fallbackMs: number): number => {
  if (!header) return fallbackMs;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : fallbackMs;
};

/** A reply body as JSON, or nothing when it is not JSON. */
export const jsonReply = (res: HttpResponse): Record<string, unknown> | undefined => jsonObject(res.body);

/** A target's own error code in its reply (a number or a short word); messages carry nothing else of the reply. */
export const replyCode = (value: unknown): string | undefined =>
  typeof value === 'number' ? String(value) : typeof value === 'string' && /^[\w.-]{1,64}$/.test(value) ? value : undefined;

/**
 * An HTTP error status from a chat target. A 429 waits as asked (else a second); 502/503/504 come from an edge
 * before the post was taken and are retried; any other 5xx may have posted, so it is `ambiguous` and never resent
 * — unless the target dedupes by request id (`idempotent`).
 */
export const statusFailure = (target: string, res: HttpResponse, opts: { code?: string; retryAfterMs?: number; idempotent?: boolean } = {}): CallError => {
  const code = opts.code ?? `HTTP${res.status}`;
  if (res.status === 429) {
    return new CallError({
      kind: 'throttled',
      code,
      status: 429,
      message: `${target}: rate limited (${code})`,
      retryAfterMs: opts.retryAfterMs ?? retryAfterMs(res.headers['retry-after'], 1000),
    });
  }
  const kind: FailureKind =
    [502, 503, 504].includes(res.status) || (res.status >= 500 && opts.idempotent)
      ? 'unavailable'
      : res.status >= 500
        ? 'ambiguous'
        : res.status === 401 || res.status === 403
          ? 'auth'
          : res.status === 404 || res.status === 410
            ? 'not_found'
            : 'invalid';
  return new CallError({ kind, code, status: res.status, message: `${target} answered ${res.status} ${code}` });
};

/** What one of a target's own error codes means. Codes not listed are `invalid`: not retried, dead-lettered. */
export type KnownCodes = Record<string, { kind: FailureKind; hint?: string; retryAfterMs?: number }>;

/**
 * A target that answers with its own error code, `0` for success (DingTalk, WeCom, Feishu). A throttling code
 * waits as long as a `Retry-After` header says, else its documented time.
 */
export const codeReply = (target: string, code: string, known: KnownCodes, res: HttpResponse): CallError | undefined => {
  if (code === '0') return undefined;
  const meaning = known[code];
  const wait = meaning?.retryAfterMs !== undefined ? { retryAfterMs: retryAfterMs(res.headers['retry-after'], meaning.retryAfterMs) } : {};
  return codeFailure(target, code, meaning?.kind ?? 'invalid', { ...meaning, ...wait, status: res.status });
};

export const codeFailure = (target: string, code: string, kind: FailureKind, opts: { hint?: string; retryAfterMs?: number; status?: number } = {}): CallError =>
  new CallError({
    kind,
    code,
    status: opts.status ?? 200,
    message: `${target} error ${code}${opts.hint ? `: ${opts.hint}` : ''}`,
    ...(opts.retryAfterMs !== undefined ? { retryAfterMs: opts.retryAfterMs } : {}),
  });
