import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../local/stack.js';
import { createJobQueue } from '../../shared/queue/jobQueue.js';
import { jobOf } from '../support/events.js';
import { acrPush, eventually, postWebhook, startTestStack, webhookPosts } from '../support/stack.js';
import { freePortPair, PROJECT } from './npmStart.js';

/**
 * `npm run dlq` from a second terminal, against a running local stack: its SQS server on PORT + 1, as `npm start`
 * listens. The CLI runs as a child process, as a person would run it.
 */
const TSX = fileURLToPath(new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url));
const run = promisify(execFile);

let stack: Stack;
let port: number;
beforeAll(async () => {
  port = await freePortPair();
  // The webhook port is free to be anything here: the CLI looks for the queues on PORT + 1 only.
  stack = await startTestStack({ sqsPort: port + 1 });
});
afterAll(async () => {
  await stack?.stop();
});

const dlq = async (...args: string[]) => {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port) };
  try {
    const { stdout, stderr } = await run(process.execPath, [TSX, 'local/dlq.ts', ...args], { cwd: PROJECT, env, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
};

describe('npm run dlq against npm start on this machine', () => {
  it('lists a denied scan (queue, jobId, image, reason), redrives it, and the DLQ is empty after', async () => {
    expect(new URL(stack.queues.address).port).toBe(String(port + 1));
    const push = acrPush('denied-api', '2.0.0');
    const res = await postWebhook(stack, push);
    expect(res.status).toBe(202);
    const jobId: string = res.body.jobs[0].jobId;

    await eventually(async () => (await dlq('list')).stdout.includes(jobId), 20_000, 'the dead letter');
    const listed = await dlq('list');
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^scan +${jobId} +team-a/denied-api:2\\.0\\.0 +— NoPrivilege: .*Access denied`));
    expect(listed.stdout).not.toContain('may have been delivered');
    process.stdout.write(`npm run dlq -- list:\n${listed.stdout}`);

    // Listing leaves it where it is.
    expect((await dlq('list', 'scan')).stdout).toContain(jobId);
    expect((await dlq('list', 'notify')).stdout).toBe('no dead letters\n');

    // The permission fixed, the redriven job scans and reports.
    stack.acr.setBehaviour('team-a/denied-api', { deny: false });
    const redriven = await dlq('redrive', 'scan');
    expect(redriven).toMatchObject({ code: 0, stdout: 'moved back 1\n' });
    expect((await dlq('list')).stdout).toBe('no dead letters\n');
    await eventually(() => webhookPosts(stack).find((p) => p.jobId === jobId && p.event === 'scan.completed'), 20_000, 'the scan of the redriven job');
  });

  it('keeps a notify dead letter that may have been delivered unless --include-maybe-delivered', async () => {
    const job = { ...(jobOf('sqs/notify-findings.json') as Record<string, unknown>), jobId: 'a6b1f3c2-0d4e-4f5a-8b6c-7d8e9f0a1b2c', channel: 'audit' };
    const queue = createJobQueue(stack.queues.queueClient, stack.queues.urls);
    await queue.sendToDeadLetter('notify', JSON.stringify(job), 'may have been delivered: http5xx: HTTP 502', { mayHaveBeenDelivered: true });

    const listed = await dlq('list', 'notify');
    expect(listed.stdout).toMatch(/^notify +a6b1f3c2-0d4e-4f5a-8b6c-7d8e9f0a1b2c +\S+ +— .*\[may have been delivered\]\n$/);

    const kept = await dlq('redrive');
    expect(kept).toMatchObject({ code: 0, stdout: 'moved back 0; kept 1 that may have been delivered (--include-maybe-delivered moves them too)\n' });
    expect((await dlq('list', 'notify')).stdout).toContain('a6b1f3c2-0d4e-4f5a-8b6c-7d8e9f0a1b2c');
    expect(webhookPosts(stack).filter((p) => p.jobId === job.jobId)).toEqual([]);

    const moved = await dlq('redrive', 'notify', '--include-maybe-delivered');
    expect(moved).toMatchObject({ code: 0, stdout: 'moved back 1\n' });
    expect((await dlq('list')).stdout).toBe('no dead letters\n');
    await eventually(() => webhookPosts(stack).find((p) => p.jobId === job.jobId), 15_000, 'the redriven message');
  });

  it('says so when no npm start listens on PORT + 1, and refuses an unknown queue', async () => {
    const other = await freePortPair();
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(other) };
    const down = await run(process.execPath, [TSX, 'local/dlq.ts', 'list'], { cwd: PROJECT, env }).catch((e) => e as { code: number; stderr: string });
    expect(down).toMatchObject({ code: 1, stderr: 'dlq failed: cannot reach the queues (is `npm start` running?)\n' });
    const bad = await dlq('list', 'scans');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('usage: npm run dlq -- list [queue]');
  });
});
