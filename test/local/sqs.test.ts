import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalQueues, startLocalQueues } from '../../local/sqs.js';

const dirs: string[] = [];
const running: LocalQueues[] = [];
const stateDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'scanhook-sqs-'));
  dirs.push(dir);
  return dir;
};
const start = async (opts: Parameters<typeof startLocalQueues>[0]) => {
  const queues = await startLocalQueues(opts);
  running.push(queues);
  return queues;
};
const stop = async (queues: LocalQueues) => {
  running.splice(running.indexOf(queues), 1);
  await queues.stop();
};
afterEach(async () => {
  await Promise.all(running.splice(0).map((q) => q.stop()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const receive = async (queues: LocalQueues, url: string, visibility = 30) =>
  (await queues.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: visibility }))).Messages ??
  [];
/** Sent as the functions send (inside an invocation, marked as its own). */
const send = (queues: LocalQueues, url: string, body: string, delay = 0) =>
  queues.queueClient.sendMessage({ QueueUrl: url, MessageBody: body, ...(delay ? { DelaySeconds: delay } : {}) });

describe('local queues kept in a state folder', () => {
  it('keep their messages across a restart: waiting, delayed, and in flight until their visibility timeout', async () => {
    const dir = stateDir();
    const first = await start({ stateDir: dir });
    await send(first, first.urls.poll, 'waiting');
    await send(first, first.urls.poll, 'delayed', 60);
    await send(first, first.urls.scan, 'in flight');
    expect(await receive(first, first.urls.scan, 2)).toHaveLength(1);
    await stop(first);

    const second = await start({ stateDir: dir });
    expect(second.restored).toEqual({ messages: 1, inFlight: 1, delayed: 1, deadLetters: 0 });
    expect((await receive(second, second.urls.poll)).map((m) => m.Body)).toEqual(['waiting']);
    expect(await receive(second, second.urls.scan)).toEqual([]);
    await new Promise((r) => setTimeout(r, 2100));
    expect((await receive(second, second.urls.scan)).map((m) => m.Body)).toEqual(['in flight']);
  });

  it('create their queues idempotently against a restored state, with this run settings', async () => {
    const dir = stateDir();
    await stop(await start({ stateDir: dir, visibilityTimeoutSeconds: { poll: 7 } }));
    const again = await start({ stateDir: dir, visibilityTimeoutSeconds: { poll: 9 } });
    const { Attributes } = await again.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: again.urls.poll, AttributeNames: ['VisibilityTimeout', 'RedrivePolicy'] }),
    );
    expect(Attributes?.VisibilityTimeout).toBe('9');
    expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toMatchObject({ maxReceiveCount: '5' });
  });

  it('start empty when fresh', async () => {
    const dir = stateDir();
    const first = await start({ stateDir: dir });
    await send(first, first.urls.poll, 'old');
    await stop(first);
    const fresh = await start({ stateDir: dir, fresh: true });
    expect(fresh.restored).toEqual({ messages: 0, inFlight: 0, delayed: 0, deadLetters: 0 });
    expect(await receive(fresh, fresh.urls.poll)).toEqual([]);
  });

  it('refuse a state folder another live process holds, and take over one a dead process left', async () => {
    const dir = stateDir();
    writeFileSync(join(dir, 'owner.pid'), String(process.ppid));
    await expect(start({ stateDir: dir })).rejects.toThrow(`the state folder ${dir} is in use by process ${process.ppid} (another npm start?)`);
    writeFileSync(join(dir, 'owner.pid'), '2147483646');
    const queues = await start({ stateDir: dir });
    await stop(queues);
    expect(readdirSync(dir)).not.toContain('owner.pid');
  });

  it('listen on the port asked for, on 127.0.0.1', async () => {
    const probe = await start({});
    const port = Number(new URL(probe.address).port);
    await stop(probe);
    const queues = await start({ port });
    expect(queues.address).toBe(`http://127.0.0.1:${port}`);
  });
});

describe('an invocation on durable queues', () => {
  it('holds what it sends until it commits, then deletes what it handled in the same step', async () => {
    const queues = await start({ stateDir: stateDir() });
    await send(queues, queues.urls.poll, 'job');
    const [job] = await receive(queues, queues.urls.poll, 30);
    const invocation = queues.invocation!();
    await invocation.run(() => send(queues, queues.urls.scan, 'result'));
    // Sent outside the invocation: not held.
    await send(queues, queues.urls.scan, 'other');
    expect((await receive(queues, queues.urls.scan, 0)).map((m) => m.Body)).toEqual(['other']);
    invocation.commit(queues.urls.poll, [job!.ReceiptHandle!]);
    expect((await receive(queues, queues.urls.scan)).map((m) => m.Body).sort()).toEqual(['other', 'result']);
    const { Attributes } = await queues.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queues.urls.poll, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    expect(Attributes).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
  });

  it('leaves nothing of itself on disk when the process ends before the commit', async () => {
    const dir = stateDir();
    const first = await start({ stateDir: dir, visibilityTimeoutSeconds: { poll: 1 } });
    await send(first, first.urls.poll, 'job');
    const [job] = await receive(first, first.urls.poll, 1);
    await first.invocation!().run(() => send(first, first.urls.scan, 'result'));
    await stop(first);

    const second = await start({ stateDir: dir, visibilityTimeoutSeconds: { poll: 1 } });
    expect(second.restored).toMatchObject({ messages: 0, inFlight: 1 });
    await new Promise((r) => setTimeout(r, 1100));
    expect((await receive(second, second.urls.poll)).map((m) => [m.Body, m.MessageId])).toEqual([['job', job!.MessageId]]);
    expect(await receive(second, second.urls.scan)).toEqual([]);
  });

  it('acks handled messages at once, before its end', async () => {
    const dir = stateDir();
    const first = await start({ stateDir: dir });
    await send(first, first.urls.scan, 'posted');
    await send(first, first.urls.scan, 'not yet');
    const received = await receive(first, first.urls.scan, 30);
    const posted = received.find((m) => m.Body === 'posted')!;
    const invocation = first.invocation!();
    invocation.ack(first.urls.scan, [posted.ReceiptHandle!]);
    await stop(first);
    const second = await start({ stateDir: dir });
    expect(second.restored).toMatchObject({ inFlight: 1 });
  });
});

describe('FIFO queues as SQS runs them', () => {
  const sendTo = (queues: LocalQueues, group: string, body: string) =>
    queues.sqs.send(new SendMessageCommand({ QueueUrl: queues.urls.notify, MessageBody: body, MessageGroupId: group, MessageDeduplicationId: body }));

  it('a receive hands out up to ten messages of one group, in order; the group gives nothing more until they are done', async () => {
    const queues = await start({});
    for (const body of ['a1', 'a2', 'a3']) await sendTo(queues, 'A', body);
    await sendTo(queues, 'B', 'b1');
    const first = await receive(queues, queues.urls.notify);
    expect(first.map((m) => m.Body).sort()).toEqual(['a1', 'a2', 'a3', 'b1']);
    expect(first.map((m) => m.Body).filter((b) => b?.startsWith('a'))).toEqual(['a1', 'a2', 'a3']);
    await sendTo(queues, 'A', 'a4');
    expect(await receive(queues, queues.urls.notify)).toEqual([]);
    for (const m of first) await queues.sqs.send(new DeleteMessageCommand({ QueueUrl: queues.urls.notify, ReceiptHandle: m.ReceiptHandle }));
    expect((await receive(queues, queues.urls.notify)).map((m) => m.Body)).toEqual(['a4']);
  });

  it('a receive fills from one group as far as it can before taking another, as SQS does', async () => {
    const queues = await start({});
    for (let i = 1; i <= 6; i++) {
      await sendTo(queues, 'A', `a${i}`);
      await sendTo(queues, 'B', `b${i}`);
      await sendTo(queues, 'C', `c${i}`);
    }
    expect((await receive(queues, queues.urls.notify)).map((m) => m.Body)).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'b1', 'b2', 'b3', 'b4']);
    expect((await receive(queues, queues.urls.notify)).map((m) => m.Body)).toEqual(['c1', 'c2', 'c3', 'c4', 'c5', 'c6']);
  });

  it('messages made visible again (a hold that ended) come back; a peek sees them all and leaves them', async () => {
    const queues = await start({});
    for (const body of ['h1', 'h2']) await sendTo(queues, 'H', body);
    const held = await receive(queues, queues.urls.notify);
    expect(held.map((m) => m.Body)).toEqual(['h1', 'h2']);
    expect(await receive(queues, queues.urls.notify, 0)).toEqual([]);
    for (const m of held) {
      await queues.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queues.urls.notify, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }));
    }
    expect((await receive(queues, queues.urls.notify, 0)).map((m) => m.Body).sort()).toEqual(['h1', 'h2']);
    expect((await receive(queues, queues.urls.notify, 0)).map((m) => m.Body).sort()).toEqual(['h1', 'h2']);
    expect((await receive(queues, queues.urls.notify)).map((m) => m.Body).sort()).toEqual(['h1', 'h2']);
  });
});
