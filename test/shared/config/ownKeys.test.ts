import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSRecord } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { deliverNotifyBatch } from '../../../functions/notify/deliverBatch.js';
import { withChannels } from '../../../functions/notify/withChannels.js';
import { parseConfig } from '../../../shared/config/config.js';
import { NotifyJob } from '../../../shared/messages/jobs.js';
import { withHttp } from '../../../shared/runtime/withHttp.js';
import { withScanners } from '../../../shared/runtime/withScanners.js';
import { jobOf } from '../../support/events.js';
import { fakeRuntime, recordingQueue } from '../../support/runtime.js';

/** Names every plain object answers to through its prototype. */
const PROTOTYPE_KEYS = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];
const quiet = new Logger({ serviceName: 'scanhook-test', logLevel: 'SILENT' });

const doc = (over: { route?: Record<string, unknown> } = {}) => ({
  sources: { acr: { secret: 'a-long-enough-webhook-secret-1234' } },
  scanners: { 'acr-hz': { type: 'acr', region: 'cn-hangzhou', instanceId: 'cri-unit' } },
  channels: { sec: { type: 'webhook', url: 'https://example.invalid/hook' } },
  routes: [{ source: 'acr', scanner: 'acr-hz', channels: ['sec'], ...over.route }],
});

const recorded = recordingQueue();
const http = withHttp(fakeRuntime(parseConfig(doc()), recorded.queue));
afterAll(() => http.http.close());

describe('sources, scanners and channels are the config own keys, never a prototype member', () => {
  it.each(PROTOTYPE_KEYS)('a route naming "%s" as its source, scanner or channel is refused at load', (key) => {
    expect(() => parseConfig(doc({ route: { source: key } }))).toThrow(`routes[0].source: unknown source "${key}"`);
    expect(() => parseConfig(doc({ route: { scanner: key } }))).toThrow(`routes[0].scanner: unknown scanner "${key}"`);
    expect(() => parseConfig(doc({ route: { channels: [key] } }))).toThrow(`routes[0].channels[0]: unknown channel "${key}"`);
  });

  it.each(PROTOTYPE_KEYS)('startScan and pollStatus: the scanner "%s" is not in the config', (key) => {
    const scanners = withScanners(http, quiet);
    expect(() => scanners.scanner(key)).toThrow(`scanner "${key}" is not in the config`);
    expect(scanners.scannedBy(key)).toEqual({ type: 'unknown', label: 'unknown' });
  });

  it.each(PROTOTYPE_KEYS)('notify: a job for the channel "%s" is dead-lettered as not configured', async (key) => {
    recorded.sent.deadLetters.length = 0;
    const job = { ...NotifyJob.parse(jobOf('sqs/notify-findings.json')), channel: key };
    const record = { messageId: `m-${key}`, body: JSON.stringify(job), attributes: { ApproximateReceiveCount: '1' } } as unknown as SQSRecord;
    const results = await deliverNotifyBatch(withChannels(http, quiet), quiet, [record]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled']);
    expect(recorded.sent.deadLetters.map((d) => d.reason)).toEqual([`channel "${key}" is not configured`]);
  });
});
