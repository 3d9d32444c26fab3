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
