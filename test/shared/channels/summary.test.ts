import { describe, expect, it } from 'vitest';
import { buildNotice, SEVERITY_COLOUR, SEVERITY_EMOJI, summaryNotice } from '../../../shared/channels/notice.js';
import { NotifyJob } from '../../../shared/messages/jobs.js';
import { emptyCounts } from '../../../shared/report/report.js';
import { jobOf } from '../../support/events.js';

/** The findings sample, pushed with its one tag. */
const sample = (): NotifyJob => {
  const job = NotifyJob.parse(jobOf('sqs/notify-findings.json'));
  return { ...job, image: { ...job.image, tags: [job.image.tag!] } };
};
const withImage = (job: NotifyJob, repository: string, tags?: string[]): NotifyJob => ({
  ...job,
  image: { ...job.image, repository, ...(tags ? { tag: tags[0], tags } : {}) },
});
const notice = (job: NotifyJob) => buildNotice(job, 'ACR');

const high = sample(); // worst high, with a console link
const CONSOLE = 'https://cr.console.aliyun.com/cn-hangzhou/instance/cri-xxxxxxxx/repository/crr-d2fb50d28e1c5ee5/images';
const clean: NotifyJob = { ...sample(), outcome: { status: 'complete', report: { counts: emptyCounts(), total: 0, findings: [] } } };
const failed: NotifyJob = { ...sample(), outcome: { status: 'failed', reason: 'layer too large' } };
const critical: NotifyJob = {
  ...sample(),
  outcome: { status: 'complete', report: { counts: { ...emptyCounts(), critical: 1 }, total: 1, findings: [] } },
};

describe('summaryNotice', () => {
  it('lists every result as an item: image, emoji, headline, console link', () => {
    const jobs = [withImage(high, 'api'), withImage(clean, 'web'), withImage(failed, 'worker')];
    const summary = summaryNotice(jobs.map(notice));
    expect(summary.kind).toBe('summary');
    expect(summary.items).toEqual([
      { image: 'team-a/api:1.4.2', emoji: SEVERITY_EMOJI.high, headline: '57 vulnerabilities found, worst high', consoleUrl: CONSOLE },
      { image: 'team-a/web:1.4.2', emoji: SEVERITY_EMOJI.none, headline: 'No vulnerabilities found' },
      { image: 'team-a/worker:1.4.2', emoji: '❌', headline: 'Scan failed: layer too large' },
    ]);
    expect(summary.image).toBe('3 scan results');
    expect(summary.headline).not.toBe('');
  });

  it('takes the worst severity among the results for its emoji and colour', () => {
    const summary = summaryNotice([high, critical, clean].map(notice));
    expect(summary).toMatchObject({ worst: 'critical', emoji: SEVERITY_EMOJI.critical, colour: SEVERITY_COLOUR.critical });
  });

  it("shows a failure's colour when no result has findings, and green when all are clean", () => {
    expect(summaryNotice([clean, failed].map(notice))).toMatchObject({ emoji: '⚠️', colour: SEVERITY_COLOUR.failure });
    expect(summaryNotice([clean, clean].map(notice))).toMatchObject({ emoji: SEVERITY_EMOJI.none, colour: SEVERITY_COLOUR.none });
    expect(summaryNotice([clean, failed].map(notice)).worst).toBeUndefined();
  });

  it('keeps one item for a digest pushed with several tags, naming every tag', () => {
    const summary = summaryNotice([withImage(high, 'api', ['1.4.2', '1.4', 'latest']), withImage(clean, 'web')].map(notice));
    expect(summary.items).toHaveLength(2);
    expect(summary.items![0]!.image).toBe('team-a/api:1.4.2, 1.4, latest');
  });

  it('speaks Chinese for a zh-CN channel', () => {
    const summary = summaryNotice([critical, clean].map(notice), 'zh-CN');
    expect(summary.image).toBe('2 个扫描结果');
    expect(summary.headline).toMatch(/[\u4e00-\u9fff]/);
  });
});
