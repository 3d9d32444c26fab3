import { type Config, loadConfig } from '../config/config.js';
import { awsSsmReader } from '../config/ssm.js';
import { createJobQueue, type JobQueue } from '../queue/jobQueue.js';
import queueSettings from '../queue/queues.json' with { type: 'json' };
import { type QueueName, queueUrlsFromEnv } from '../queue/queueUrls.js';
import { createSqsClient } from '../queue/sqsClient.js';

/** What every function has: the validated config and the queues. Built once per cold start. */
export interface Runtime {
  config: Config;
  queue: JobQueue;
  env: NodeJS.ProcessEnv;
  now: () => Date;
  maxReceiveCount: Record<QueueName, number>;
}

export const defaultMaxReceiveCount: Record<QueueName, number> = {
  intake: queueSettings.intake.maxReceiveCount,
  scan: queueSettings.scan.maxReceiveCount,
  poll: queueSettings.poll.maxReceiveCount,
  notify: queueSettings.notify.maxReceiveCount,
};

export const loadRuntime = async (env: NodeJS.ProcessEnv = process.env): Promise<Runtime> => ({
  config: await loadConfig(env, awsSsmReader),
  queue: createJobQueue(createSqsClient({}, env), queueUrlsFromEnv(env)),
  env,
  now: () => new Date(),
  maxReceiveCount: defaultMaxReceiveCount,
});
