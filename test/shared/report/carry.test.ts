import { describe, expect, it } from 'vitest';
import { type NotifyJob, NotifyJob as NotifyJobSchema } from '../../../shared/messages/jobs.js';
import { messageBody } from '../../../shared/queue/messageBody.js';
import { carriedReport, clipEscaped, escapedBytes } from '../../../shared/report/carry.js';
import { emptyCounts, type Finding, type Report } from '../../../shared/report/report.js';

const SQS_MAX_BYTES = 256 * 1024;
const huge = (unit: string) => unit.repeat(100_000);

/** A finding whose every field a scanner filled with 100 000 non-ASCII characters (6 bytes each in a message body). */
const hugeFinding = (i: number): Finding => ({
  id: `${huge('漏')}${i}`,
  severity: 'critical',
  package: huge('📦'),
  installedVersion: huge('版'),
  fixedVersion: huge('本'),
  fixCommand: huge('修'),
  link: `https://example.com/${huge('é')}`,
});

const job = (report: Report): NotifyJob =>
  NotifyJobSchema.parse({
    kind: 'notify',
    v: 1,
    jobId: 'j',
    route: 0,
    channel: 'c',
    scanner: 'acr-hz',
    scannerType: 'acr',
    // The longest image the webhook lets through: 255-character names, 100 tags of 128.
    image: {
      source: 'acr',
      namespace: 'n'.repeat(120),
      repository: 'r'.repeat(134),
      tag: 't'.repeat(128),
      tags: Array.from({ length: 100 }, (_, i) => `${i}`.padEnd(128, 't')),
      digest: `sha256:${'a'.repeat(64)}`,
    },
    outcome: { status: 'complete', report },
    finishedAt: '2026-11-29T00:00:00.000Z',
  });

describe('carriedReport: a notify job stays within SQS’s message size whatever a scanner sent', () => {
  it('20 findings, 20 new ones and 10 expired entries, every field huge and non-ASCII: under 256 KiB as the queue writes it', () => {
    const report = carriedReport({
      counts: { ...emptyCounts(), critical: 10_000 },
      total: 10_000,
      findings: Array.from({ length: 40 }, (_, i) => hugeFinding(i)),
      consoleUrl: `https://console.example/${huge('x')}`,
      delta: {
        status: 'compared',
        baseline: { tag: huge('标'), digest: huge('d') },
        new: { ...emptyCounts(), critical: 10_000 },
        fixed: emptyCounts(),
        newFindings: Array.from({ length: 40 }, (_, i) => hugeFinding(i)),
      },
      ignored: 5,
      expired: Array.from({ length: 30 }, (_, i) => ({ id: huge('過'), package: huge('包'), until: `2026-01-${i}`, severity: 'high' as const })),
    });
    const body = messageBody(job(report));
    expect(body.length).toBeLessThan(SQS_MAX_BYTES);
    expect(report.findings).toHaveLength(20);
    expect(report.delta?.status === 'compared' && report.delta.newFindings).toHaveLength(20);
    expect(report.expired).toHaveLength(10);
    // A cut link leads nowhere: dropped; a cut text says so.
    expect(report.findings[0]!.link).toBeUndefined();
    expect(report.consoleUrl).toBeUndefined();
    expect(report.findings[0]!.package.endsWith('…')).toBe(true);
  });

  it('leaves a report of ordinary size exactly as it was', () => {
    const ordinary: Report = {
      counts: { ...emptyCounts(), high: 1 },
      total: 1,
      findings: [{ id: 'CVE-2024-1', severity: 'high', package: 'openssl', installedVersion: '3.0.1', fixedVersion: '3.0.2', link: 'https://nvd.nist.gov/x' }],
      consoleUrl: 'https://cr.console.aliyun.com/x',
      delta: { status: 'unavailable', reason: 'Throttling.User: Request was denied due to user flow control.' },
    };
    expect(carriedReport(ordinary)).toEqual(ordinary);
  });
});

describe('clipEscaped', () => {
  it('counts what the queue body costs: ASCII 1, escapes 2 or 6, every other UTF-16 unit 6', () => {
    expect(escapedBytes('ab')).toBe(2);
    expect(escapedBytes('"\\')).toBe(4);
    expect(escapedBytes('中')).toBe(6);
    expect(escapedBytes('😀')).toBe(12);
    expect(escapedBytes('\u0001')).toBe(6);
  });

  it('cuts at a character boundary, never inside a surrogate pair, within the budget', () => {
    const cut = clipEscaped('😀'.repeat(10), 42);
    expect(cut).toBe('😀😀😀…');
    expect(escapedBytes(cut)).toBe(42);
    expect(clipEscaped('😀'.repeat(10), 41)).toBe('😀😀…');
    expect(clipEscaped('short', 40)).toBe('short');
  });
});
