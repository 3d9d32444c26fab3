import { describe, expect, it } from 'vitest';
import { EXAMPLE_CHANNELS } from '../../../local/simulators/chat/index.js';
import { localeOf, texts } from '../../../shared/channels/i18n.js';
import { ChannelConfig, channelPlugin, channels } from '../../../shared/channels/index.js';
import { buildNotice, formatDuration, SEVERITY_COLOUR, summaryNotice } from '../../../shared/channels/notice.js';
import { NotifyJob } from '../../../shared/messages/jobs.js';
import { jobOf } from '../../support/events.js';

const report = (name: string) => NotifyJob.parse(jobOf(`sqs/notify-${name}.json`));
const NAMES = ['findings', 'clean', 'failed', 'timed-out', 'error-permission'];

describe('buildNotice in Simplified Chinese', () => {
  it('every outcome has its own Chinese headline and advice', () => {
    const zh = NAMES.map((n) => buildNotice(report(n), 'ACR', 'zh-CN'));
    expect(zh.map((n) => n.headline)).toEqual([
      '发现 57 个漏洞，最高高危',
      '未发现漏洞',
      '扫描失败：ACR reported the scan as FAILED (image layer larger than 3 GB)',
      '扫描 1小时0分 后仍未完成：scanhook 已停止等待',
      '无法扫描：NoPrivilege：ACR answered 403 NoPrivilege for CreateRepoTagScanTask',
    ]);
    expect(zh[4]!.advice).toContain('凭证');
    expect(new Set(zh.slice(2).map((n) => n.advice)).size).toBe(3);
    expect(zh[0]!.duration).toBe('1分34秒');
  });

  it('durations per locale', () => {
    expect(formatDuration(59_000, 'zh-CN')).toBe('59秒');
    expect(formatDuration(5_430_000, 'zh-CN')).toBe('1小时30分');
    expect(formatDuration(125_000)).toBe('2m 5s');
  });

  it('a channel entry without a locale is English', () => {
    expect(localeOf({ type: 'slack' })).toBe('en');
    expect(localeOf({ type: 'slack', locale: 'zh-CN' })).toBe('zh-CN');
  });
});

describe('no English label in a zh-CN message, on any target', () => {
  const en = texts('en');
  const labels = [
    en.digest,
    en.scanner,
    en.scanTook,
    en.tags,
    en.openReport,
    en.noFix,
    'more',
    en.clean,
    'vulnerabilities found',
    'Critical',
    'fixable',
    'scan results',
  ];
  it.each(Object.keys(channels).filter((t) => t !== 'webhook'))('%s', (type) => {
    const config = ChannelConfig.parse({ ...EXAMPLE_CHANNELS[type], locale: 'zh-CN' });
    for (const name of NAMES) {
      const job = report(name);
      const notice = buildNotice(job, 'ACR', 'zh-CN');
      const body = channelPlugin(type).render(config, { job, notice, now: new Date() }).body;
      for (const label of labels) expect(body, `${type} ${name}: "${label}"`).not.toContain(label);
    }
    const summary = summaryNotice(
      NAMES.map((n) => buildNotice(report(n), 'ACR', 'zh-CN')),
      'zh-CN',
    );
    const body = channelPlugin(type).render(config, { job: report('findings'), notice: summary, now: new Date() }).body;
    for (const label of labels) expect(body, `${type} summary: "${label}"`).not.toContain(label);
  });
});

describe('summaryNotice', () => {
  const parts = NAMES.map((n) => buildNotice(report(n), 'ACR'));
  it('one line per result, the worst severity’s colour, and how the results came out', () => {
    const s = summaryNotice(parts);
    expect(s.kind).toBe('summary');
    expect(s.items).toHaveLength(5);
    expect(s.items![0]).toEqual({
      image: 'team-a/api-gw:1.4.2, 1.4, latest',
      emoji: '🔴',
      headline: '57 vulnerabilities found, worst high',
      consoleUrl: parts[0]!.consoleUrl,
    });
    expect(s.worst).toBe('high');
    expect(s.colour).toBe(SEVERITY_COLOUR.high);
    expect(s.image).toBe('5 scan results');
    expect(s.headline).toBe('1 with vulnerabilities · 1 clean · 3 not scanned');
  });
  it('without findings, a failure colours it; all clean is green', () => {
    expect(summaryNotice(parts.slice(1)).colour).toBe(SEVERITY_COLOUR.failure);
    expect(summaryNotice([parts[1]!]).colour).toBe(SEVERITY_COLOUR.none);
    expect(summaryNotice([parts[1]!]).image).toBe('1 scan result');
  });
});

describe('buildNotice: what changed since the baseline', () => {
  const delta = report('delta');
  const withReport = (over: Record<string, unknown>, job = delta): NotifyJob => {
    if (job.outcome.status !== 'complete') throw new Error('complete expected');
    return NotifyJob.parse({ ...job, outcome: { status: 'complete', report: { ...job.outcome.report, ...over } } });
  };

  it('says since which tag and digest, how many new and fixed per severity, and lists the new findings first, marked, each once', () => {
    const notice = buildNotice(delta, 'ACR');
    expect(notice.headline).toBe('57 vulnerabilities found, worst high · 3 new, 3 fixed');
    expect(notice.since).toBe('1.4.1 (3f2a9c1b0d4e)');
    expect(notice.change).toEqual({
      new: { critical: 0, high: 1, medium: 1, low: 1, unknown: 0 },
      fixed: { critical: 0, high: 0, medium: 1, low: 2, unknown: 0 },
    });
    expect(notice.findings.slice(0, 4).map((f) => [f.id, f.isNew ?? false])).toEqual([
      ['CVE-2026-0142', true],
      ['CVE-2026-0391', true],
      ['CVE-2026-0455', true],
      ['CVE-2024-6119', false],
    ]);
    expect(notice.findings.filter((f) => f.id === 'CVE-2026-0142')).toHaveLength(1);
    expect(notice.notes).toEqual([
      '2 ignored as accepted risks (not counted)',
      'Accepted risk expired, counted again: CVE-2024-6304 in zlib (until 2026-10-31)',
    ]);
  });

  it('nothing new: the headline says so', () => {
    const same = withReport({
      delta: {
        status: 'compared',
        baseline: { tag: '1.4.1' },
        new: { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 },
        fixed: { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 },
        newFindings: [],
      },
    });
    expect(buildNotice(same, 'ACR').headline).toBe('57 vulnerabilities found, worst high · nothing new');
    expect(buildNotice(same, 'ACR', 'zh-CN').headline).toBe('发现 57 个漏洞，最高高危 · 无新增');
    expect(buildNotice(same, 'ACR').since).toBe('1.4.1');
  });

  it.each([
    [{ status: 'none', reason: 'first' }, 'No baseline: the first scanned image of this repository, so the full report follows'],
    [{ status: 'none', reason: 'tag_missing', tag: 'prod' }, 'No baseline: tag prod has no completed scan, so the full report follows'],
    [{ status: 'none', reason: 'is_baseline', tag: 'prod' }, 'Not compared: this image is the baseline tag prod'],
    [
      { status: 'unavailable', reason: 'ListRepoTag: Throttling.User' },
      'Not compared: the baseline could not be read, so the full report follows (ListRepoTag: Throttling.User)',
    ],
  ])('no comparison (%o): says why, and the report is the full one', (d, note) => {
    const notice = buildNotice(withReport({ delta: d, ignored: undefined, expired: undefined }), 'ACR');
    expect(notice.notes).toEqual([note]);
    expect(notice.since).toBeUndefined();
    expect(notice.headline).toBe('57 vulnerabilities found, worst high');
    expect(notice.findings.every((f) => !f.isNew)).toBe(true);
  });

  it('a registry’s own result says it compares nothing: counts only', () => {
    const harbor = NotifyJob.parse({ ...report('findings'), scanner: 'registry', scannerType: 'harbor' });
    expect(buildNotice(harbor, 'Harbor').notes).toEqual(["Not compared: Harbor's own scan result carries severity counts only"]);
    expect(buildNotice(harbor, 'Harbor', 'zh-CN').notes).toEqual(['未对比：Harbor 自身的扫描结果只有各级别数量']);
  });

  it('fixableOnly: how many were left out for want of a fix', () => {
    expect(buildNotice(withReport({ withoutFix: 12, ignored: undefined, expired: undefined }), 'ACR').notes).toEqual(['+12 without a fix (not counted)']);
  });

  it('no English word in a zh-CN delta message, on any target', () => {
    const words = ['Since', 'New ', 'Fixed', 'new', 'ignored', 'expired', 'baseline', 'without a fix'];
    for (const type of Object.keys(channels).filter((t) => t !== 'webhook')) {
      const config = ChannelConfig.parse({ ...EXAMPLE_CHANNELS[type], locale: 'zh-CN' });
      const body = channelPlugin(type).render(config, { job: delta, notice: buildNotice(delta, 'ACR', 'zh-CN'), now: new Date() }).body;
      for (const word of words) expect(body, `${type}: "${word}"`).not.toContain(word);
    }
  });
});

describe('buildNotice: a re-scan by a sweep', () => {
  const delta = report('delta');
  const rescan = (over: Partial<NotifyJob> = {}): NotifyJob =>
    NotifyJob.parse({
      ...delta,
      image: { ...delta.image, pushedAt: '2026-11-17T08:00:00Z' },
      finishedAt: '2026-11-29T09:00:00Z',
      rescan: { sweep: '2026-11-29T03:00:00Z', lastScannedAt: '2026-11-20T03:00:00Z' },
      ...over,
    });

  it('says it is a re-scan, how many are new since the last scan, when that was and how long ago the image was pushed', () => {
    const notice = buildNotice(rescan(), 'ACR');
    expect(notice.headline).toBe('Re-scan: 57 vulnerabilities found, worst high · 3 new since the last scan');
    expect(notice.since).toBe('its last scan (on 2026-11-20); pushed 12 days ago');
    expect(notice.findings[0]).toMatchObject({ id: 'CVE-2026-0142', isNew: true });
  });

  it('without a scan date or a push time it says so; in Chinese too', () => {
    const { pushedAt: _, ...unknownPush } = delta.image;
    const job = rescan({ image: unknownPush, rescan: { sweep: '2026-11-29T03:00:00Z' } });
    expect(buildNotice(job, 'ACR').since).toBe('its last scan (date not given by the scanner); pushed on an unknown date');
    const zh = buildNotice(rescan(), 'ACR', 'zh-CN');
    expect(zh.headline).toBe('定期重新扫描：发现 57 个漏洞，最高高危 · 与上次扫描相比新增 3');
    expect(zh.since).toBe('此镜像上次扫描（2026-11-20）；推送于12 天前');
  });

  it('a failed re-scan says it is a re-scan', () => {
    const failed = rescan({ outcome: { status: 'failed', reason: 'ACR reported the scan as FAILED' } });
    expect(buildNotice(failed, 'ACR').headline).toBe('Re-scan: Scan failed: ACR reported the scan as FAILED');
  });

  it('every target shows the re-scan line and the last scan', () => {
    for (const type of Object.keys(channels)) {
      const config = ChannelConfig.parse(EXAMPLE_CHANNELS[type]);
      const job = rescan();
      const body = channelPlugin(type).render(config, { job, notice: buildNotice(job, 'ACR'), now: new Date() }).body;
      expect(body, type).toContain('Re-scan: ');
      if (type !== 'webhook') expect(body, type).toContain('its last scan (on 2026-11-20)');
      else expect(JSON.parse(body).rescan).toEqual({ sweep: '2026-11-29T03:00:00Z', lastScannedAt: '2026-11-20T03:00:00Z' });
    }
  });
});
