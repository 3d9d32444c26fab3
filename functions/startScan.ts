import { startScans } from '../shared/jobs/startScans.js';
import { functionLogger } from '../shared/logger.js';
import { loadRuntime, once } from '../shared/runtime.js';
import { sqsFunction } from '../shared/sqsFunction.js';
import { withWorkers, type WorkerRuntime } from '../shared/workerRuntime.js';

const log = functionLogger('startScan');

/** Scan queue → start each scan → first status check queued on the poll queue with a delay. */
export const createStartScan = (runtime: () => Promise<WorkerRuntime>) =>
  sqsFunction(log, runtime, (rt, records) => startScans(rt, log, records));

export const handler = createStartScan(once(async () => withWorkers(await loadRuntime())));
