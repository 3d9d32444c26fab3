import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateQueueCommand, GetQueueAttributesCommand, type QueueAttributeName, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import settings from '../shared/queue/queues.json' with { type: 'json' };
import type { QueueName, QueueUrls } from '../shared/queue/queueUrls.js';
import { createSqsClient, type SqsClient } from '../shared/queue/sqsClient.js';

export interface LocalQueuesOptions {
  visibilityTimeoutSeconds?: Partial<Record<QueueName, number>>;
  /** The port on 127.0.0.1; 0 (the default) picks a free one. `npm start` uses PORT + 1, where `npm run dlq` looks. */
  port?: number;
  /**
   * A folder that keeps the queues and their messages on disk (fauxqs's SQLite persistence, `fauxqs.db`), so they
   * survive a crash or a restart. Omitted: in memory only, gone with the process.
   */
  stateDir?: string;
  /** Empties the state folder first (`npm start -- --fresh`), once it is ours: never under another process using it. */
  fresh?: boolean;
}

export interface LocalQueues {
  /** The AWS SDK's client, for local tooling (queue setup, the event source's receives, `npm run dlq`). */
  sqs: SQSClient;
  /** The client the functions send with (shared/queue/sqsClient.ts), as on Lambda. */
  queueClient: SqsClient;
  urls: QueueUrls;
  arns: Record<QueueName, string>;
  /** The embedded server's address: always on loopback. */
  address: string;
  /** With a state folder: what its queues held at start (in flight: received before a crash, not yet deleted). Else all zero. */
  restored: { messages: number; inFlight: number; delayed: number; deadLetters: number };
  /** With a state folder: a queue function's invocation whose sends and deletes reach the disk together (see below). */
  invocation?: () => Invocation;
  /** The messages on one queue: waiting, in flight and delayed. */
  depth(url: string): Promise<number>;
  /** The messages on every queue and DLQ. */
  queued(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * One invocation of a queue function, all or nothing on disk. What the handler sends while it runs (`run`) is held
 * back; `commit` then enqueues it and deletes the handled messages in one SQLite transaction. A crash before the
 * commit leaves the handled messages to come back after their visibility timeout and nothing they led to; a crash
 * after it leaves them handled once. The held messages are invisible until then, as the deletes are.
 */
export interface Invocation {
  run<T>(handler: () => Promise<T>): Promise<T>;
  /** Deletes handled messages at once, before the end (a chat post that went through: see local/stack.ts). */
  ack(queueUrl: string, receiptHandles: string[]): void;
  commit(queueUrl: string, receiptHandles: string[]): void;
}

// fauxqs 2.4.1's package "exports" holds only ".", whose buildApp takes `stores` but which exports neither the store
// classes nor the SQLite PersistenceManager that its own startFauxqs wires into them. They are loaded here by file,
// from the layout of dist/ in 2.4.1 (package.json pins that exact version); on an upgrade, check these paths and the
// wiring below against startFauxqs in node_modules/fauxqs/dist/app.js. startFauxqs itself is not used: it listens
// on 0.0.0.0 whatever host it is given, and this server has no authentication.
type Stores = NonNullable<NonNullable<Parameters<typeof import('fauxqs').buildApp>[0]>['stores']>;
type StoreModule<K extends string, T> = Record<K, new () => T>;
interface Persistence {
  load(sqs: Stores['sqsStore'], sns: Stores['snsStore'], s3: Stores['s3Store']): void;
  transaction(fn: () => void): void;
  close(): void;
}
interface Persistent {
  persistence?: unknown;
}
/** What is used of fauxqs's SqsStore and SqsQueue (dist/sqs/sqsStore.js) beyond the SQS API. */
interface QueueInternals extends Persistent {
  enqueue(message: unknown): void;
  dequeue(...args: unknown[]): unknown;
  deleteMessage(receiptHandle: string): boolean;
}
/** A received message as fauxqs's dequeue returns it. */
interface Received {
  ReceiptHandle: string;
}
interface FifoInternals {
  dequeueFifo(maxCount: number, visibilityTimeout?: number, ...rest: unknown[]): Received[];
  changeVisibility(receiptHandle: string, timeoutSeconds: number): void;
  fifoLockedGroups: Map<string, number>;
  inflightMessages: Map<string, { message: { messageGroupId?: string } }>;
}
interface StoreInternals {
  createQueue(...args: unknown[]): QueueInternals;
  allQueues(): Iterable<QueueInternals>;
  getQueue(url: string): QueueInternals | undefined;
}

/** fauxqs's SQLite database in a state folder, with its write-ahead log. */
const DB_FILES = ['fauxqs.db', 'fauxqs.db-wal', 'fauxqs.db-shm'];

/**
 * fauxqs 2.4.1 hands out at most one message per FIFO message group in a receive; SQS hands out up to ten of one
 * group, in order, and "attempts to return as many messages with the same message group ID as possible" before it
 * adds other groups' (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-understanding-logic.html).
 * So a burst of results for one chat channel lands in one batch, and a batch is mostly one channel's. This receives
 * one message at a time with the group just served unlocked: fauxqs serves the first unlocked group with messages,
 * so that is the same group until it runs out, then the next. The groups' locks are restored (one per message in
 * flight) at the end.
 */
const wholeFifoGroups = (queue: FifoInternals) => {
  const dequeueFifo = queue.dequeueFifo.bind(queue);
  const receiveWhole = (limit: number, visibilityTimeout: number | undefined, rest: unknown[]) => {
    const received: Received[] = [];
    const groupOf = (receiptHandle: string) => queue.inflightMessages.get(receiptHandle)?.message.messageGroupId;
    const served = new Set<string>();
    try {
      while (received.length < limit) {
        const more = dequeueFifo(1, visibilityTimeout, ...rest);
        if (more.length === 0) break;
        received.push(...more);
        const group = groupOf(more[0]!.ReceiptHandle);
        if (group === undefined) continue;
        served.add(group);
        queue.fifoLockedGroups.delete(group);
      }
    } finally {
      // One lock per message of the group in flight, as fauxqs counts them.
      for (const group of served) {
        const inFlight = [...queue.inflightMessages.values()].filter((m) => m.message.messageGroupId === group).length;
        if (inFlight > 0) queue.fifoLockedGroups.set(group, inFlight);
        else queue.fifoLockedGroups.delete(group);
      }
    }
    return received;
  };
  queue.dequeueFifo = (maxCount, visibilityTimeout, ...rest) => {
    const limit = Math.min(maxCount, 10);
    if (visibilityTimeout !== 0) return receiveWhole(limit, visibilityTimeout, rest);
    // A peek (messages left visible): received as a normal receive would, then handed back in their order.
    const peeked = receiveWhole(limit, 60, rest);
    for (const { ReceiptHandle } of [...peeked].reverse()) queue.changeVisibility(ReceiptHandle, 0);
    return peeked;
  };
};

/** The header that ties an SQS request to the invocation it was sent from. */
const INVOCATION_HEADER = 'x-scanhook-invocation';

const loadFauxqs = async () => {
  quietSqliteWarning();
  const fauxqs = await import('fauxqs');
  const entry = import.meta.resolve('fauxqs');
  const deep = <T>(path: string) => import(new URL(path, entry).href) as Promise<T>;
  const [{ SqsStore }, { SnsStore }, { S3Store }, { PersistenceManager }] = await Promise.all([
    deep<StoreModule<'SqsStore', Stores['sqsStore']>>('./sqs/sqsStore.js'),
    deep<StoreModule<'SnsStore', Stores['snsStore']>>('./sns/snsStore.js'),
    deep<StoreModule<'S3Store', Stores['s3Store']>>('./s3/s3Store.js'),
    deep<{ PersistenceManager: new (dataDir: string) => Persistence }>('./persistence.js'),
  ]);
  return { buildApp: fauxqs.buildApp, SqsStore, SnsStore, S3Store, PersistenceManager };
};

/**
 * fauxqs imports node:sqlite, which Node 22 marks experimental with a warning on stderr at its first import, in
 * every process that loads fauxqs, queues in memory or not. Only that one warning is dropped.
 */
let quieted = false;
const quietSqliteWarning = () => {
  if (quieted) return;
  quieted = true;
  const emit = process.emitWarning.bind(process);
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (/^SQLite is an experimental feature/.test(text)) return;
    (emit as (w: string | Error, ...r: unknown[]) => void)(warning, ...rest);
  }) as typeof process.emitWarning;
};

/**
 * One process at a time per state folder: a second one would take the same messages. A lock whose process is gone
 * (a crash) is taken over; so is one of this very process (tests that restart the queues in one process).
 */
const lockStateDir = (dir: string): (() => void) => {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'owner.pid');
  for (;;) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = Number(readFileSync(file, 'utf8'));
    if (owner > 0 && owner !== process.pid && isAlive(owner)) {
      throw Object.assign(new Error(`the state folder ${dir} is in use by process ${owner} (another npm start?)`), { code: 'STATE_IN_USE' });
    }
    rmSync(file, { force: true });
  }
};

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * An SQS-compatible server in this process (fauxqs), with the queues, DLQs and redrive settings of serverless.yml:
 * both read shared/queue/queues.json. `visibilityTimeoutSeconds` overrides the timeouts, so tests see redeliveries
 * quickly. The server listens on 127.0.0.1 only, and the queues are created through the SQS API.
 *
 * With `stateDir`, fauxqs writes every change through to SQLite and reloads it here: queues, messages (delayed ones
 * with their delay, those received and not yet deleted with their visibility deadline, so after a crash they come
 * back once their visibility timeout has passed), receive counts and FIFO groups. Not kept: the FIFO queue's
 * deduplication window, so a push repeated across a restart starts a second scan.
 */
export const startLocalQueues = async (opts: LocalQueuesOptions = {}): Promise<LocalQueues> => {
  const { buildApp, SqsStore, SnsStore, S3Store, PersistenceManager } = await loadFauxqs();
  const stores: Stores = { sqsStore: new SqsStore(), snsStore: new SnsStore(), s3Store: new S3Store() };
  const sqsStore = stores.sqsStore as unknown as StoreInternals;
  const app = buildApp({ logger: false, host: '127.0.0.1', stores });

  const createAnyQueue = sqsStore.createQueue.bind(sqsStore);
  sqsStore.createQueue = (...args) => {
    const queue = createAnyQueue(...args);
    wholeFifoGroups(queue as unknown as FifoInternals);
    return queue;
  };
  // Invocations (with a state folder): the functions' SQS client (queueClient) marks each request sent inside one
  // with its id (below); the server holds back what such a request enqueues until the invocation commits. fauxqs
  // handles a request's action synchronously once its preHandler hooks are done, so the id set here is the one in
  // force when the action enqueues.
  const durable = opts.stateDir !== undefined;
  let persistence: Persistence | undefined;
  const atomically = (apply: () => void) => (persistence ? persistence.transaction(apply) : apply());
  const held = new Map<string, (() => void)[]>();
  let holdingFor: string | undefined;
  if (durable) {
    app.addHook('preHandler', (request, _reply, done) => {
      const id = request.headers[INVOCATION_HEADER];
      holdingFor = typeof id === 'string' && held.has(id) ? id : undefined;
      queueMicrotask(() => {
        holdingFor = undefined;
      });
      done();
    });
    const hold = (queue: QueueInternals) => {
      const enqueue = queue.enqueue.bind(queue);
      queue.enqueue = (message) => {
        const sends = holdingFor === undefined ? undefined : held.get(holdingFor);
        if (sends) sends.push(() => enqueue(message));
        else enqueue(message);
      };
      // A receive writes each message's new state, and moves one past its receive count to the DLQ in two steps
      // (delete here, insert there): one transaction, so that a crash between them cannot lose it.
      const dequeue = queue.dequeue.bind(queue);
      queue.dequeue = (...args) => {
        let received: unknown;
        atomically(() => {
          received = dequeue(...args);
        });
        return received;
      };
      return queue;
    };
    const createQueue = sqsStore.createQueue.bind(sqsStore);
    sqsStore.createQueue = (...args) => hold(createQueue(...args));
  }

  // Listening first: a port in use fails here, before a state folder is touched.
  const address = await app.listen({ port: opts.port ?? 0, host: '127.0.0.1' });
  let unlock: (() => void) | undefined;
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const sqs = new SQSClient({ endpoint: address, region: 'us-east-1', credentials });
  const invocations = new AsyncLocalStorage<string>();
  const queueClient = createSqsClient({
    endpoint: address,
    region: 'us-east-1',
    credentials,
    headers: (): Record<string, string> => {
      const id = durable ? invocations.getStore() : undefined;
      return id === undefined ? {} : { [INVOCATION_HEADER]: id };
    },
  });
  const close = async () => {
    sqs.destroy();
    await app.close();
    persistence?.close();
    unlock?.();
  };
  try {
    if (opts.stateDir) {
      unlock = lockStateDir(opts.stateDir);
      if (opts.fresh) for (const file of DB_FILES) rmSync(join(opts.stateDir, file), { force: true });
      // As startFauxqs does: load into the stores first, then make them write through (loading must not write back).
      const manager = new PersistenceManager(opts.stateDir);
      persistence = manager;
      manager.load(stores.sqsStore, stores.snsStore, stores.s3Store);
      for (const store of [stores.sqsStore, stores.snsStore, stores.s3Store] as Persistent[]) store.persistence = manager;
      for (const queue of sqsStore.allQueues()) queue.persistence = manager;
    }
  } catch (err) {
    await close();
    throw err;
  }

  const invocation = (): Invocation => {
    const id = randomUUID();
    held.set(id, []);
    const remove = (queueUrl: string, receiptHandles: string[]) => {
      const queue = sqsStore.getQueue(queueUrl);
      for (const handle of receiptHandles) queue?.deleteMessage(handle);
    };
    return {
      run: (handler) => invocations.run(id, handler),
      ack: (queueUrl, receiptHandles) => atomically(() => remove(queueUrl, receiptHandles)),
      commit: (queueUrl, receiptHandles) => {
        const sends = held.get(id) ?? [];
        held.delete(id);
        atomically(() => {
          for (const send of sends) send();
          remove(queueUrl, receiptHandles);
        });
      },
    };
  };

  /**
   * Idempotent against a restored state: CreateQueue with only what cannot change (FifoQueue) finds the queue if it is
   * there, then SetQueueAttributes applies this run's settings (a changed visibility timeout or redrive policy).
   */
  const ensure = async (name: string, fifo: boolean, attributes: Record<string, string>, dlq: boolean) => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, ...(fifo ? { Attributes: { FifoQueue: 'true' } } : {}) }));
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: attributes }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl,
        AttributeNames: ['QueueArn', 'ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
      }),
    );
    const count = (name: QueueAttributeName) => Number(Attributes?.[name] ?? 0);
    if (dlq) restored.deadLetters += count('ApproximateNumberOfMessages') + count('ApproximateNumberOfMessagesNotVisible');
    else {
      restored.messages += count('ApproximateNumberOfMessages');
      restored.inFlight += count('ApproximateNumberOfMessagesNotVisible');
      restored.delayed += count('ApproximateNumberOfMessagesDelayed');
    }
    return { queueUrl: QueueUrl!, queueArn: Attributes!.QueueArn! };
  };
  const restored = { messages: 0, inFlight: 0, delayed: 0, deadLetters: 0 };
  const names: QueueName[] = ['intake', 'scan', 'poll', 'notify'];
  const urls: Partial<QueueUrls> = {};
  const arns: Partial<Record<QueueName, string>> = {};
  try {
    for (const name of names) {
      const s = settings[name];
      const suffix = s.fifo ? '.fifo' : '';
      const fifo: Record<string, string> = s.fifo ? { ContentBasedDeduplication: 'false' } : {};
      const dlq = await ensure(
        `scanhook-local-${name}-dlq${suffix}`,
        s.fifo,
        { ...fifo, MessageRetentionPeriod: String(settings.deadLetterRetentionSeconds) },
        true,
      );
      const queue = await ensure(
        `scanhook-local-${name}${suffix}`,
        s.fifo,
        {
          ...fifo,
          VisibilityTimeout: String(opts.visibilityTimeoutSeconds?.[name] ?? s.visibilityTimeoutSeconds),
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: String(s.maxReceiveCount) }),
        },
        false,
      );
      urls[name] = queue.queueUrl;
      urls[`${name}Dlq`] = dlq.queueUrl;
      arns[name] = queue.queueArn;
    }
  } catch (err) {
    await close();
    throw err;
  }
  const depth = async (url: string) => {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
      }),
    );
    return Object.values(Attributes ?? {}).reduce((n, v) => n + Number(v), 0);
  };
  return {
    sqs,
    queueClient,
    depth,
    queued: async () => (await Promise.all(Object.values(urls).map(depth))).reduce((a, b) => a + b, 0),
    urls: urls as QueueUrls,
    arns: arns as Record<QueueName, string>,
    address,
    restored,
    ...(durable ? { invocation } : {}),
    stop: close,
  };
};
