import { describe, expect, it } from 'vitest';
import { channelGroup, notifyJobKey } from '../../../shared/messages/jobId.js';
import { NotifyJob } from '../../../shared/messages/jobs.js';
import { jobOf } from '../../support/events.js';

const result = NotifyJob.parse(jobOf('sqs/notify-findings.json'));

describe('notifyJobKey: what makes two notify jobs one message', () => {
  it('the same result reached by two paths (other jobIds, finish times) is one message', () => {
    const byTimer = { ...result, jobId: 'timer-path', finishedAt: '2026-11-29T10:00:08.000Z' };
    const byEvent = { ...result, jobId: 'event-path', finishedAt: '2026-11-29T10:00:01.000Z' };
    expect(notifyJobKey(byEvent)).toBe(notifyJobKey(byTimer));
  });

  it('another channel, route, scanner, image, tag, outcome or sweep is another message', () => {
    const key = notifyJobKey(result);
    const others: NotifyJob[] = [
      { ...result, channel: 'other' },
      { ...result, route: result.route + 1 },
      { ...result, scanner: 'other-scanner' },
      { ...result, image: { ...result.image, repository: 'other-repo' } },
      { ...result, image: { ...result.image, digest: `sha256:${'e'.repeat(64)}` } },
      { ...result, image: { ...result.image, tag: 'other-tag' } },
      { ...result, outcome: { status: 'failed', reason: 'scanner said so' } },
      { ...result, rescan: { sweep: '2026-11-29T06:00:00.000Z' } },
    ];
    for (const other of others) expect(notifyJobKey(other)).not.toBe(key);
  });

  it('an ops notice is the same only as its exact copy', () => {
    const ops: NotifyJob = { ...result, ops: true, outcome: { status: 'error', code: 'X', reason: 'dead-lettered: one', retryable: false } };
    expect(notifyJobKey({ ...ops })).toBe(notifyJobKey(ops));
    expect(notifyJobKey({ ...ops, outcome: { ...ops.outcome, reason: 'dead-lettered: two' } as NotifyJob['outcome'] })).not.toBe(notifyJobKey(ops));
    expect(notifyJobKey({ ...ops, jobId: 'another-job' })).not.toBe(notifyJobKey(ops));
    expect(notifyJobKey(ops)).not.toBe(notifyJobKey(result));
  });
});

describe('channelGroup', () => {
  it('is one group per channel, in the characters SQS allows for a group id, whatever the key holds', () => {
    const groups = ['sec', 'Sec', 'ops team/#1', '中文'].map(channelGroup);
    expect(new Set(groups).size).toBe(4);
    for (const g of groups) expect(g).toMatch(/^[A-Za-z0-9-]{1,128}$/);
    expect(channelGroup('sec')).toBe(groups[0]);
  });
});
