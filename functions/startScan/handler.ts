import '../../shared/runtime/zodJitless.js';
import type { SQSRecord } from 'aws-lambda';
import { functionLogger } from '../../shared/logging/logger.js';
import { sqsFunction } from '../../shared/queue/sqsFunction.js';
import { once } from '../../shared/runtime/once.js';
import { loadRuntime } from '../../shared/runtime/runtime.js';
import { withHttp } from '../../shared/runtime/withHttp.js';
import { type ScannerRuntime, withScanners } from '../../shared/runtime/withScanners.js';
import { forwardIntake } from './forwardIntake.js';
import { startScans } from './startScans.js';

const log = functionLogger('startScan');

/** The intake queue is the FIFO one; the scan queue is standard. */
const fromIntake = (record: SQSRecord) => record.eventSourceARN.endsWith('.fifo');

/**
 * Two queues trigger startScan. Intake records (deduplicated pushes and registry results): pushes to a scanner that
 * starts many images in one call go on to the scan queue, whose window gathers them; other pushes start at once;
 * results go on to notify; sweeps (the watch schedule's) list the watched images and queue their re-scans.
 * Scan-queue records start their scans. A started scan's first status check is queued on the poll queue with a delay.
 */
export const createStartScan = (runtime: () => Promise<ScannerRuntime>) =>
  sqsFunction(log, runtime, async (rt, records) => {
    const [forwarded, started] = await Promise.all([
      forwardIntake(rt, log, records.filter(fromIntake)),
      startScans(
        rt,
        log,
        records.filter((r) => !fromIntake(r)),
      ),
    ]);
    return records.map((record) => (fromIntake(record) ? forwarded : started).shift()!);
  });

export const handler = createStartScan(once(async () => withScanners(withHttp(await loadRuntime()), log)));
