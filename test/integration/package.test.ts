import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Packages the service exactly as a deploy would (`serverless package`, offline, no AWS credentials)
 * and checks the CloudFormation template and the zips it produced.
 */

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

interface QueueSettings {
  fifo: boolean;
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number;
  batchSize: number;
  batchingWindowSeconds?: number;
  maximumConcurrency?: number;
}
interface QueuesFile {
  intake: QueueSettings;
  scan: QueueSettings;
  poll: QueueSettings;
  notify: QueueSettings;
  functionTimeoutSeconds: number;
  deadLetterRetentionSeconds: number;
}
type Kind = 'intake' | 'scan' | 'poll' | 'notify';

interface Resource {
  Type: string;
  Properties: Record<string, any>;
}
interface Template {
  Resources: Record<string, Resource>;
  Outputs?: Record<string, unknown>;
}

const kinds: Kind[] = ['intake', 'scan', 'poll', 'notify'];
const queueIds: Record<Kind, { queue: string; dlq: string; fn: string }> = {
  intake: { queue: 'IntakeQueue', dlq: 'IntakeDeadLetterQueue', fn: 'StartScanLambdaFunction' },
  scan: { queue: 'ScanQueue', dlq: 'ScanDeadLetterQueue', fn: 'StartScanLambdaFunction' },
  poll: { queue: 'PollQueue', dlq: 'PollDeadLetterQueue', fn: 'PollStatusLambdaFunction' },
  notify: { queue: 'NotifyQueue', dlq: 'NotifyDeadLetterQueue', fn: 'NotifyLambdaFunction' },
};
const allQueueIds = kinds.flatMap((k) => [queueIds[k].queue, queueIds[k].dlq]);
const functionNames = ['onPush', 'startScan', 'pollStatus', 'notify'];

const getAtt = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

let pkgDir: string;
let template: Template;
let queues: QueuesFile;

const resource = (id: string): Resource => {
  const r = template.Resources[id];
  if (!r) throw new Error(`resource ${id} not in template (have: ${Object.keys(template.Resources).join(', ')})`);
  return r;
};
const ofType = (type: string): [string, Resource][] => Object.entries(template.Resources).filter(([, r]) => r.Type === type);

beforeAll(async () => {
  queues = JSON.parse(await readFile(join(repoRoot, 'shared/queue/queues.json'), 'utf8')) as QueuesFile;
  pkgDir = await mkdtemp(join(tmpdir(), 'scanhook-package-'));
  const env = { ...process.env };
  delete env.SCANHOOK_CONFIG;
  try {
    await run('npx', ['serverless', 'package', '--stage', 'dev', '--package', pkgDir], {
      cwd: repoRoot,
      env,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string };
    throw new Error(`serverless package failed: ${e.message}\n--- stdout\n${e.stdout ?? ''}\n--- stderr\n${e.stderr ?? ''}`);
  }
  template = JSON.parse(await readFile(join(pkgDir, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
}, 120_000);

afterAll(async () => {
  if (pkgDir) await rm(pkgDir, { recursive: true, force: true });
});

describe('serverless package', () => {
  it('has the four Lambda functions, all on nodejs22.x arm64; the queue workers share the timeout, onPush answers within 10 s', () => {
    const fns = ofType('AWS::Lambda::Function');
    expect(fns.map(([, r]) => r.Properties.Handler).sort()).toEqual(functionNames.map((n) => `functions/${n}/handler.handler`).sort());
    for (const [id, fn] of fns) {
      expect(fn.Properties.Runtime, id).toBe('nodejs22.x');
      expect(fn.Properties.Architectures, id).toEqual(['arm64']);
      expect(fn.Properties.Timeout, id).toBe(id === 'OnPushLambdaFunction' ? 10 : queues.functionTimeoutSeconds);
    }
  });

  it('gives every function the queue URLs as Refs of the eight queues', () => {
    const expected = {
      INTAKE_QUEUE_URL: { Ref: 'IntakeQueue' },
      INTAKE_DLQ_URL: { Ref: 'IntakeDeadLetterQueue' },
      SCAN_QUEUE_URL: { Ref: 'ScanQueue' },
      POLL_QUEUE_URL: { Ref: 'PollQueue' },
      NOTIFY_QUEUE_URL: { Ref: 'NotifyQueue' },
      SCAN_DLQ_URL: { Ref: 'ScanDeadLetterQueue' },
      POLL_DLQ_URL: { Ref: 'PollDeadLetterQueue' },
      NOTIFY_DLQ_URL: { Ref: 'NotifyDeadLetterQueue' },
    };
    for (const [id, fn] of ofType('AWS::Lambda::Function')) {
      expect(fn.Properties.Environment?.Variables, id).toMatchObject({ ...expected, SCANHOOK_CONFIG: 'ssm:/scanhook/dev/config' });
    }
  });

  it('routes POST /webhooks/{source} on the HTTP API to onPush', () => {
    const routes = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey);
    expect(routes).toEqual(['POST /webhooks/{source}']);
    const integrations = ofType('AWS::ApiGatewayV2::Integration');
    expect(integrations).toHaveLength(1);
    expect(JSON.stringify(integrations[0]![1].Properties.IntegrationUri)).toContain('OnPushLambdaFunction');
  });

  it.each(kinds)('%s queue: visibility timeout and redrive to its own DLQ as in queues.json', (kind) => {
    const { queue, dlq } = queueIds[kind];
    const q = resource(queue);
    const d = resource(dlq);
    expect(q.Type).toBe('AWS::SQS::Queue');
    expect(d.Type).toBe('AWS::SQS::Queue');
    expect(q.Properties.VisibilityTimeout).toBe(queues[kind].visibilityTimeoutSeconds);
    expect(q.Properties.RedrivePolicy).toEqual({ deadLetterTargetArn: getAtt(dlq), maxReceiveCount: queues[kind].maxReceiveCount });
    expect(d.Properties.RedrivePolicy).toBeUndefined();
    expect(d.Properties.MessageRetentionPeriod).toBe(queues.deadLetterRetentionSeconds);
  });

  it('intake queue and its DLQ are FIFO; scan, poll and notify queues are standard', () => {
    for (const id of ['IntakeQueue', 'IntakeDeadLetterQueue']) {
      expect(resource(id).Properties.FifoQueue, id).toBe(true);
      expect(resource(id).Properties.QueueName, id).toMatch(/\.fifo$/);
    }
    expect(resource('IntakeQueue').Properties.ContentBasedDeduplication).toBe(false);
    expect(resource('IntakeQueue').Properties.QueueName).toBe('scanhook-dev-intake.fifo');
    for (const id of ['ScanQueue', 'ScanDeadLetterQueue', 'PollQueue', 'PollDeadLetterQueue', 'NotifyQueue', 'NotifyDeadLetterQueue']) {
      expect(resource(id).Properties.FifoQueue ?? false, id).toBe(false);
      expect(resource(id).Properties.QueueName, id).not.toMatch(/\.fifo$/);
    }
  });

  it('has one SQS event source mapping per worker queue, reporting batch item failures, batch size from queues.json', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(4);
    for (const kind of kinds) {
      const { queue, fn } = queueIds[kind];
      const matching = mappings.filter(([, m]) => JSON.stringify(m.Properties.EventSourceArn) === JSON.stringify(getAtt(queue)));
      expect(matching, queue).toHaveLength(1);
      const props = matching[0]![1].Properties;
      expect(props.FunctionName).toEqual(getAtt(fn));
      expect(props.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      expect(props.BatchSize).toBe(queues[kind].batchSize);
    }
  });

  it('template queue settings are exactly what shared/queue/queues.json says (local mode reads that file)', () => {
    const fromTemplate = (kind: Kind): QueueSettings => {
      const q = resource(queueIds[kind].queue).Properties;
      const mapping = ofType('AWS::Lambda::EventSourceMapping').find(
        ([, m]) => JSON.stringify(m.Properties.EventSourceArn) === JSON.stringify(getAtt(queueIds[kind].queue)),
      );
      const props = mapping?.[1].Properties;
      return {
        fifo: q.FifoQueue === true,
        visibilityTimeoutSeconds: q.VisibilityTimeout,
        maxReceiveCount: q.RedrivePolicy?.maxReceiveCount,
        batchSize: props?.BatchSize,
        ...(props?.MaximumBatchingWindowInSeconds !== undefined ? { batchingWindowSeconds: props.MaximumBatchingWindowInSeconds } : {}),
        ...(props?.ScalingConfig ? { maximumConcurrency: props.ScalingConfig.MaximumConcurrency } : {}),
      };
    };
    const timeouts = new Set(
      ofType('AWS::Lambda::Function')
        .filter(([id]) => id !== 'OnPushLambdaFunction')
        .map(([, r]) => r.Properties.Timeout),
    );
    const retentions = new Set(kinds.map((k) => resource(queueIds[k].dlq).Properties.MessageRetentionPeriod));
    expect(timeouts.size).toBe(1);
    expect(retentions.size).toBe(1);
    expect({
      intake: fromTemplate('intake'),
      scan: fromTemplate('scan'),
      poll: fromTemplate('poll'),
      notify: fromTemplate('notify'),
      functionTimeoutSeconds: [...timeouts][0],
      deadLetterRetentionSeconds: [...retentions][0],
    }).toEqual(queues);
  });

  it.each(kinds)("%s queue: visibility timeout at least six times the function's timeout plus its batching window (AWS's advice)", (kind) => {
    const mapping = ofType('AWS::Lambda::EventSourceMapping').find(
      ([, m]) => JSON.stringify(m.Properties.EventSourceArn) === JSON.stringify(getAtt(queueIds[kind].queue)),
    )![1].Properties;
    const timeout = resource(queueIds[kind].fn).Properties.Timeout as number;
    expect(resource(queueIds[kind].queue).Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout + (mapping.MaximumBatchingWindowInSeconds ?? 0));
  });

  it('notify gathers bursts into one batch and runs few invocations at once', () => {
    const mapping = ofType('AWS::Lambda::EventSourceMapping').find(
      ([, m]) => JSON.stringify(m.Properties.EventSourceArn) === JSON.stringify(getAtt('NotifyQueue')),
    )![1].Properties;
    expect(mapping.MaximumBatchingWindowInSeconds).toBeGreaterThan(0);
    expect(mapping.ScalingConfig).toEqual({ MaximumConcurrency: queues.notify.maximumConcurrency });
  });

  it('IAM: sqs actions only on the eight queues, SSM only under /scanhook/dev/', () => {
    const role = resource('IamRoleLambdaExecution');
    const statements = role.Properties.Policies.flatMap((p: any) => asArray(p.PolicyDocument.Statement)) as {
      Effect: string;
      Action: string | string[];
      Resource: unknown;
    }[];
    const allowedSqs = new Set(allQueueIds.map((id) => JSON.stringify(getAtt(id))));

    const sqsStatements = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('sqs:')));
    expect(sqsStatements.length).toBeGreaterThan(0);
    for (const s of sqsStatements) {
      const resources = asArray(s.Resource);
      expect(resources.length).toBeGreaterThan(0);
      for (const r of resources) {
        expect(typeof r === 'string' && r.includes('*'), JSON.stringify(r)).toBe(false);
        expect(allowedSqs.has(JSON.stringify(r)), JSON.stringify(r)).toBe(true);
      }
      expect(asArray(s.Action).every((a) => a !== 'sqs:*')).toBe(true);
    }

    const send = sqsStatements.filter((s) => asArray(s.Action).includes('sqs:SendMessage'));
    expect(send).toHaveLength(1);
    expect(
      asArray(send[0]!.Resource)
        .map((r) => JSON.stringify(r))
        .sort(),
    ).toEqual([...allowedSqs].sort());

    const receive = sqsStatements.filter((s) => asArray(s.Action).includes('sqs:ReceiveMessage'));
    expect(receive).toHaveLength(1);
    expect(
      asArray(receive[0]!.Resource)
        .map((r) => JSON.stringify(r))
        .sort(),
    ).toEqual(kinds.map((k) => JSON.stringify(getAtt(queueIds[k].queue))).sort());

    const ssm = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('ssm:')));
    expect(ssm).toHaveLength(1);
    expect(asArray(ssm[0]!.Action).sort()).toEqual(['ssm:GetParameter', 'ssm:GetParameters']);
    const ssmResources = asArray(ssm[0]!.Resource);
    expect(ssmResources).toHaveLength(1);
    expect(JSON.stringify(ssmResources[0])).toMatch(/:parameter\/scanhook\/dev\/\*"/);
    expect(ssmResources[0]).not.toBe('*');
  });

  it('outputs the webhook base URL', () => {
    expect(JSON.stringify(template.Outputs?.WebhookBaseUrl)).toContain('/webhooks');
  });

  it('produces one zip per function, onPush under 150 KiB', async () => {
    const zips = (await readdir(pkgDir)).filter((f) => f.endsWith('.zip')).sort();
    expect(zips).toEqual(functionNames.map((n) => `${n}.zip`).sort());
    const onPush = await stat(join(pkgDir, 'onPush.zip'));
    expect(onPush.size).toBeGreaterThan(0);
    expect(onPush.size).toBeLessThan(150 * 1024);
  });
});
