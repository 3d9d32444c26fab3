import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import middy from '@middy/core';
import { z } from 'zod';

/** What an anchor needs from the config it reads from SSM: enough to build the vendor client. */
const AnchorConfig = z.looseObject({ scanners: z.record(z.string(), z.looseObject({ region: z.string(), endpoint: z.string().optional() })) });
export type AnchorScanner = z.infer<typeof AnchorConfig>['scanners'][string];

/**
 * The work every scanhook function does on a cold start, done the way the official SDKs do it: the same middleware,
 * logger and schema library, the config read from SSM and one message sent, through `@aws-sdk/client-ssm` and
 * `@aws-sdk/client-sqs` (left to the Lambda runtime), with the vendor's own SDK client built from the config.
 */
export const createAnchor = (name: string, vendorClient: (scanner: AnchorScanner, env: NodeJS.ProcessEnv) => unknown) => {
  const log = new Logger({ serviceName: `anchor-${name}` });
  let ready: Promise<{ sqs: SQSClient; vendor: unknown }> | undefined;
  const init = async () => {
    const ssm = new SSMClient({});
    const res = await ssm.send(new GetParameterCommand({ Name: (process.env.SCANHOOK_CONFIG ?? '').replace(/^ssm:/, ''), WithDecryption: true }));
    const config = AnchorConfig.parse(JSON.parse(res.Parameter?.Value ?? '{}'));
    const scanner = Object.values(config.scanners)[0]!;
    return { sqs: new SQSClient({}), vendor: vendorClient(scanner, process.env) };
  };
  return middy(async (event: unknown) => {
    ready ??= init();
    const { sqs, vendor } = await ready;
    await sqs.send(new SendMessageCommand({ QueueUrl: process.env.SCAN_QUEUE_URL, MessageBody: JSON.stringify({ event, vendor: typeof vendor }) }));
    log.info('anchor answered');
    return { statusCode: 202, body: '{}' };
  }).use(injectLambdaContext(log));
};
