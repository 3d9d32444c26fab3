import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SweepJob } from '../../shared/messages/sweepJob.js';

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
  Condition?: string;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}
interface Template {
  Resources: Record<string, Resource>;
  Conditions?: Record<string, unknown>;
  Outputs?: Record<string, unknown>;
}
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  NotAction?: unknown;
  NotResource?: unknown;
  Condition?: unknown;
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
const capitalised = (name: string) => name[0]!.toUpperCase() + name.slice(1);
const functionIds = functionNames.map((n) => `${capitalised(n)}LambdaFunction`);

/** What a deploying shell may hold; none of it may reach the template, the state file or a zip. */
const vendorSecrets: Record<string, string> = {
  ALIBABA_CLOUD_ACCESS_KEY_ID: 'sekrit-id-LTAI5tFake',
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'sekrit-value-123',
  ALIBABA_CLOUD_SECURITY_TOKEN: 'sekrit-token-789',
  HUAWEICLOUD_SDK_AK: 'sekrit-ak-321',
  HUAWEICLOUD_SDK_SK: 'sekrit-sk-456',
  HUAWEICLOUD_SDK_SECURITY_TOKEN: 'sekrit-sts-654',
};

const getAtt = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

interface Packaged {
  dir: string;
  template: Template;
}

/** Packages into a fresh directory, with the vendor secrets in the environment, as a deploy from a careless shell would. */
const packageService = async (extraArgs: string[]): Promise<Packaged> => {
  const dir = await mkdtemp(join(tmpdir(), 'scanhook-package-'));
  const env: NodeJS.ProcessEnv = { ...process.env, ...vendorSecrets };
  delete env.SCANHOOK_CONFIG;
  try {
    await run('npx', ['serverless', 'package', '--stage', 'dev', '--package', dir, ...extraArgs], {
      cwd: repoRoot,
      env,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string };
    throw new Error(`serverless package failed: ${e.message}\n--- stdout\n${e.stdout ?? ''}\n--- stderr\n${e.stderr ?? ''}`);
  }
  const template = JSON.parse(await readFile(join(dir, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
  return { dir, template };
};

let pkgDir: string;
let template: Template;
/** Packaged with --param="alarmEmail=a@b.c" --param="logRetentionDays=14" --param="watchSchedule=cron(0 3 * * ? *)". */
let withParams: Packaged;
let queues: QueuesFile;

const resource = (id: string, t: Template = template): Resource => {
  const r = t.Resources[id];
  if (!r) throw new Error(`resource ${id} not in template (have: ${Object.keys(t.Resources).join(', ')})`);
  return r;
};
const ofType = (type: string, t: Template = template): [string, Resource][] => Object.entries(t.Resources).filter(([, r]) => r.Type === type);

/** Evaluates a condition the way CloudFormation would, for the intrinsic functions a package-time condition can use. */
const evaluateCondition = (t: Template, expr: unknown): boolean => {
  const value = (v: unknown): unknown => {
    if (v !== null && typeof v === 'object') throw new Error(`cannot evaluate ${JSON.stringify(v)} offline`);
    return v;
  };
  const e = expr as Record<string, unknown[]> & { Condition?: string };
  if (typeof e.Condition === 'string') return evaluateCondition(t, t.Conditions?.[e.Condition]);
  if (e['Fn::Not']) return !evaluateCondition(t, e['Fn::Not'][0]);
  if (e['Fn::And']) return e['Fn::And'].every((c) => evaluateCondition(t, c));
  if (e['Fn::Or']) return e['Fn::Or'].some((c) => evaluateCondition(t, c));
  if (e['Fn::Equals']) return value(e['Fn::Equals'][0]) === value(e['Fn::Equals'][1]);
  throw new Error(`unknown condition ${JSON.stringify(expr)}`);
};
/** Whether CloudFormation would create the resource. */
const created = (t: Template, id: string): boolean => {
  const condition = resource(id, t).Condition;
  return condition === undefined || evaluateCondition(t, { Condition: condition });
};

/** A policy resource, readably: a GetAtt's logical id, a Join with its Refs as {Ref}, a string as is. */
const describeArn = (r: unknown): string => {
  if (typeof r === 'string') return r;
  const o = r as Record<string, any>;
  if (o['Fn::GetAtt']) return o['Fn::GetAtt'][1] === 'Arn' ? o['Fn::GetAtt'][0] : `${o['Fn::GetAtt'][0]}.${o['Fn::GetAtt'][1]}`;
  if (o['Fn::Join']) {
    const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => (typeof p === 'string' ? p : `{${(p as { Ref: string }).Ref}}`)).join(sep);
  }
  throw new Error(`unexpected policy resource ${JSON.stringify(r)}`);
};
const ssmUnderStage = 'arn:{AWS::Partition}:ssm:{AWS::Region}:{AWS::AccountId}:parameter/scanhook/dev/*';

const statementsOf = (roleId: string): Statement[] =>
  asArray(resource(roleId).Properties.Policies as { PolicyDocument: { Statement: Statement | Statement[] } }[]).flatMap((p) =>
    asArray(p.PolicyDocument.Statement),
  );
/** action → the resources it is allowed on, sorted. */
const grantsOf = (roleId: string): Record<string, string[]> => {
  const grants: Record<string, Set<string>> = {};
  for (const s of statementsOf(roleId)) {
    for (const action of asArray(s.Action)) {
      grants[action] ??= new Set();
      for (const r of asArray(s.Resource)) grants[action].add(describeArn(r));
    }
  }
  return Object.fromEntries(
    Object.entries(grants)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([a, rs]) => [a, [...rs].sort()]),
  );
};
const roleOf = (functionId: string): string => {
  const role = resource(functionId).Properties.Role as { 'Fn::GetAtt': [string, string] };
  expect(role, functionId).toEqual(getAtt(role['Fn::GetAtt'][0]));
  return role['Fn::GetAtt'][0];
};

/** Every file the package wrote, zips unpacked, as text. */
const packagedText = async (dir: string): Promise<[string, string][]> => {
  const out: [string, string][] = [];
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    if (name.endsWith('.zip')) {
      const { stdout } = await run('unzip', ['-p', path], { maxBuffer: 64 * 1024 * 1024, encoding: 'latin1' });
      out.push([name, stdout]);
    } else {
      out.push([name, await readFile(path, 'latin1')]);
    }
  }
  return out;
};

beforeAll(async () => {
  queues = JSON.parse(await readFile(join(repoRoot, 'shared/queue/queues.json'), 'utf8')) as QueuesFile;
  // One after the other: serverless-esbuild builds in the service's .esbuild/ directory.
  ({ dir: pkgDir, template } = await packageService([]));
  withParams = await packageService(['--param=alarmEmail=a@b.c', '--param=logRetentionDays=14', '--param=watchSchedule=cron(0 3 * * ? *)']);
}, 120_000);

afterAll(async () => {
  for (const dir of [pkgDir, withParams?.dir]) if (dir) await rm(dir, { recursive: true, force: true });
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

  it('intake and notify queues and their DLQs are FIFO; scan and poll queues are standard', () => {
    for (const id of ['IntakeQueue', 'IntakeDeadLetterQueue', 'NotifyQueue', 'NotifyDeadLetterQueue']) {
      expect(resource(id).Properties.FifoQueue, id).toBe(true);
      expect(resource(id).Properties.QueueName, id).toMatch(/\.fifo$/);
    }
    for (const id of ['IntakeDeadLetterQueue', 'NotifyQueue', 'NotifyDeadLetterQueue'])
      expect(resource(id).Properties.ContentBasedDeduplication, id).toBe(false);
    // The watch schedule's messages (no deduplication id of their own) are deduplicated on their body.
    expect(resource('IntakeQueue').Properties.ContentBasedDeduplication).toBe(true);
    expect(resource('IntakeQueue').Properties.QueueName).toBe('scanhook-dev-intake.fifo');
    expect(resource('NotifyQueue').Properties.QueueName).toBe('scanhook-dev-notify.fifo');
    for (const id of ['ScanQueue', 'ScanDeadLetterQueue', 'PollQueue', 'PollDeadLetterQueue']) {
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

  it('notify has no batching window (Lambda allows none on FIFO queues) and runs few invocations at once', () => {
    const mapping = ofType('AWS::Lambda::EventSourceMapping').find(
      ([, m]) => JSON.stringify(m.Properties.EventSourceArn) === JSON.stringify(getAtt('NotifyQueue')),
    )![1].Properties;
    expect(mapping.MaximumBatchingWindowInSeconds ?? 0).toBe(0);
    expect(mapping.ScalingConfig).toEqual({ MaximumConcurrency: queues.notify.maximumConcurrency });
  });

  it("counts webhooks accepted and rejected (by reason) from onPush's log line, in the scanhook namespace", () => {
    const filters = ofType('AWS::Logs::MetricFilter').map(([, f]) => f.Properties);
    const byName = Object.fromEntries(filters.map((p) => [p.MetricTransformations[0].MetricName, p]));
    expect(Object.keys(byName).sort()).toEqual(['WebhookAccepted', 'WebhookRejected']);
    for (const p of Object.values(byName) as Record<string, any>[]) {
      expect(p.LogGroupName).toEqual({ Ref: 'OnPushLogGroup' });
      expect(p.FilterPattern).toContain('$.message = "webhook answered"');
      expect(p.MetricTransformations[0].MetricNamespace).toBe('scanhook');
    }
    expect(byName.WebhookAccepted.FilterPattern).toContain('$.status = 202');
    expect(byName.WebhookRejected.FilterPattern).toContain('$.status >= 400');
    expect(byName.WebhookRejected.MetricTransformations[0].Dimensions).toEqual([{ Key: 'reason', Value: '$.reason' }]);
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

describe('serverless package: IAM, one role per function', () => {
  /** Exactly what each function may do; the Lambda service polls the event source queues with the function's role. */
  const logs = (fn: string) => ({ 'logs:CreateLogStream': [`${capitalised(fn)}LogGroup`], 'logs:PutLogEvents': [`${capitalised(fn)}LogGroup`] });
  const ssm = { 'ssm:GetParameter': [ssmUnderStage], 'ssm:GetParameters': [ssmUnderStage] };
  const receive = (...ids: string[]) => ({
    'sqs:DeleteMessage': ids.sort(),
    'sqs:GetQueueAttributes': ids.sort(),
    'sqs:ReceiveMessage': ids.sort(),
  });
  const expected: Record<string, Record<string, string[]>> = {
    onPush: { ...logs('onPush'), ...ssm, 'sqs:SendMessage': ['IntakeQueue', 'PollQueue'] },
    startScan: {
      ...logs('startScan'),
      ...ssm,
      ...receive('IntakeQueue', 'ScanQueue'),
      'sqs:SendMessage': ['IntakeDeadLetterQueue', 'IntakeQueue', 'NotifyQueue', 'PollQueue', 'ScanDeadLetterQueue', 'ScanQueue'],
    },
    pollStatus: {
      ...logs('pollStatus'),
      ...ssm,
      ...receive('PollQueue'),
      'sqs:SendMessage': ['NotifyQueue', 'PollDeadLetterQueue', 'PollQueue'],
    },
    notify: {
      ...logs('notify'),
      ...ssm,
      ...receive('NotifyQueue'),
      'sqs:ChangeMessageVisibility': ['NotifyQueue'],
      'sqs:SendMessage': ['NotifyDeadLetterQueue', 'NotifyQueue'],
    },
  };
  const sortedKeys = (o: Record<string, string[]>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));

  it('creates no shared role: each function has its own role of the stack', () => {
    expect(template.Resources.IamRoleLambdaExecution).toBeUndefined();
    const roles = functionIds.map(roleOf);
    expect(new Set(roles).size).toBe(4);
    expect(
      ofType('AWS::IAM::Role')
        .map(([id]) => id)
        .sort(),
    ).toEqual([...roles, 'WatchScheduleRole'].sort());
    for (const [i, id] of functionIds.entries()) expect(asArray(resource(id).DependsOn), id).toContain(roles[i]);
  });

  it.each(functionNames)('%s: exactly the actions on exactly the resources it needs', (fn) => {
    expect(grantsOf(roleOf(`${capitalised(fn)}LambdaFunction`))).toEqual(sortedKeys(expected[fn]!));
  });

  it.each(functionNames)('%s: only Allow statements on named resources, assumable by Lambda only, no managed policy', (fn) => {
    const roleId = roleOf(`${capitalised(fn)}LambdaFunction`);
    const role = resource(roleId).Properties;
    expect(role.ManagedPolicyArns).toBeUndefined();
    expect(role.PermissionsBoundary).toBeUndefined();
    expect(asArray(role.AssumeRolePolicyDocument.Statement)).toEqual([
      { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
    for (const s of statementsOf(roleId)) {
      expect(s.Effect).toBe('Allow');
      expect(s.NotAction).toBeUndefined();
      expect(s.NotResource).toBeUndefined();
      for (const a of asArray(s.Action)) expect(a, roleId).not.toMatch(/\*/);
      for (const r of asArray(s.Resource)) {
        const arn = describeArn(r);
        expect(arn === '*' || arn.startsWith('arn:aws'), `${roleId}: ${arn}`).toBe(false);
      }
    }
  });

  it('onPush can send to the intake queue and the poll queue (scan-completed events) and nothing else, and receive from none', () => {
    const grants = grantsOf('OnPushRole');
    expect(grants['sqs:SendMessage']).toEqual(['IntakeQueue', 'PollQueue']);
    expect(Object.keys(grants).filter((a) => a.startsWith('sqs:'))).toEqual(['sqs:SendMessage']);
  });

  it('notify cannot start scans or polls; pollStatus cannot start scans; only startScan (a sweep) sends to the intake queue', () => {
    const send = (role: string) => grantsOf(role)['sqs:SendMessage'] ?? [];
    expect(send('NotifyRole')).not.toContain('ScanQueue');
    expect(send('NotifyRole')).not.toContain('PollQueue');
    expect(send('PollStatusRole')).not.toContain('ScanQueue');
    for (const role of ['PollStatusRole', 'NotifyRole']) expect(send(role), role).not.toContain('IntakeQueue');
  });

  it("each role receives from exactly its function's event source queues, and no role receives from a DLQ", () => {
    for (const fn of functionIds) {
      const sources = ofType('AWS::Lambda::EventSourceMapping')
        .filter(([, m]) => JSON.stringify(m.Properties.FunctionName) === JSON.stringify(getAtt(fn)))
        .map(([, m]) => describeArn(m.Properties.EventSourceArn))
        .sort();
      expect(grantsOf(roleOf(fn))['sqs:ReceiveMessage'] ?? [], fn).toEqual(sources);
    }
  });

  it('every sqs grant names one of the eight queues; each DLQ is written by the functions of its queue only', () => {
    const writers: Record<string, string[]> = {};
    for (const fn of functionIds) {
      const grants = grantsOf(roleOf(fn));
      for (const [action, resources] of Object.entries(grants)) {
        if (!action.startsWith('sqs:')) continue;
        for (const r of resources) expect(allQueueIds, `${fn} ${action}`).toContain(r);
      }
      for (const r of grants['sqs:SendMessage'] ?? []) writers[r] = [...(writers[r] ?? []), fn];
    }
    for (const kind of kinds) expect(writers[queueIds[kind].dlq], kind).toEqual([queueIds[kind].fn]);
  });
});

describe('serverless package: the watch schedule', () => {
  it('puts a sweep job on the intake queue (FIFO group, body with the scheduled time) on the default daily schedule, or the one given', () => {
    const schedule = resource('WatchSchedule');
    expect(schedule.Type).toBe('AWS::Scheduler::Schedule');
    expect(schedule.Properties.ScheduleExpression).toBe('rate(1 day)');
    expect(resource('WatchSchedule', withParams.template).Properties.ScheduleExpression).toBe('cron(0 3 * * ? *)');
    expect(schedule.Properties.ScheduleExpressionTimezone).toBe('UTC');
    const target = schedule.Properties.Target;
    expect(target.Arn).toEqual(getAtt('IntakeQueue'));
    expect(target.SqsParameters.MessageGroupId).toBeTruthy();
    // What Scheduler sends, its placeholder filled as it fills it, is a sweep job startScan accepts.
    const body = JSON.parse(String(target.Input).replace('<aws.scheduler.scheduled-time>', '2026-11-30T03:00:00Z'));
    expect(SweepJob.parse(body)).toEqual({ kind: 'sweep', v: 1, scheduledAt: '2026-11-30T03:00:00Z' });
  });

  it("the scheduler's role may send to the intake queue and nothing else, assumed by EventBridge Scheduler of this account only", () => {
    expect(grantsOf('WatchScheduleRole')).toEqual({ 'sqs:SendMessage': ['IntakeQueue'] });
    const [statement] = asArray(resource('WatchScheduleRole').Properties.AssumeRolePolicyDocument.Statement) as Record<string, any>[];
    expect(statement?.Principal).toEqual({ Service: 'scheduler.amazonaws.com' });
    expect(statement?.Condition?.StringEquals?.['aws:SourceAccount']).toEqual({ Ref: 'AWS::AccountId' });
    expect(resource('WatchSchedule').Properties.Target.RoleArn).toEqual(getAtt('WatchScheduleRole'));
  });
});

describe('serverless package: alarms', () => {
  const alarms = () => ofType('AWS::CloudWatch::Alarm');
  const findAlarm = (namespace: string, metric: string, dimension: { Name: string; Value: unknown }): Resource['Properties'] => {
    const matching = alarms().filter(
      ([, a]) =>
        a.Properties.Namespace === namespace && a.Properties.MetricName === metric && JSON.stringify(a.Properties.Dimensions) === JSON.stringify([dimension]),
    );
    expect(matching, `${namespace} ${metric} ${JSON.stringify(dimension)}`).toHaveLength(1);
    return matching[0]![1].Properties;
  };
  const firesOnOne = (a: Resource['Properties']) => {
    expect(a.Threshold).toBe(1);
    expect(a.ComparisonOperator).toBe('GreaterThanOrEqualToThreshold');
    expect(a.EvaluationPeriods).toBe(1);
  };

  it('has one SNS topic, and every alarm publishes to it on ALARM and on OK, missing data not breaching', () => {
    const topics = ofType('AWS::SNS::Topic');
    expect(topics).toHaveLength(1);
    const topic = { Ref: topics[0]![0] };
    expect(alarms()).toHaveLength(4 + 2 * 4 + 1);
    for (const [id, a] of alarms()) {
      expect(a.Properties.AlarmActions, id).toEqual([topic]);
      expect(a.Properties.OKActions, id).toEqual([topic]);
      expect(a.Properties.TreatMissingData, id).toBe('notBreaching');
      expect(a.Properties.AlarmName, id).toMatch(/^scanhook-dev-/);
    }
    expect(new Set(alarms().map(([, a]) => a.Properties.AlarmName)).size).toBe(alarms().length);
  });

  it.each(kinds)('%s DLQ: alarms when one message is visible', (kind) => {
    const a = findAlarm('AWS/SQS', 'ApproximateNumberOfMessagesVisible', {
      Name: 'QueueName',
      Value: { 'Fn::GetAtt': [queueIds[kind].dlq, 'QueueName'] },
    });
    firesOnOne(a);
    expect(a.Statistic).toBe('Maximum');
  });

  it.each(
    functionIds.flatMap((fn) => [
      [fn, 'Errors'],
      [fn, 'Throttles'],
    ]),
  )('%s: alarms on one %s', (fn, metric) => {
    expect(resource(fn).Type).toBe('AWS::Lambda::Function');
    const a = findAlarm('AWS/Lambda', metric, { Name: 'FunctionName', Value: { Ref: fn } });
    firesOnOne(a);
    expect(a.Statistic).toBe('Sum');
  });

  it("alarms on one 5xx answer of the HTTP API (the webhook's)", () => {
    expect(resource('HttpApi').Type).toBe('AWS::ApiGatewayV2::Api');
    const a = findAlarm('AWS/ApiGateway', '5xx', { Name: 'ApiId', Value: { Ref: 'HttpApi' } });
    firesOnOne(a);
    expect(a.Statistic).toBe('Sum');
  });

  it('subscribes no one without alarmEmail, and the address given with --param="alarmEmail=…"', () => {
    const subscriptions = (t: Template) => ofType('AWS::SNS::Subscription', t).filter(([id]) => created(t, id));
    expect(subscriptions(template)).toEqual([]);
    const withEmail = subscriptions(withParams.template);
    expect(withEmail).toHaveLength(1);
    const topic = ofType('AWS::SNS::Topic', withParams.template)[0]![0];
    expect(withEmail[0]![1].Properties).toEqual({ TopicArn: { Ref: topic }, Protocol: 'email', Endpoint: 'a@b.c' });
  });
});

describe('serverless package: logs, retained DLQs, no vendor secret', () => {
  it('creates one log group per function, kept 30 days by default and as long as --param="logRetentionDays=…" says', () => {
    for (const [t, days] of [
      [template, 30],
      [withParams.template, 14],
    ] as const) {
      const groups = ofType('AWS::Logs::LogGroup', t);
      expect(groups.map(([, g]) => g.Properties.LogGroupName).sort()).toEqual(functionNames.map((n) => `/aws/lambda/scanhook-dev-${n}`).sort());
      for (const [id, g] of groups) expect(g.Properties.RetentionInDays, id).toBe(days);
    }
  });

  it.each(kinds)('%s DLQ is kept when the stack is deleted or the queue replaced', (kind) => {
    const dlq = resource(queueIds[kind].dlq);
    expect(dlq.DeletionPolicy).toBe('Retain');
    expect(dlq.UpdateReplacePolicy).toBe('Retain');
  });

  it('passes no vendor credential to the functions', () => {
    for (const [id, fn] of ofType('AWS::Lambda::Function')) {
      const names = Object.keys(fn.Properties.Environment?.Variables ?? {});
      expect(
        names.filter((n) => /^(ALIBABA_CLOUD|HUAWEICLOUD)_/.test(n)),
        id,
      ).toEqual([]);
    }
  });

  it('every packaged function loads as Lambda loads it (the AWS SDK from the runtime, nothing else from outside the zip)', async () => {
    // Inside the repository, so that the AWS SDK the Lambda runtime provides resolves from node_modules.
    const root = await mkdtemp(join(repoRoot, '.serverless-load-'));
    try {
      for (const name of functionNames) {
        const dir = join(root, name);
        await mkdir(dir, { recursive: true });
        await run('unzip', ['-q', join(pkgDir, `${name}.zip`), '-d', dir]);
        const file = join(dir, 'functions', name, 'handler.mjs');
        const { stdout } = await run(
          process.execPath,
          ['--input-type=module', '-e', `const m = await import(${JSON.stringify(file)}); console.log(typeof m.handler);`],
          {
            env: { PATH: process.env.PATH ?? '' },
          },
        );
        expect(stdout.trim(), name).toBe('function');
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it("puts none of the deploying shell's vendor secrets in any packaged file (template, state, zips)", async () => {
    for (const dir of [pkgDir, withParams.dir]) {
      const files = await packagedText(dir);
      expect(files.map(([name]) => name)).toEqual(expect.arrayContaining(['serverless-state.json', 'cloudformation-template-update-stack.json']));
      for (const [name, text] of files) {
        expect(text.length, name).toBeGreaterThan(0);
        for (const [variable, secret] of Object.entries(vendorSecrets)) expect(text.includes(secret), `${variable} in ${name}`).toBe(false);
        expect(text.includes('sekrit'), name).toBe(false);
      }
    }
  });
});
