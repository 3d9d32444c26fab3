import type * as z from 'zod/mini';
import type { HttpClient } from '../http/client.js';
import type { RetryPolicy } from '../http/retry.js';
import type { ImagePush } from '../messages/image.js';
import type { ScanState } from '../messages/jobs.js';
import type { FindingList, ScannedReport } from '../report/judge.js';
import type { BaselineRef, Report } from '../report/report.js';
import type { ReadBudget } from './pages.js';

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

/** Which image a baseline is: the most recently pushed other tag with a completed scan, or a named tag. */
export type BaselineChoice = { kind: 'previous' } | { kind: 'tag'; tag: string };

/** A baseline the scanner found: its tag and digest, and what the scanner needs to read its findings. */
export interface BaselineImage extends BaselineRef {
  handle: ScanHandle;
}

/** A repository as a scanner lists it: its namespace and name as the registry writes them (unchecked). */
export interface ListedRepository {
  namespace: string;
  repository: string;
}

/** A tag of a listed repository. */
export interface ListedTag {
  tag: string;
  /** `sha256:…`. */
  digest: string;
  /** When the tag was pushed, ms since the epoch (0 when the scanner does not say). */
  pushedAt: number;
}

/** An image's last completed scan by this scanner: every finding it listed, and when, where the scanner says. */
export interface LastScan extends FindingList {
  scannedAt?: string;
}

/** What a sweep needs of a scanner: its repositories, their tags, and an image's last scan. */
export interface ImageLister {
  repositories(budget?: ReadBudget): Promise<ListedRepository[]>;
  tags(repository: ListedRepository, budget?: ReadBudget): Promise<ListedTag[]>;
  /** Undefined when the image has no completed scan by this scanner. */
  lastScan(image: ImagePush, budget?: ReadBudget): Promise<LastScan | undefined>;
  /**
   * Scanners with a scan quota: which of `images` (their indexes, in order) its remaining quota lets a sweep re-scan,
   * and a line saying why the others were left, if any were.
   */
  fitQuota?(images: ImagePush[]): Promise<{ kept: number[]; line?: string }>;
}

export interface ScannerClient {
  /** Scanners that can list their images for a sweep (the types in LISTING_SCANNER_TYPES). */
  list?: ImageLister;
  start(image: ImagePush): Promise<ScanHandle>;
  /** Scanners that can start many images in one call implement this; the others get one `start` each. */
  startMany?(images: ImagePush[]): Promise<PromiseSettledResult<ScanHandle>[]>;
  check(image: ImagePush, handle: ScanHandle): Promise<ScanCheck>;
  /** The summary and the worst findings: what a route that compares, ignores and filters nothing needs. */
  report(image: ImagePush, handle: ScanHandle): Promise<Report>;
  /** The report with every finding the scanner lists for the image (every page, up to MAX_FINDINGS_READ). */
  fullReport(image: ImagePush, handle: ScanHandle): Promise<ScannedReport>;
  /**
   * The image to compare with: another tag of the same repository (never one of the push's own tags) whose scan by
   * this scanner completed. Undefined when there is none.
   */
  findBaseline(image: ImagePush, handle: ScanHandle, choice: BaselineChoice, budget: ReadBudget): Promise<BaselineImage | undefined>;
  /** Every finding of a baseline `findBaseline` gave, for `image`'s repository. */
  baselineFindings(image: ImagePush, baseline: BaselineImage, budget: ReadBudget): Promise<FindingList>;
}

/**
 * A scanner is one file exporting one of these, plus one entry in `index.ts`.
 * `configSchema` validates the scanner's entry in the config (its `type` a literal) and must import no HTTP code:
 * the webhook function validates the whole config but never talks to a scanner.
 */
export interface ScannerPlugin<Schema extends z.ZodMiniType = z.ZodMiniType> {
  type: string;
  /** How messages name the scanner, e.g. "Alibaba Cloud ACR". */
  label: string;
  configSchema: Schema;
  create(config: z.infer<Schema>, ctx: ScannerContext): ScannerClient;
}

export const defineScanner = <Schema extends z.ZodMiniType>(plugin: ScannerPlugin<Schema>): ScannerPlugin<Schema> => plugin;
