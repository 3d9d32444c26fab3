import type * as z from 'zod/mini';
import type { ImagePush } from '../messages/image.js';
import type { Outcome } from '../messages/jobs.js';

export interface WebhookRequest {
  headers: Record<string, string>;
  query: Record<string, string>;
  /** Parsed JSON body. */
  payload: unknown;
}

/** A scan the registry ran itself and reported in its webhook: it goes straight to a message. */
export interface RegistryScanResult {
  image: ImagePush;
  /** The webhook event that carried it, e.g. `SCANNING_COMPLETED`. */
  event: string;
  outcome: Extract<Outcome, { status: 'complete' | 'failed' }>;
  scanStartedAt?: string;
  finishedAt?: string;
}

/** The registry's word that it finished scanning an image, without the result: a scanner reads it. */
export interface ScanEnded {
  image: ImagePush;
  /** The webhook event that carried it, e.g. `cr:Artifact:ScanCompleted`. */
  event: string;
  /** The registry instance that scanned it, where the event names one. */
  instanceId?: string;
  /** What the reading scanner needs to find the scan (its poll job's handle). */
  handle: Record<string, string>;
}

/** What a webhook said: the images pushed, the registry's own scan results, scans it finished, and anything else it carried. */
export interface ParsedWebhook {
  pushes: ImagePush[];
  results?: RegistryScanResult[];
  scansEnded?: ScanEnded[];
  ignored: { event: string; reason: string }[];
}

/**
 * A registry webhook format is one file exporting one of these, plus one entry in `index.ts`.
 * `parse` throws a ZodError when the payload has the wrong shape; the webhook answers 400 naming the field.
 */
export interface SourcePlugin<Schema extends z.ZodMiniType = z.ZodMiniType> {
  type: string;
  /** How messages name the registry when it scanned an image itself, e.g. "Harbor". */
  label: string;
  configSchema: Schema;
  /** Content types accepted besides `application/json`. */
  contentTypes?: string[];
  /** The format can carry the registry's own scan results, so its routes may use the scanner `"registry"`. */
  scanResults?: boolean;
  /**
   * The format says when the registry finished a scan (`scansEnded`), and a scanner of one of these types reads the
   * result: for routes that scan with such a scanner, and for `"registry"` routes through the scanner the source's
   * `scanner` field names.
   */
  scanEvents?: { scannerTypes: string[] };
  /** The secret the sender presented, wherever this format carries it. */
  presentedSecret(req: Pick<WebhookRequest, 'headers' | 'query'>, config: z.infer<Schema>): string | undefined;
  parse(req: WebhookRequest, sourceKey: string, config: z.infer<Schema>): ParsedWebhook;
}

export const defineSource = <Schema extends z.ZodMiniType>(plugin: SourcePlugin<Schema>): SourcePlugin<Schema> => plugin;
