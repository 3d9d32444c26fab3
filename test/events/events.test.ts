import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createOnPush } from '../../functions/onPush/handler.js';
import { DEMO_SECRET } from '../../local/demoConfig.js';
import { parseConfig } from '../../shared/config/config.js';
import { IntakeJob } from '../../shared/messages/intakeJob.js';
import { Job, NotifyJob, PollJob, ScanJob } from '../../shared/messages/jobs.js';
import { AcrPushPayload } from '../../shared/sources/acr.js';
import { acrEventsSource } from '../../shared/sources/acrEvents.js';
import { parseHarborWebhook } from '../../shared/sources/harborPayload.js';
import { eventFiles, jobOf, readEvent } from '../support/events.js';
import { fakeRuntime, recordingQueue } from '../support/runtime.js';

describe('the sample payloads in events/ stay true to the code', () => {
  it.each(eventFiles('acr'))('events/acr/%s is an ACR push the webhook accepts', (file) => {
    expect(AcrPushPayload.safeParse(readEvent(`acr/${file}`)).success).toBe(true);
  });

  it.each(eventFiles('acr-events'))('events/acr-events/%s is an ACR EE push or scan-completed event the webhook accepts', (file) => {
    const parsed = acrEventsSource.parse({ headers: {}, query: {}, payload: readEvent(`acr-events/${file}`) }, 'acr-events', {
      type: 'acr-events',
      secret: DEMO_SECRET,
    });
    expect(parsed.ignored).toEqual([]);
    expect(file!.startsWith('push') ? parsed.pushes : (parsed.scansEnded ?? []).map((s) => s.image)).toHaveLength(1);
  });

  it.each([...eventFiles('harbor').map((f) => ['harbor', f]), ...eventFiles('swr').map((f) => ['swr', f])])(
    'events/%s/%s is a Harbor-format push or scan result the webhook accepts',
    (sub, file) => {
      const payload = readEvent(`${sub}/${file}`);
      const contentType = file!.includes('cloudevents') ? 'application/cloudevents+json' : 'application/json';
      const parsed = parseHarborWebhook({ headers: { 'content-type': contentType }, query: {}, payload }, sub!);
      expect(parsed.ignored).toEqual([]);
      const images = file!.startsWith('push') ? parsed.pushes : (parsed.results ?? []).map((r) => r.image);
      expect(images.length).toBeGreaterThan(0);
      expect(file!.includes('digest-only')).toBe(images.every((i) => i.tag === undefined));
    },
  );
});

describe('events/sqs: SQS events as Lambda delivers them, each record wrapping one of our jobs', () => {
  const schemaOf = { intake: IntakeJob, scan: ScanJob, poll: PollJob, notify: NotifyJob } as const;
  const queueOf = (file: string) => file.replace(/\.json$/, '').split('-')[0] as keyof typeof schemaOf;

  it.each(eventFiles('sqs'))('events/sqs/%s carries a valid job of the queue it names', (file) => {
    const event = readEvent(`sqs/${file}`);
    const queue = queueOf(file);
    expect(event.Records.length).toBeGreaterThan(0);
    for (const record of event.Records) {
      expect(record.eventSource).toBe('aws:sqs');
      expect(record.eventSourceARN).toMatch(new RegExp(`:scanhook-dev-${queue}(\\.fifo)?$`));
      expect(record.eventSourceARN.endsWith('.fifo')).toBe(queue === 'intake');
      const result = schemaOf[queue].safeParse(JSON.parse(record.body));
      expect(result.error?.issues ?? []).toEqual([]);
    }
  });

  it('has one notify sample per outcome a notify job can carry, each the one copy previews and golden files use', () => {
    const outcomes = eventFiles('sqs')
      .filter((f) => f.startsWith('notify-'))
      .map((f) => (Job.parse(jobOf(`sqs/${f}`)) as NotifyJob).outcome.status);
    expect([...new Set(outcomes)].sort()).toEqual(['complete', 'error', 'failed', 'timed_out']);
  });
});

describe('events/http: an API Gateway HTTP API (payload 2.0) request', () => {
  it('is accepted by the onPush handler with the demo secret, and queues one scan job', async () => {
    const event = readEvent('http/acr-push.json') as APIGatewayProxyEventV2;
    const { queue, sent } = recordingQueue();
    const config = parseConfig({
      sources: { acr: { secret: DEMO_SECRET } },
      scanners: { 'acr-hz': { type: 'acr', region: 'cn-hangzhou', instanceId: 'cri-demo' } },
      channels: { sec: { type: 'webhook', url: 'https://example.com/hook' } },
      routes: [{ source: 'acr', scanner: 'acr-hz', channels: ['sec'] }],
    });
    const onPush = createOnPush(async () => fakeRuntime(config, queue));
    const res = (await onPush(event, {} as Context)) as { statusCode: number; body: string };
    expect(res.statusCode).toBe(202);
    expect(sent.scanJobs).toHaveLength(1);
    expect(sent.scanJobs[0]!.image).toMatchObject({ source: 'acr', digest: JSON.parse(event.body!).push_data.digest });
  });
});
