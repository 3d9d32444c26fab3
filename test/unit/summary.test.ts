import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { NotifyJob } from '../../shared/messages.js';
import { buildNotice, SEVERITY_COLOUR, SEVERITY_EMOJI } from '../../shared/notice.js';
import { emptyCounts } from '../../shared/report.js';
import { buildSummary } from '../../shared/summary.js';

const sample = (): NotifyJob => JSON.parse(readFileSync(new URL('../../events/sqs/notify-job-complete.json', import.meta.url), 'utf8'));
const withImage = (job: NotifyJob, repository: string, tags?: string[]): NotifyJob => ({
  ...job,
  image: { ...job.image, repository, ...(tags ? { tag: tags[0], tags } : {}) },
});
const result = (job: NotifyJob) => ({ job, notice: buildNotice(job, 'ACR') });

const high = sample(); // worst high, with a console link
const CONSOLE = 'https://cr.console.aliyun.com/cn-hangzhou/instance/cri-xxxxxxxx/repository/crr-d2fb50d28e1c5ee5/images';
const clean: NotifyJob = { ...sample(), outcome: { status: 'complete', report: { counts: emptyCounts(), total: 0, findings: [] } } };
const failed: NotifyJob = { ...sample(), outcome: { status: 'failed', reason: 'layer too large' } };
const critical: NotifyJob = {
  ...sample(),
  outcome: { status: 'complete', report: { counts: { ...emptyCounts(), critical: 1 }, total: 1, findings: [] } },
};

describe('buildSummary', () => {
  it('lists every result as an item: image, emoji, headline, console link', () => {
    const jobs = [withImage(high, 'api'), withImage(clean, 'web'), withImage(failed, 'worker')];
    const summary = buildSummary(jobs.map(result));
    expect(summary.kind).toBe('summary');
    expect(summary.items).toEqual([
      { image: 'team-a/api:1.4.2', emoji: SEVERITY_EMOJI.high, headline: '4 vulnerabilities found, worst high', consoleUrl: CONSOLE },
      { image: 'team-a/web:1.4.2', emoji: SEVERITY_EMOJI.none, headline: 'No vulnerabilities found' },
      { image: 'team-a/worker:1.4.2', emoji: '❌', headline: 'Scan failed: layer too large' },
    ]);
    expect(summary.image).toBe('3 scan results');
    expect(summary.headline).toContain('3 results in one message');
  });

  it('takes the worst severity among the results for its emoji and colour', () => {
    const summary = buildSummary([high, critical, clean].map(result));
    expect(summary).toMatchObject({ worst: 'critical', emoji: SEVERITY_EMOJI.critical, colour: SEVERITY_COLOUR.critical });
    expect(summary.headline).toContain('worst critical');
  });

  it("shows a failure's colour when no result has findings, and green when all are clean", () => {
    expect(buildSummary([clean, failed].map(result))).toMatchObject({ emoji: '⚠️', colour: SEVERITY_COLOUR.failure });
    expect(buildSummary([clean, clean].map(result))).toMatchObject({ emoji: SEVERITY_EMOJI.none, colour: SEVERITY_COLOUR.none });
    expect(buildSummary([clean, failed].map(result)).worst).toBeUndefined();
  });

  it('keeps one item for a digest pushed with several tags, naming every tag', () => {
    const summary = buildSummary([withImage(high, 'api', ['1.4.2', '1.4', 'latest']), withImage(clean, 'web')].map(result));
    expect(summary.items).toHaveLength(2);
    expect(summary.items![0]!.image).toBe('team-a/api:1.4.2, 1.4, latest');
  });

  it('speaks Chinese for a zh-CN channel', () => {
    const summary = buildSummary([critical, clean].map(result), 'zh-CN');
    expect(summary.image).toBe('2 个扫描结果');
    expect(summary.headline).toContain('2 个结果合并为一条消息');
    expect(summary.headline).toContain('严重');
  });
});
