import '../../shared/runtime/zodJitless.js';
import * as z from 'zod/mini';
import { awsSsmReader } from '../../shared/config/ssm.js';
import { createSqsClient } from '../../shared/queue/sqsClient.js';
import { once } from '../../shared/runtime/once.js';

/**
 * The floor of a cold start on scanhook's stack (bench/floor/): what a function's first invocation cannot do
 * without, and nothing of scanhook's own. Here, what every function does: the config read from SSM through aws-lite
 * and checked by a zod schema, and an SQS client of the same library.
 */
const FloorConfig = z.looseObject({ channels: z.record(z.string(), z.looseObject({ url: z.string() })) });

export const floorRuntime = once(async () => {
  const config = FloorConfig.parse(JSON.parse(await awsSsmReader((process.env.SCANHOOK_CONFIG ?? '').replace(/^ssm:/, ''))));
  return { config, sqs: createSqsClient() };
});
