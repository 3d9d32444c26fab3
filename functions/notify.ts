import { deliverNotifyBatch } from '../shared/jobs/deliverBatch.js';
import { functionLogger } from '../shared/logger.js';
import { loadRuntime, once } from '../shared/runtime.js';
import { sqsFunction } from '../shared/sqsFunction.js';
import { withWorkers, type WorkerRuntime } from '../shared/workerRuntime.js';

const log = functionLogger('notify');

/** Notify queue → chat posts: one per job (one job per channel), or one summary where a channel's rate limit needs it. */
export const createNotify = (runtime: () => Promise<WorkerRuntime>) =>
  sqsFunction(log, runtime, (rt, records, context) =>
    deliverNotifyBatch(rt, log, records, () => context?.getRemainingTimeInMillis?.() ?? Number.POSITIVE_INFINITY),
  );

export const handler = createNotify(once(async () => withWorkers(await loadRuntime())));
