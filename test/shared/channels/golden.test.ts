import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_CHANNELS } from '../../../local/simulators/chat/index.js';
import type { Locale } from '../../../shared/channels/i18n.js';
import { ChannelConfig, channelPlugin, channels } from '../../../shared/channels/index.js';
import { buildNotice, summaryNotice } from '../../../shared/channels/notice.js';
import { NotifyJob } from '../../../shared/messages/jobs.js';
import { jobOf } from '../../support/events.js';

/**
 * The exact request each target receives for each sample report (events/sqs/notify-*.json), rendered at a fixed time.
 * `UPDATE_GOLDEN=1 npx vitest run test/shared/channels/golden.test.ts` rewrites the files; review the diff.
 */
const NOW = new Date('2026-11-22T06:30:00.000Z');
const LABEL = 'Alibaba Cloud ACR';
const update = process.env.UPDATE_GOLDEN === '1';
const report = (name: string) => NotifyJob.parse(jobOf(`sqs/notify-${name}.json`));
const REPORTS = ['clean', 'findings', 'failed', 'timed-out', 'error-permission'];

const CASES: { name: string; locale: Locale; input: () => { job: NotifyJob; notice: ReturnType<typeof buildNotice> } }[] = [
  ...REPORTS.map((name) => ({ name, locale: 'en' as const, input: () => ({ job: report(name), notice: buildNotice(report(name), LABEL) }) })),
  { name: 'findings.zh-CN', locale: 'zh-CN', input: () => ({ job: report('findings'), notice: buildNotice(report('findings'), LABEL, 'zh-CN') }) },
  // Compared with the previous tag: new and fixed counts, the new findings first, an ignored and an expired accepted risk.
  { name: 'delta', locale: 'en', input: () => ({ job: report('delta'), notice: buildNotice(report('delta'), LABEL) }) },
  { name: 'delta.zh-CN', locale: 'zh-CN', input: () => ({ job: report('delta'), notice: buildNotice(report('delta'), LABEL, 'zh-CN') }) },
  { name: 'summary', locale: 'en', input: () => ({ job: report('findings'), notice: summaryNotice(REPORTS.map((r) => buildNotice(report(r), LABEL))) }) },
  {
    name: 'summary.zh-CN',
    locale: 'zh-CN',
    input: () => ({
      job: report('findings'),
      notice: summaryNotice(
        REPORTS.map((r) => buildNotice(report(r), LABEL, 'zh-CN')),
        'zh-CN',
      ),
    }),
  },
];

describe.each(Object.keys(channels))('%s golden payloads', (type) => {
  it.each(CASES)('$name', ({ name, locale, input }) => {
    const config = ChannelConfig.parse({ ...EXAMPLE_CHANNELS[type], locale });
    const req = channelPlugin(type).render(config, { ...input(), now: NOW });
    const text = `${JSON.stringify({ method: 'POST', url: req.url, headers: req.headers, body: JSON.parse(req.body) }, null, 2)}\n`;
    const file = new URL(`./golden/${type}/${name}.json`, import.meta.url);
    if (update) {
      mkdirSync(new URL('.', file), { recursive: true });
      writeFileSync(file, text);
    }
    expect(existsSync(file), `${file.pathname} is missing: run with UPDATE_GOLDEN=1`).toBe(true);
    expect(text).toBe(readFileSync(file, 'utf8'));
  });
});
