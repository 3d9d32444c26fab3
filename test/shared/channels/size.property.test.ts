import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createTargetSims, EXAMPLE_CHANNELS } from '../../../local/simulators/chat/index.js';
import { LOCALES, type Locale } from '../../../shared/channels/i18n.js';
import { ChannelConfig, channelPlugin, channels } from '../../../shared/channels/index.js';
import { buildNotice, type Notice, summaryNotice } from '../../../shared/channels/notice.js';
import { NotifyJob, type Outcome } from '../../../shared/messages/jobs.js';
import { messageBody } from '../../../shared/queue/messageBody.js';
import { carriedReport } from '../../../shared/report/carry.js';
import { judgeReport } from '../../../shared/report/judge.js';
import { type Delta, type ExpiredIgnore, emptyCounts, type Finding, SEVERITIES } from '../../../shared/report/report.js';

/**
 * Never fail for size: any report renders within every target's documented limit, as the fake servers check it.
 */
const sims = createTargetSims();
const CHAT_TYPES = Object.keys(channels).filter((t) => t !== 'webhook');
const NOW = new Date('2026-11-22T06:30:00.000Z');
const DIGEST = `sha256:${'ab'.repeat(32)}`;

const nasty = [
  '🚀',
  '中文',
  '👩‍👩‍👧‍👦',
  '<!channel>',
  '@everyone',
  '<at id=all></at>',
  '`',
  '*_~|',
  '[x](javascript:alert(1))',
  '&amp;',
  '\n# heading\n',
  '\u0000',
  '\ud800',
];
/** Any text up to `maxLength`, often that long: fast-check's default sizes would stay far below the limits. */
const text = (maxLength: number) =>
  fc.oneof(
    fc.string({ unit: 'binary', maxLength, size: 'max' }),
    fc.string({ unit: 'grapheme', maxLength }),
    fc.array(fc.constantFrom(...nasty), { maxLength: Math.ceil(maxLength / 4), size: 'max' }).map((a) => a.join('')),
    fc.string({ unit: fc.constantFrom('中', '文', '漏', '洞', '😀', 'a', '-'), maxLength, size: 'max' }),
  );
const url = fc.oneof(fc.webUrl({ withQueryParameters: true }), text(50), fc.constant(`https://example.com/${'x'.repeat(3000)}`));

const finding: fc.Arbitrary<Finding> = fc.record(
  {
    id: text(80),
    severity: fc.constantFrom(...SEVERITIES),
    package: text(300),
    installedVersion: text(60),
    fixedVersion: text(60),
    fixCommand: text(200),
    link: url,
  },
  { requiredKeys: ['id', 'severity', 'package'] },
);

const counts = fc.record({ critical: fc.nat(20_000), high: fc.nat(20_000), medium: fc.nat(20_000), low: fc.nat(20_000), unknown: fc.nat(20_000) });
/** Any comparison a report can carry: with a baseline of any tag and digest text, or none, or unreadable for any reason. */
const delta: fc.Arbitrary<Delta> = fc.oneof(
  fc.record(
    {
      status: fc.constant('compared' as const),
      baseline: fc.record({ tag: text(200), digest: text(100) }, { requiredKeys: [] }),
      new: counts,
      fixed: counts,
      newFindings: fc.array(finding, { maxLength: 40, size: 'max' }),
    },
    { requiredKeys: ['status', 'baseline', 'new', 'fixed', 'newFindings'] },
  ),
  fc.record({
    status: fc.constant('none' as const),
    reason: fc.constantFrom('first' as const, 'tag_missing' as const, 'is_baseline' as const),
    tag: text(200),
  }),
  fc.record({ status: fc.constant('unavailable' as const), reason: text(2000) }),
);
const expired: fc.Arbitrary<ExpiredIgnore> = fc.record(
  { id: text(200), package: text(300), until: text(40), severity: fc.constantFrom(...SEVERITIES) },
  { requiredKeys: ['id', 'until', 'severity'] },
);
const outcome: fc.Arbitrary<Outcome> = fc.oneof(
  fc.record({
    status: fc.constant('complete' as const),
    report: fc.record(
      {
        counts,
        total: fc.nat(10_000),
        fixable: fc.nat(10_000),
        findings: fc.array(finding, { maxLength: 40, size: 'max' }),
        consoleUrl: url,
        delta,
        ignored: fc.nat(10_000),
        expired: fc.array(expired, { maxLength: 12 }),
        withoutFix: fc.nat(10_000),
      },
      { requiredKeys: ['counts', 'total', 'findings'] },
    ),
  }),
  fc.record({ status: fc.constant('failed' as const), reason: text(5000) }),
  fc.record({ status: fc.constant('error' as const), code: text(100), reason: text(5000), retryable: fc.boolean() }),
  fc.record({ status: fc.constant('timed_out' as const), waitedSeconds: fc.nat(1_000_000) }),
);

const name = text(300).filter((s) => s.length > 0);
const job: fc.Arbitrary<NotifyJob> = fc
  .record({
    namespace: name,
    repository: name,
    tag: fc.option(name, { nil: undefined }),
    tags: fc.array(
      text(128).filter((s) => s.length > 0),
      { maxLength: 30, size: 'max' },
    ),
    outcome,
    scanner: name,
  })
  .map(({ namespace, repository, tag, tags, outcome, scanner }) => ({
    kind: 'notify',
    v: 1,
    jobId: 'job-1',
    route: 0,
    channel: 'c',
    scanner,
    scannerType: 'acr',
    image: { source: 'acr', namespace, repository, ...(tag ? { tag } : {}), tags, digest: DIGEST },
    outcome,
    scanStartedAt: '2026-11-22T06:00:00.000Z',
    finishedAt: '2026-11-22T06:29:00.000Z',
  }));

const notice = (locale: Locale): fc.Arbitrary<{ job: NotifyJob; notice: Notice }> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.tuple(job, text(200)).map(([j, label]) => ({ job: j, notice: buildNotice(j, label, locale) })) },
    {
      weight: 1,
      arbitrary: fc.array(job, { minLength: 1, maxLength: 60, size: 'max' }).map((jobs) => ({
        job: jobs[0]!,
        notice: summaryNotice(
          jobs.map((j) => buildNotice(j, 'ACR', locale)),
          locale,
        ),
      })),
    },
  );

const violations = (type: string, locale: Locale, input: { job: NotifyJob; notice: Notice }) => {
  const config = ChannelConfig.parse({ ...EXAMPLE_CHANNELS[type], locale });
  const req = channelPlugin(type).render(config, { ...input, now: NOW });
  return sims[type]!.violations({ method: 'POST', url: new URL(req.url), headers: req.headers, body: req.body });
};

describe.each(CHAT_TYPES)('%s stays within its documented limits', (type) => {
  it.each(LOCALES)('for any notice or summary, in %s', (locale) => {
    fc.assert(
      fc.property(notice(locale), (input) => {
        expect(violations(type, locale, input)).toEqual([]);
      }),
      // No shrinking: a counterexample of huge random strings would take minutes to shrink.
      { numRuns: 60, endOnFailure: true },
    );
  });

  it.each(LOCALES)('10 000 findings with 300-character emoji and CJK package names, in %s: within limits, the rest as "+N more"', (locale) => {
    const many: Finding[] = Array.from({ length: 10_000 }, (_, i) => ({
      id: `CVE-2024-${10_000 + i}`,
      severity: SEVERITIES[i % 5]!,
      package: `${'包-📦-'.repeat(60)}${i}`.slice(0, 300),
      installedVersion: `1.${i}.0-中`,
      ...(i % 2 ? { fixedVersion: `1.${i}.1-✓` } : { fixCommand: `apk upgrade ${'😀'.repeat(50)}` }),
      link: `https://avd.aliyun.com/detail?id=AVD-2024-${i}`,
    }));
    const j = NotifyJob.parse({
      kind: 'notify',
      v: 1,
      jobId: 'j',
      route: 0,
      channel: 'c',
      scanner: 'acr-hz',
      scannerType: 'acr',
      image: { source: 'acr', namespace: '命名空间'.repeat(20), repository: '仓库🚀'.repeat(20), tag: 'v1', digest: DIGEST },
      outcome: {
        status: 'complete',
        report: {
          counts: { critical: 2000, high: 2000, medium: 2000, low: 2000, unknown: 2000 },
          total: 10_000,
          fixable: 5000,
          findings: many,
          consoleUrl: 'https://cr.console.aliyun.com/x',
        },
      },
      finishedAt: '2026-11-22T06:29:00.000Z',
    });
    const input = { job: j, notice: buildNotice(j, 'Alibaba Cloud ACR', locale) };
    expect(violations(type, locale, input)).toEqual([]);
    const config = ChannelConfig.parse({ ...EXAMPLE_CHANNELS[type], locale });
    const body = channelPlugin(type).render(config, { ...input, now: NOW }).body;
    const more = locale === 'en' ? /\+(\d+) more/ : /另有 (\d+) 个/;
    const hidden = Number(more.exec(body)?.[1]);
    const shown = (body.match(/CVE-2024-1\d{4}/g) ?? []).length;
    expect(shown, 'at least one finding shown').toBeGreaterThan(0);
    expect(hidden + new Set(body.match(/CVE-2024-1\d{4}/g)).size).toBe(10_000);
  });
});

describe.each(CHAT_TYPES)('%s: a delta of two 10 000-finding images with long package names', (type) => {
  /** 10 000 findings with 300-character emoji and CJK package names; `shift` of them differ between two images. */
  const image = (shift: number): Finding[] =>
    Array.from({ length: 10_000 }, (_, k) => {
      const i = k + shift;
      return {
        id: `CVE-2024-${10_000 + i}`,
        severity: SEVERITIES[i % 5]!,
        package: `${'包-📦-'.repeat(60)}${i}`.slice(0, 300),
        installedVersion: `1.${i}.0-中`,
        ...(i % 2 ? { fixedVersion: `1.${i}.1-✓` } : { fixCommand: `apk upgrade ${'😀'.repeat(50)}` }),
        link: `https://avd.aliyun.com/detail?id=AVD-2024-${i}`,
      };
    });
  const current = image(250);
  const scannedCounts = emptyCounts();
  for (const f of current) scannedCounts[f.severity]++;
  const report = carriedReport(
    judgeReport({
      scanned: {
        report: { counts: scannedCounts, total: 10_000, findings: current.slice(0, 20), consoleUrl: 'https://cr.console.aliyun.com/x' },
        findings: current,
        complete: true,
      },
      baseline: { status: 'compared', image: { tag: `release-${'標'.repeat(100)}`, digest: DIGEST }, findings: image(0), complete: true },
      policy: { ignore: [], fixableOnly: false },
      now: NOW,
    }),
  );
  const j = NotifyJob.parse({
    kind: 'notify',
    v: 1,
    jobId: 'j',
    route: 0,
    channel: 'c',
    scanner: 'acr-hz',
    scannerType: 'acr',
    image: { source: 'acr', namespace: 'team', repository: 'app', tag: 'v2', digest: DIGEST },
    outcome: { status: 'complete', report },
    finishedAt: '2026-11-22T06:29:00.000Z',
  });

  it('the notify job carries counts and 20 new findings, within SQS’s 256 KiB', () => {
    expect(report.delta).toMatchObject({ status: 'compared', new: { critical: 50, high: 50, medium: 50, low: 50, unknown: 50 } });
    expect(report.delta?.status === 'compared' && report.delta.newFindings).toHaveLength(20);
    expect(messageBody(j).length).toBeLessThan(256 * 1024);
  });

  it.each(LOCALES)('renders within the limits in %s, new findings first, the rest as "+N more"', (locale) => {
    const input = { job: j, notice: buildNotice(j, 'Alibaba Cloud ACR', locale) };
    expect(violations(type, locale, input)).toEqual([]);
    const body = channelPlugin(type).render(ChannelConfig.parse({ ...EXAMPLE_CHANNELS[type], locale }), { ...input, now: NOW }).body;
    const first = /CVE-2024-(\d{5})/.exec(body)?.[1];
    expect(Number(first), 'the first finding shown is a new one').toBeGreaterThanOrEqual(20_000);
    expect(body).toContain(locale === 'en' ? 'new' : '新增');
  });
});
