import type * as z from 'zod';
import type { HttpClient } from '../http/client.js';
import type { RetryPolicy } from '../http/retry.js';
import type { ImagePush } from '../messages/image.js';
import type { ScanState } from '../messages/jobs.js';
import type { Report } from '../report/report.js';

/** Scanner-specific identifiers carried from start to status checks inside the poll job. */
export type ScanHandle = ScanState['handle'];

export type ScanCheck =
  | { state: 'running' /** 0–100 where the scanner reports it */; progress?: number }
  | { state: 'complete' }
  | { state: 'failed'; reason: string };

export interface ScannerContext {
  http: HttpClient;
  retry: RetryPolicy;
  env: NodeJS.ProcessEnv;
  /** Called before each retry of a vendor call, so that every retry is logged. */
  onRetry: (call: string, code: string, attempt: number, delayMs: number) => void;
}

export interface ScannerClient {
  start(image: ImagePush): Promise<ScanHandle>;
  /** Scanners that can start many images in one call implement this; the others get one `start` each. */
  startMany?(images: ImagePush[]): Promise<PromiseSettledResult<ScanHandle>[]>;
  check(image: ImagePush, handle: ScanHandle): Promise<ScanCheck>;
  report(image: ImagePush, handle: ScanHandle): Promise<Report>;
}

/**
 * A scanner is one file exporting one of these, plus one entry in `index.ts`.
 * `configSchema` validates the scanner's entry in the config (its `type` a literal) and must import no HTTP code:
 * the webhook function validates the whole config but never talks to a scanner.
 */
export interface ScannerPlugin<Schema extends z.ZodType = z.ZodType> {
  type: string;
  /** How messages name the scanner, e.g. "Alibaba Cloud ACR". */
  label: string;
  configSchema: Schema;
  create(config: z.infer<Schema>, ctx: ScannerContext): ScannerClient;
}

export const defineScanner = <Schema extends z.ZodType>(plugin: ScannerPlugin<Schema>): ScannerPlugin<Schema> => plugin;
