import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import middy from '@middy/core';
import sqsPartialBatchFailure from '@middy/sqs-partial-batch-failure';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';

/** What the anchors read from the config: the scanner entries, the channels' URLs, the sources' secrets. */
const AnchorConfig = z.looseObject({
  sources: z.record(z.string(), z.looseObject({ secret: z.string() })),
  scanners: z.record(
    z.string(),
    z.looseObject({
      type: z.string(),
      region: z.string(),
      instanceId: z.string(),
      endpoint: z.string().optional(),
      projectId: z.string().optional(),
      credentials: z.looseObject({ ak: z.string(), sk: z.string() }).optional(),
    }),
  ),
  channels: z.record(z.string(), z.looseObject({ url: z.string() })),
});
export type AnchorConfig = z.infer<typeof AnchorConfig>;
export type AnchorScanner = AnchorConfig['scanners'][string];

/** The image of a job, as the anchors read it from a message body. */
export interface AnchorJob {
  jobId: string;
  channel?: string;
  image: { namespace: string; repository: string; tag: string; digest: string };
}

export interface AnchorRuntime {
  config: AnchorConfig;
  sqs: SQSClient;
  log: Logger;
  env: NodeJS.ProcessEnv;
}

/**
 * What every scanhook function does on a cold start, done the way the official SDKs do it: the config read from SSM
 * through `@aws-sdk/client-ssm` and validated with zod, and an SQS client of `@aws-sdk/client-sqs` (both left to the
 * Lambda runtime), made on the first invocation.
 */
const runtimeOnce = (log: Logger): (() => Promise<AnchorRuntime>) => {
  let ready: Promise<AnchorRuntime> | undefined;
  const init = async () => {
    const ssm = new SSMClient({});
    const res = await ssm.send(new GetParameterCommand({ Name: (process.env.SCANHOOK_CONFIG ?? '').replace(/^ssm:/, ''), WithDecryption: true }));
    const config = AnchorConfig.parse(JSON.parse(res.Parameter?.Value ?? '{}'));
    return { config, sqs: new SQSClient({}), log, env: process.env };
  };
  return () => (ready ??= init());
};

/** The scanner entry of a vendor's type (`acr`, `swr`) the anchor of that vendor calls. */
export const scannerOfType = (config: AnchorConfig, type: string): AnchorScanner => {
  const scanner = Object.values(config.scanners).find((s) => s.type === type);
  if (!scanner) throw new Error(`the config has no ${type} scanner`);
  return scanner;
};

/** An HTTP API function, with the same middleware and logger as onPush. */
export const httpAnchor = <E, R>(name: string, work: (rt: AnchorRuntime, event: E) => Promise<R>) => {
  const log = new Logger({ serviceName: `anchor-${name}` });
  const runtime = runtimeOnce(log);
  return middy(async (event: E) => work(await runtime(), event)).use(injectLambdaContext(log));
};

/** An SQS function, with the same middleware and logger as the queue functions: `work` settles each record. */
export const sqsAnchor = (name: string, work: (rt: AnchorRuntime, record: SQSRecord, job: AnchorJob) => Promise<void>) => {
  const log = new Logger({ serviceName: `anchor-${name}` });
  const runtime = runtimeOnce(log);
  return middy(async (event: SQSEvent) => {
    const rt = await runtime();
    return Promise.allSettled(event.Records.map((record) => work(rt, record, JSON.parse(record.body) as AnchorJob)));
  })
    .use(injectLambdaContext(log))
    .use(sqsPartialBatchFailure());
};

/** The job's next status check, on the poll queue with a delay, as startScan and pollStatus queue it. */
export const sendPoll = (rt: AnchorRuntime, body: string) =>
  rt.sqs.send(new SendMessageCommand({ QueueUrl: rt.env.POLL_QUEUE_URL, MessageBody: body, DelaySeconds: 5 }));

/** Jobs onto the intake queue (FIFO), as onPush queues them. */
export const sendIntake = (rt: AnchorRuntime, entries: SendMessageBatchRequestEntry[]) =>
  rt.sqs.send(new SendMessageBatchCommand({ QueueUrl: rt.env.INTAKE_QUEUE_URL, Entries: entries }));
