import { checkScan } from '../shared/jobs/checkScan.js';
import { functionLogger } from '../shared/logger.js';
import { loadRuntime, once } from '../shared/runtime.js';
import { eachRecord, sqsFunction } from '../shared/sqsFunction.js';
import { withWorkers, type WorkerRuntime } from '../shared/workerRuntime.js';

const log = functionLogger('pollStatus');

/** Poll queue (its delayed messages are the timer) → one status check per job. */
export const createPollStatus = (runtime: () => Promise<WorkerRuntime>) => sqsFunction(log, runtime, eachRecord(log, checkScan));

export const handler = createPollStatus(once(async () => withWorkers(await loadRuntime())));
