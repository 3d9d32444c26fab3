import * as z from 'zod/mini';
import { createHttpClient } from '../../shared/http/client.js';
import { functionLogger } from '../../shared/logging/logger.js';
import { recordMetric } from '../../shared/logging/metrics.js';
import { sqsFunction } from '../../shared/queue/sqsFunction.js';
import { floorRuntime } from './runtime.js';

type Runtime = Awaited<ReturnType<typeof floorRuntime>>;
const http = createHttpClient({ timeoutMs: 10_000 });

/** The one request a worker's floor makes (a vendor's, a chat's) goes to the config's first channel. */
export const post = async (rt: Runtime, body: string) => {
  const [url] = Object.values(rt.config.channels).map((c) => c.url);
  const res = await http.send({ method: 'POST', url: url!, headers: { 'content-type': 'application/json' }, body }, 'floor');
  if (res.status >= 300) throw new Error(`answered ${res.status}`);
};

const Job = z.looseObject({ jobId: z.string() });

/** A queue function's floor: Powertools Logger and Metrics under middy, each job parsed, worked, counted and logged. */
export const floorWorker = (name: string, work: (rt: Runtime, body: string) => Promise<void>) => {
  const log = functionLogger(name);
  return sqsFunction(log, floorRuntime, (rt, records) =>
    Promise.allSettled(
      records.map(async (record) => {
        const job = Job.parse(JSON.parse(record.body));
        await work(rt, record.body);
        recordMetric('FloorJobs');
        log.info('done', { jobId: job.jobId });
      }),
    ),
  );
};
