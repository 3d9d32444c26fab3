import { deliverNotice } from '../shared/jobs/deliverNotice.js';
import { functionLogger } from '../shared/logger.js';
import { loadRuntime, once } from '../shared/runtime.js';
import { eachRecord, sqsFunction } from '../shared/sqsFunction.js';
import { withWorkers, type WorkerRuntime } from '../shared/workerRuntime.js';

const log = functionLogger('notify');

/** Notify queue → one chat post per job (one job per channel). */
export const createNotify = (runtime: () => Promise<WorkerRuntime>) => sqsFunction(log, runtime, eachRecord(log, deliverNotice));

export const handler = createNotify(once(async () => withWorkers(await loadRuntime())));
