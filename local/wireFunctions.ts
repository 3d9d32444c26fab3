import { createNotify } from '../functions/notify/handler.js';
import { withChannels } from '../functions/notify/withChannels.js';
import { createOnPush } from '../functions/onPush/handler.js';
import { createPollStatus } from '../functions/pollStatus/handler.js';
import { createStartScan } from '../functions/startScan/handler.js';
import { loadConfig } from '../shared/config/config.js';
import { awsSsmReader } from '../shared/config/ssm.js';
import { functionLogger } from '../shared/logging/logger.js';
import type { JobQueue } from '../shared/queue/jobQueue.js';
import type { QueueName } from '../shared/queue/queueUrls.js';
import { defaultMaxReceiveCount, type Runtime } from '../shared/runtime/runtime.js';
import { withHttp } from '../shared/runtime/withHttp.js';
import { withScanners } from '../shared/runtime/withScanners.js';
import type { SqsHandler } from './eventSource.js';
import type { startHttpFront } from './httpFront.js';

/** The functions' runtime as shared/runtime/runtime.ts loads it on Lambda, with the queues of a local SQS server. */
export const localRuntime = async (env: NodeJS.ProcessEnv, queue: JobQueue): Promise<Runtime> => ({
  config: await loadConfig(env, awsSsmReader),
  queue,
  env,
  now: () => new Date(),
  maxReceiveCount: defaultMaxReceiveCount,
});

/** The function each queue triggers. */
export const functionOf: Record<QueueName, 'startScan' | 'pollStatus' | 'notify'> = {
  intake: 'startScan',
  scan: 'startScan',
  poll: 'pollStatus',
  notify: 'notify',
};

/**
 * The four handlers on one runtime, as their handler.ts files wire them on Lambda: onPush for the webhook front, and
 * the handler each queue triggers. The scanner and channel entries are checked here (a broken one is logged).
 */
export const wireFunctions = (runtime: Runtime) => {
  const clients = withHttp(runtime);
  const scanning = withScanners(clients, functionLogger('startScan'));
  const polling = withScanners(clients, functionLogger('pollStatus'));
  const notifying = withChannels(clients, functionLogger('notify'));
  const startScan = createStartScan(async () => scanning) as unknown as SqsHandler;
  const handlers: Record<QueueName, SqsHandler> = {
    intake: startScan,
    scan: startScan,
    poll: createPollStatus(async () => polling) as unknown as SqsHandler,
    notify: createNotify(async () => notifying) as unknown as SqsHandler,
  };
  return { clients, scanning, notifying, onPush: createOnPush(async () => runtime) as unknown as Parameters<typeof startHttpFront>[0], handlers };
};
