import { floorWorker, post } from './worker.js';

/** startScan's floor, and pollStatus's (the same work): one request, then the job's next status check queued. */
export const handler = floorWorker('floor-startScan', async (rt, body) => {
  await post(rt, body);
  await rt.sqs.sendMessage({ QueueUrl: process.env.POLL_QUEUE_URL ?? '', MessageBody: body, DelaySeconds: 5 });
});
