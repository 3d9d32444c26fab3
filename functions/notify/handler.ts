import { validateChannelEntries } from '../../shared/channels/index.js';
import { functionLogger } from '../../shared/logging/logger.js';
import { sqsFunction } from '../../shared/queue/sqsFunction.js';
import { loadRuntime, once } from '../../shared/runtime/runtime.js';
import { type HttpRuntime, withHttp } from '../../shared/runtime/withHttp.js';
import { deliverNotifyBatch } from './deliverBatch.js';

const log = functionLogger('notify');

/** Notify queue → chat posts: one per job (one job per channel), or one summary where a channel's rate limit needs it. */
export const createNotify = (runtime: () => Promise<HttpRuntime>) =>
  sqsFunction(log, runtime, (rt, records, context) =>
    deliverNotifyBatch(rt, log, records, () => context?.getRemainingTimeInMillis?.() ?? Number.POSITIVE_INFINITY),
  );

export const handler = createNotify(
  once(async () => {
    const base = await loadRuntime();
    return withHttp({ ...base, config: validateChannelEntries(base.config) });
  }),
);
