import { describe, expect, it } from 'vitest';
import { clipNotice } from '../../../shared/channels/fit.js';
import { buildNotice, countsLine, formatDuration, type Notice, shortDigest } from '../../../shared/channels/notice.js';
import { findingsText, slackChannel, slackMessage } from '../../../shared/channels/slack.js';
import { CallError } from '../../../shared/http/callError.js';
import type { HttpResponse } from '../../../shared/http/client.js';
import { NotifyJob, type Outcome } from '../../../shared/messages/jobs.js';
import type { Finding, Report } from '../../../shared/report/report.js';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;
const LABEL = 'Alibaba Cloud ACR';

const job = (outcome: Outcome, over: Partial<NotifyJob> = {}): NotifyJob =>
  NotifyJob.parse({
    kind: 'notify',
    v: 1,
    jobId: 'job-1',
    route: 0,
    channel: 'team-slack',
    scanner: 'acr-hz',
    scannerType: 'acr',
    image: { source: 'acr', region: 'cn-hangzhou', namespace: 'team', repository: 'api-gw', tag: 'v1.4.2', digest: DIGEST },
    outcome,
    scanStartedAt: '2024-06-01T12:00:00.000Z',
    finishedAt: '2024-06-01T12:02:05.000Z',
    ...over,
  });

const report = (over: Partial<Report> = {}): Report => ({
  counts: { critical: 0, high: 2, medium: 1, low: 0, unknown: 0 },
  total: 3,
  fixable: 2,
  findings: [
    {
      id: 'CVE-2024-0001',
      severity: 'high',
      package: 'openssl',
      installedVersion: '3.0.1',
      fixedVersion: '3.0.13',
      link: 'https://nvd.nist.gov/vuln/detail/CVE-2024-0001',
    },
    { id: 'CVE-2024-0002', severity: 'high', package: 'zlib', installedVersion: '1.2.11', fixedVersion: '1.2.13' },
    { id: 'CVE-2024-0003', severity: 'medium', package: 'busybox', installedVersion: '1.36.0' },
  ],
  consoleUrl: 'https://cr.console.aliyun.com/cn-hangzhou/instance/cri-hz/repository/crr-1/images',
  ...over,
});

interface Block {
  type: string;
  text?: { type: string; text: string; emoji?: boolean };
  fields?: { type: string; text: string }[];
  elements?: { type: string; text?: string | { type: string; text: string }; url?: string }[];
}
const render = (j: NotifyJob) => {
  const notice = buildNotice(j, LABEL);
  return { notice, message: slackMessage(notice) as { text: string; blocks: Block[] } };
};

/** Slack's documented limits for what we send. */
const expectWithinSlackLimits = (message: { text: string; blocks: Block[] }) => {
  expect(message.blocks.length).toBeLessThanOrEqual(50);
  expect(message.text.length).toBeLessThanOrEqual(3000);
  for (const b of message.blocks) {
    if (b.type === 'header') expect(b.text!.text.length).toBeLessThanOrEqual(150);
    if (b.type === 'section') {
      if (b.text) expect(b.text.text.length).toBeLessThanOrEqual(3000);
      if (b.fields) {
        expect(b.fields.length).toBeLessThanOrEqual(10);
        for (const f of b.fields) expect(f.text.length).toBeLessThanOrEqual(2000);
      }
    }
    if (b.type === 'context') expect(b.elements!.length).toBeLessThanOrEqual(10);
  }
  expect(JSON.stringify(message).length).toBeLessThan(40_000);
};

const allText = (message: { text: string; blocks: Block[] }) => JSON.stringify(message.blocks);

describe('slackMessage for a complete report', () => {
  const { notice, message } = render(job({ status: 'complete', report: report() }));

  it('renders header, headline, fields, counts, findings and the console button, in that order', () => {
    expect(message.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'section', 'section', 'actions']);
    const [header, headline, fields, counts, findings, actions] = message.blocks as [Block, Block, Block, Block, Block, Block];
    expect(header.text).toEqual({ type: 'plain_text', text: '🔴 team/api-gw:v1.4.2', emoji: true });
    expect(headline.text!.text).toBe('*3 vulnerabilities found, worst high*');
    expect(fields.fields!.map((f) => f.text)).toEqual([
      '*Image*\nteam/api-gw:v1.4.2',
      '*Digest*\n`0123456789ab`',
      `*Scanner*\n${LABEL} (acr-hz)`,
      '*Scan took*\n2m 5s',
    ]);
    expect(counts.text!.text).toBe('Critical 0 · High 2 · Medium 1 · Low 0 · Unknown 0 · fixable 2');
    expect(findings.text!.text).toBe(
      [
        '• *High* <https://nvd.nist.gov/vuln/detail/CVE-2024-0001|CVE-2024-0001> `openssl` `3.0.1` → `3.0.13`',
        '• *High* CVE-2024-0002 `zlib` `1.2.11` → `1.2.13`',
        '• *Medium* CVE-2024-0003 `busybox` `1.36.0` → no fix yet',
      ].join('\n'),
    );
    expect(actions.elements).toEqual([{ type: 'button', text: { type: 'plain_text', text: 'Open scan report' }, url: report().consoleUrl }]);
    expect(message.text).toBe('🔴 team/api-gw:v1.4.2: 3 vulnerabilities found, worst high');
    expect(notice.colour).toBe('#d32f2f');
    expectWithinSlackLimits(message);
  });

  it('renders through the channel plugin as a JSON post to the configured URL', () => {
    const url = 'https://hooks.slack.com/services/T0/B0/secret-token';
    const j = job({ status: 'complete', report: report() });
    const req = slackChannel.render({ type: 'slack', url }, { job: j, notice: buildNotice(j, LABEL), now: new Date() });
    expect(req.url).toBe(url);
    expect(req.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req.body)).toEqual(message);
  });

  it('a clean report says so, with no findings block and no fixable count when unknown', () => {
    const clean = render(job({ status: 'complete', report: { counts: { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 }, total: 0, findings: [] } }));
    expect(clean.notice.headline).toBe('No vulnerabilities found');
    expect(clean.notice.emoji).toBe('🟢');
    expect(clean.message.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'section']);
    expect(clean.message.blocks[3]!.text!.text).toBe('Critical 0 · High 0 · Medium 0 · Low 0 · Unknown 0');
  });

  it('one vulnerability is singular, and critical wins the emoji', () => {
    const one = render(job({ status: 'complete', report: { counts: { critical: 1, high: 0, medium: 0, low: 0, unknown: 0 }, total: 1, findings: [] } }));
    expect(one.notice.headline).toBe('1 vulnerability found, worst critical');
    expect(one.notice.emoji).toBe('🟣');
  });

  it('a digest-only push names the image by its digest, and no duration without a start time', () => {
    const j = job({ status: 'complete', report: report() });
    const { tag: _tag, ...untagged } = j.image;
    const { scanStartedAt: _s, ...noStart } = j;
    const { notice, message } = render({ ...noStart, image: untagged });
    expect(notice.image).toBe('team/api-gw@sha256:0123456789ab…');
    expect(notice.duration).toBeUndefined();
    expect(message.blocks[2]!.fields!.map((f) => f.text.split('\n')[0])).toEqual(['*Image*', '*Digest*', '*Scanner*']);
  });
});

describe('slackMessage stays within Slack’s limits', () => {
  const longName = (i: number) => `${'pkg-中文-🚀-'.repeat(30)}${i}`.slice(0, 300);
  const many: Finding[] = Array.from({ length: 20 }, (_, i) => ({
    id: `CVE-2024-${String(10_000 + i)}`,
    severity: i < 5 ? 'critical' : 'high',
    package: longName(i),
    installedVersion: `1.${i}.0-ü`,
    fixedVersion: `1.${i}.1-✓`,
    link: `https://avd.aliyun.com/detail?id=AVD-2024-${i}&lang=zh`,
  }));

  it('20 findings with 300-character emoji/CJK package names: every section ≤ 3000, few blocks, "+N more"', () => {
    const { message } = render(
      job({ status: 'complete', report: report({ counts: { critical: 5, high: 52, medium: 0, low: 0, unknown: 0 }, total: 57, findings: many }) }),
    );
    expectWithinSlackLimits(message);
    const text = message.blocks.find((b) => b.type === 'section' && b.text?.text.startsWith('• '))!.text!.text;
    const shown = text.split('\n').filter((l) => l.startsWith('• ')).length;
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(20);
    expect(text.split('\n').at(-1)).toBe(`_+${57 - shown} more_`);
    expect(text.length).toBeLessThanOrEqual(3000);
  });

  it('"+N more" counts findings the scanner did not list', () => {
    const text = findingsText({ ...baseNotice, total: 40, findings: report().findings });
    expect(text.split('\n')).toHaveLength(4);
    expect(text.split('\n')[3]).toBe('_+37 more_');
  });

  it('no "+N more" when everything is shown', () => {
    const text = findingsText({ ...baseNotice, total: 3, findings: report().findings });
    expect(text).not.toContain('more_');
    expect(text.split('\n')).toHaveLength(3);
  });

  it('the limit holds for any limit and any number of findings, including the "+N more" line', () => {
    for (const limit of [50, 200, 700, 2900]) {
      for (const n of [1, 3, 20]) {
        const text = findingsText({ ...baseNotice, total: n + 1000, findings: many.slice(0, n) }, limit);
        expect(text.length, `limit ${limit}, ${n} findings`).toBeLessThanOrEqual(limit);
        const shown = text.split('\n').filter((l) => l.startsWith('• ')).length;
        expect(text.endsWith(`_+${n + 1000 - shown} more_`)).toBe(true);
      }
    }
  });

  it('a very long failure reason is cut to fit', () => {
    const { message } = render(job({ status: 'failed', reason: 'x'.repeat(10_000) }));
    expectWithinSlackLimits(message);
  });
});

describe('mrkdwn escaping', () => {
  const nasty: Finding = {
    id: 'CVE<1>&2',
    severity: 'high',
    package: '<!channel> & <@U123>',
    installedVersion: '1<2',
    fixedVersion: '2>1&',
  };

  it('escapes <, > and & in finding fields', () => {
    const line = findingsText({ ...baseNotice, total: 1, findings: [nasty] });
    expect(line).toBe('• *High* CVE&lt;1&gt;&amp;2 `&lt;!channel&gt; &amp; &lt;@U123&gt;` `1&lt;2` → `2&gt;1&amp;`');
  });

  it('shows a fix command (escaped, clipped) where the scanner gives one instead of a fixed version', () => {
    const sas: Finding = {
      id: 'CVE-2024-1000',
      severity: 'high',
      package: 'openssl',
      installedVersion: '1.0.0-r0',
      fixCommand: 'apt-get update && apt-get install `openssl` <x>',
    };
    expect(findingsText({ ...baseNotice, total: 1, findings: [sas] })).toBe(
      '• *High* CVE-2024-1000 `openssl` `1.0.0-r0` · fix: `apt-get update &amp;&amp; apt-get install ˋopensslˋ &lt;x&gt;`',
    );
    const long = findingsText(clipNotice({ ...baseNotice, total: 1, findings: [{ ...sas, fixCommand: `apk upgrade ${'p'.repeat(300)}` }] }));
    expect(long).toMatch(/fix: `apk upgrade p+…`$/);
    expect(long.length).toBeLessThan(200);
    // A fixed version wins over a command; no version at all still shows the command.
    expect(findingsText({ ...baseNotice, total: 1, findings: [{ ...sas, fixedVersion: '1.0.1' }] })).toContain('`1.0.0-r0` → `1.0.1`');
    const { installedVersion: _, ...noVersion } = sas;
    expect(findingsText({ ...baseNotice, total: 1, findings: [noVersion] })).toBe(
      '• *High* CVE-2024-1000 `openssl` · fix: `apt-get update &amp;&amp; apt-get install ˋopensslˋ &lt;x&gt;`',
    );
  });

  it('a vendor message cannot mention @channel through the blocks', () => {
    const { message } = render(job({ status: 'error', code: 'HTTP502', reason: '<html><!channel> & <@U1>', retryable: true }));
    const blocks = allText(message);
    expect(blocks).not.toContain('<!channel>');
    expect(blocks).not.toContain('<@U1>');
    expect(message.blocks[1]!.text!.text).toBe('*Could not scan: HTTP502: &lt;html&gt;&lt;!channel&gt; &amp; &lt;@U1&gt;*');
  });

  // Fails at the time of writing: slackMessage builds the top-level `text` (mrkdwn, shown in notifications)
  // from the raw headline, so a vendor message such as a 502 page's `<html>…` or `<!channel>` goes out unescaped.
  it('the fallback `text` (also mrkdwn) is escaped too', () => {
    const { message } = render(job({ status: 'error', code: 'HTTP502', reason: '<html><!channel> & co', retryable: true }));
    expect(message.text).not.toContain('<!channel>');
    expect(message.text).toContain('&lt;!channel&gt;');
  });

  it('escapes the image name and scanner label in fields', () => {
    const notice: Notice = { ...baseNotice, image: 'a<b>&c', scanner: 'S<1> & co' };
    const fields = (slackMessage(notice).blocks[2] as Block).fields!.map((f) => f.text);
    expect(fields[0]).toBe('*Image*\na&lt;b&gt;&amp;c');
    expect(fields[2]).toBe('*Scanner*\nS&lt;1&gt; &amp; co');
  });
});

describe('failure notices', () => {
  const failed = render(job({ status: 'failed', reason: 'ACR reported the scan as FAILED' }));
  const errorRetryable = render(job({ status: 'error', code: 'Throttling.User', reason: 'flow control', retryable: true }));
  const errorConfig = render(job({ status: 'error', code: 'NoPrivilege', reason: 'no permission', retryable: false }));
  const timedOut = render(job({ status: 'timed_out', waitedSeconds: 3600 }));

  it('each kind has its own headline', () => {
    expect(failed.notice.headline).toBe('Scan failed: ACR reported the scan as FAILED');
    expect(errorRetryable.notice.headline).toBe('Could not scan: Throttling.User: flow control');
    expect(errorConfig.notice.headline).toBe('Could not scan: NoPrivilege: no permission');
    expect(timedOut.notice.headline).toBe('Scan still unfinished after 1h 0m: scanhook stopped waiting');
  });

  it('each kind has its own advice, rendered as a context block', () => {
    const advice = [failed, errorRetryable, errorConfig, timedOut].map((r) => r.notice.advice);
    expect(new Set(advice).size).toBe(4);
    for (const r of [failed, errorRetryable, errorConfig, timedOut]) {
      const ctx = r.message.blocks.find((b) => b.type === 'context')!;
      expect(ctx.elements).toEqual([{ type: 'mrkdwn', text: r.notice.advice }]);
      // no counts, findings or button for a scan that produced no report
      expect(r.message.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'context']);
      expect(r.notice.colour).toBe('#455a64');
      expectWithinSlackLimits(r.message);
    }
    expect(timedOut.notice.advice).toContain('polling.deadlineMinutes');
    expect(errorConfig.notice.advice).toMatch(/credentials/);
    expect(errorRetryable.notice.advice).toMatch(/Rescan/);
  });

  it('each kind has its own emoji, none of them a severity colour', () => {
    const emoji = [failed, errorRetryable, timedOut].map((r) => r.notice.emoji);
    expect(new Set(emoji).size).toBe(3);
    for (const e of emoji) expect(['🟣', '🔴', '🟠', '🟡', '⚪', '🟢']).not.toContain(e);
    expect(failed.message.blocks[0]!.text!.text.startsWith(failed.notice.emoji)).toBe(true);
  });
});

describe('notice helpers', () => {
  it('formatDuration', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(59_400)).toBe('59s');
    expect(formatDuration(59_600)).toBe('1m 0s');
    expect(formatDuration(125_000)).toBe('2m 5s');
    expect(formatDuration(3_600_000)).toBe('1h 0m');
    expect(formatDuration(5_430_000)).toBe('1h 30m');
    expect(formatDuration(-5000)).toBe('0s');
  });
  it('shortDigest and countsLine', () => {
    expect(shortDigest(DIGEST)).toBe('0123456789ab');
    expect(countsLine({ critical: 1, high: 2, medium: 3, low: 4, unknown: 5 })).toBe('Critical 1 · High 2 · Medium 3 · Low 4 · Unknown 5');
  });
});

describe('slackChannel.check', () => {
  const res = (status: number, body = '', headers: Record<string, string> = {}): HttpResponse => ({ status, body, headers });
  const checked = (r: HttpResponse): CallError => {
    const err = slackChannel.check(r);
    expect(err).toBeInstanceOf(CallError);
    return err!;
  };

  it('200 is success', () => {
    expect(slackChannel.check(res(200, 'ok'))).toBeUndefined();
  });

  it('429 is throttled, waiting as long as Retry-After says', () => {
    const err = checked(res(429, 'rate_limited', { 'retry-after': '7' }));
    expect(err.kind).toBe('throttled');
    expect(err.retryable).toBe(true);
    expect(err.retryAfterMs).toBe(7000);
    expect(err.code).toBe('rate_limited');
    expect(err.status).toBe(429);
  });

  it('429 without Retry-After waits a second', () => {
    expect(checked(res(429)).retryAfterMs).toBe(1000);
  });

  it.each([
    [404, 'channel_not_found', 'not_found'],
    [403, 'invalid_token', 'auth'],
    [410, 'channel_is_archived', 'not_found'],
    [400, 'invalid_payload', 'invalid'],
    [400, 'no_text', 'invalid'],
  ])('%i %s is %s, with the code Slack gave, not retried', (status, code, kind) => {
    const err = checked(res(status, `${code}\n`));
    expect(err.kind).toBe(kind);
    expect(err.code).toBe(code);
    expect(err.status).toBe(status);
    expect(err.retryable).toBe(false);
    expect(err.message).toBe(`Slack answered ${status} ${code}`);
  });

  it('500 is ambiguous (the post may have gone through) and not retried', () => {
    const err = checked(res(500, 'internal_error'));
    expect(err.kind).toBe('ambiguous');
    expect(err.retryable).toBe(false);
  });

  it.each([502, 503, 504])('%i is unavailable and retried', (status) => {
    const err = checked(res(status, ''));
    expect(err.kind).toBe('unavailable');
    expect(err.retryable).toBe(true);
    expect(err.code).toBe(`HTTP${status}`);
  });

  it('a long, empty or wordy body gives the HTTP status as the code, never the body', () => {
    expect(checked(res(400, 'x'.repeat(500))).code).toBe('HTTP400');
    expect(checked(res(400, '   ')).code).toBe('HTTP400');
    expect(checked(res(502, '<html>Bad gateway at hooks.slack.com/services/T/B/secret</html>')).message).toBe('Slack answered 502 HTTP502');
  });
});

const baseNotice: Notice = {
  kind: 'complete',
  image: 'team/api-gw:v1',
  shortDigest: '0123456789ab',
  scanner: `${LABEL} (acr-hz)`,
  headline: 'h',
  emoji: '🔴',
  colour: '#d32f2f',
  findings: [],
};
