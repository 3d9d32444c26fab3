import '../../shared/runtime/zodJitless.js';
import type { SQSRecord } from 'aws-lambda';
import { functionLogger } from '../../shared/logging/logger.js';
import { sqsFunction } from '../../shared/queue/sqsFunction.js';
import { once } from '../../shared/runtime/once.js';
import { loadRuntime } from '../../shared/runtime/runtime.js';
import { withHttp } from '../../shared/runtime/withHttp.js';
import { type ScannerRuntime, withScanners } from '../../shared/runtime/withScanners.js';
import { checkScan } from './checkScan.js';

const log = functionLogger('pollStatus');

/** Poll queue (its delayed messages are the timer) → one status check per job. */
export const createPollStatus = (runtime: () => Promise<ScannerRuntime>) =>
  sqsFunction(log, runtime, (rt, records: SQSRecord[], context) => {
    const timeLeftMs = () => context?.getRemainingTimeInMillis?.() ?? Number.POSITIVE_INFINITY;
    return Promise.allSettled(records.map((record) => checkScan(rt, log, record, timeLeftMs)));
  });

export const handler = createPollStatus(once(async () => withScanners(withHttp(await loadRuntime()), log)));
