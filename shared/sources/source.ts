import type * as z from 'zod';
import type { ImagePush } from '../messages.js';

export interface WebhookRequest {
  headers: Record<string, string>;
  query: Record<string, string>;
  /** Parsed JSON body. */
  payload: unknown;
}

/** What a webhook said: the images pushed, and anything it carried that is not a push. */
export interface ParsedWebhook {
  pushes: ImagePush[];
  ignored: { event: string; reason: string }[];
}

/**
 * A registry webhook format is one file exporting one of these, plus one entry in `registry.ts`.
 * `parse` throws a ZodError when the payload has the wrong shape; the webhook answers 400 naming the field.
 */
export interface SourcePlugin<Schema extends z.ZodType = z.ZodType> {
  type: string;
  configSchema: Schema;
  /** Content types accepted besides `application/json`. */
  contentTypes?: string[];
  /** The secret the sender presented, wherever this format carries it. */
  presentedSecret(req: Pick<WebhookRequest, 'headers' | 'query'>, config: z.infer<Schema>): string | undefined;
  parse(req: WebhookRequest, sourceKey: string): ParsedWebhook;
}

export const defineSource = <Schema extends z.ZodType>(plugin: SourcePlugin<Schema>): SourcePlugin<Schema> => plugin;
