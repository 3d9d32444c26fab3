import { GetQueueUrlCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { SweepJob } from '../shared/messages/sweepJob.js';
import { messageBody } from '../shared/queue/messageBody.js';
import { sha256Hex } from '../shared/vendors/encoding.js';
import { localRun } from './dlq.js';

/**
 * `npm run sweep`: one sweep now, on the `npm start` running on this machine (same PORT): put on its intake queue as
 * the schedule puts one, deduplicated the same way (local/stack.ts and serverless.yml).
 */
const port = Number(process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 1 || port > 65534) {
  process.stderr.write(`PORT must be the port npm start uses, not "${process.env.PORT}"\n`);
  process.exit(1);
}
const run = localRun(port);
const job = SweepJob.parse({ kind: 'sweep', v: 1, scheduledAt: new Date().toISOString() });
try {
  const { QueueUrl } = await run.sqs.send(new GetQueueUrlCommand({ QueueName: run.queueName('intake', false) }));
  await run.sqs.send(
    new SendMessageCommand({
      QueueUrl,
      MessageBody: messageBody(job),
      MessageGroupId: 'sweep-list',
      MessageDeduplicationId: sha256Hex(`sweep|${job.scheduledAt}|list`),
    }),
  );
  process.stdout.write(`sweep queued (${job.scheduledAt}): watch the npm start terminal\n`);
} catch (err) {
  const refused = (err as { code?: string; cause?: { code?: string } }).code === 'ECONNREFUSED' || String(err).includes('ECONNREFUSED');
  process.stderr.write(
    refused ? `no npm start answers on PORT ${port} (its queues on ${port + 1}): start it first, or set PORT as it has it\n` : `sweep not queued: ${err}\n`,
  );
  process.exit(1);
}
process.exit(0);
