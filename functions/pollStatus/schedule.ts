import type { Polling } from '../../shared/config/config.js';
import { MAX_DELAY_SECONDS } from '../../shared/queue/sqsLimits.js';

/** While a scan is younger than this, checks come at most `YOUNG_INTERVAL` apart, so a quick scan's message is quick (≤ 10 s late, with room for the queue hops). */
export const YOUNG_SCAN_SECONDS = 60;
export const YOUNG_INTERVAL_SECONDS = 8;

/**
 * Seconds until the next status check of a scan `ageSeconds` old.
 * Young scans are checked every 8 s (or `maxDelaySeconds` if lower), older ones every `maxDelaySeconds`.
 * Where the scanner reports progress, the check aims at the estimated finish when that comes sooner.
 * Never past the deadline (so a time-out is reported on time) nor SQS's 900 s.
 */
export const nextCheckDelaySeconds = (polling: Polling, ageSeconds: number, secondsToDeadline: number, progress?: number): number => {
  const cap = Math.min(polling.maxDelaySeconds, MAX_DELAY_SECONDS);
  let delay = ageSeconds < YOUNG_SCAN_SECONDS ? Math.min(cap, YOUNG_INTERVAL_SECONDS) : cap;
  if (progress !== undefined && progress > 0 && progress < 100) {
    const estimatedRemaining = (ageSeconds * (100 - progress)) / progress;
    delay = Math.min(delay, Math.max(1, estimatedRemaining));
  }
  return Math.max(0, Math.min(Math.ceil(delay), Math.floor(secondsToDeadline) + 1));
};
