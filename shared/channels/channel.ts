import type * as z from 'zod';
import type { CallError } from '../errors.js';
import type { HttpResponse } from '../http.js';
import type { NotifyJob } from '../messages.js';
import type { Notice } from '../notice.js';

export interface ChatRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface RenderInput {
  job: NotifyJob;
  notice: Notice;
  now: Date;
}

/**
 * A chat target is one file exporting one of these, plus one entry in `registry.ts`.
 * `render` is pure (previews and golden files use it); `check` reads the target's reply: it returns nothing
 * on success and a CallError otherwise (`throttled` ones are retried after `retryAfterMs`).
 */
export interface ChannelPlugin<Schema extends z.ZodType = z.ZodType> {
  type: string;
  configSchema: Schema;
  render(config: z.infer<Schema>, input: RenderInput): ChatRequest;
  check(res: HttpResponse): CallError | undefined;
}

export const defineChannel = <Schema extends z.ZodType>(plugin: ChannelPlugin<Schema>): ChannelPlugin<Schema> => plugin;

/** `Retry-After` in seconds (or an HTTP date), as milliseconds. */
export const retryAfterMs = (header: string | undefined, fallbackMs: number): number => {
  if (!header) return fallbackMs;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : fallbackMs;
};
