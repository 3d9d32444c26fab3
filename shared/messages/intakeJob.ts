import * as z from 'zod/mini';
import { NotifyJob, ScanJob } from './jobs.js';
import { SweepJob } from './sweepJob.js';

/**
 * What the intake queue carries: pushes to scan, scan results a registry reported itself, and sweeps. Only startScan
 * reads it: the webhook function, which sends the first two, never loads the sweep's schema.
 */
export const IntakeJob = z.discriminatedUnion('kind', [ScanJob, NotifyJob, SweepJob]);
