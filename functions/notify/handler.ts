import '../../shared/runtime/zodJitless.js';
import { functionLogger } from '../../shared/logging/logger.js';
import { sqsFunction } from '../../shared/queue/sqsFunction.js';
import { once } from '../../shared/runtime/once.js';
import { loadRuntime } from '../../shared/runtime/runtime.js';
import { withHttp } from '../../shared/runtime/withHttp.js';
import { deliverNotifyBatch } from './deliverBatch.js';
import { type NotifyRuntime, withChannels } from './withChannels.js';

const log = functionLogger('notify');

/** Notify queue → chat posts: one per job (one job per channel), or one summary where a channel's rate limit needs it. */
export const createNotify = (runtime: () => Promise<NotifyRuntime>) =>
  sqsFunction(log, runtime, (rt, records, context) =>
    deliverNotifyBatch(rt, log, records, () => context?.getRemainingTimeInMillis?.() ?? Number.POSITIVE_INFINITY),
  );

export const handler = createNotify(once(async () => withChannels(withHttp(await loadRuntime()), log)));
