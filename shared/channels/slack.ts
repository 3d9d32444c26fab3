import * as z from 'zod';
import { CallError } from '../errors.js';
import { countsLine, type Notice } from '../notice.js';
import type { Finding } from '../report.js';
import { defineChannel, retryAfterMs } from './channel.js';

const SlackChannelConfig = z.object({
  type: z.literal('slack'),
  /** An incoming-webhook URL: it is the credential. */
  url: z.url({ protocol: /^https?$/ }),
});

/** Slack mrkdwn needs only these three escaped. */
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const SECTION_LIMIT = 2900; // section text may hold 3000 characters; keep a margin
const FIX_COMMAND_MAX = 120;
const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

const findingLine = (f: Finding): string => {
  const id = f.link ? `<${f.link}|${esc(f.id)}>` : esc(f.id);
  // Security Center gives a fix command instead of a fixed version.
  const command = f.fixCommand ? ` · fix: \`${esc(clip(f.fixCommand.replace(/`/g, "'"), FIX_COMMAND_MAX))}\`` : '';
  const fix = f.fixedVersion ? ` → ${esc(f.fixedVersion)}` : command || ' → no fix yet';
  const versions = f.installedVersion ? ` ${esc(f.installedVersion)}${fix}` : command;
  return `• *${f.severity}* ${id} \`${esc(f.package)}\`${versions}`;
};

/** As many finding lines as fit in one section, then "+N more". */
export const findingsText = (notice: Notice, limit = SECTION_LIMIT): string => {
  const more = (n: number) => `_+${n} more_`;
  const lines: string[] = [];
  let used = 0;
  const total = Math.max(notice.total ?? 0, notice.findings.length);
  for (const f of notice.findings) {
    const line = findingLine(f);
    const rest = total - lines.length - 1;
    if (used + line.length + 1 + (rest > 0 ? more(rest).length + 1 : 0) > limit) break;
    lines.push(line);
    used += line.length + 1;
  }
  const hidden = total - lines.length;
  if (hidden > 0) lines.push(more(hidden));
  return lines.join('\n');
};

export const slackMessage = (notice: Notice) => {
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: `${notice.emoji} ${notice.image}`.slice(0, 150), emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: `*${esc(notice.headline)}*`.slice(0, SECTION_LIMIT) } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Image*\n${esc(notice.image)}` },
        { type: 'mrkdwn', text: `*Digest*\n\`${notice.shortDigest}\`` },
        { type: 'mrkdwn', text: `*Scanner*\n${esc(notice.scanner)}` },
        ...(notice.duration ? [{ type: 'mrkdwn', text: `*Scan took*\n${notice.duration}` }] : []),
      ].map((f) => ({ ...f, text: f.text.slice(0, 2000) })),
    },
  ];
  if (notice.counts) {
    const fixable = notice.fixable !== undefined ? ` · fixable ${notice.fixable}` : '';
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `${countsLine(notice.counts)}${fixable}` } });
  }
  if (notice.findings.length > 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: findingsText(notice) } });
  if (notice.advice) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: esc(notice.advice) }] });
  if (notice.consoleUrl) {
    blocks.push({
      type: 'actions',
      elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open scan report' }, url: notice.consoleUrl }],
    });
  }
  return { text: esc(`${notice.emoji} ${notice.image}: ${notice.headline}`).slice(0, 3000), blocks };
};

export const slackChannel = defineChannel({
  type: 'slack',
  configSchema: SlackChannelConfig,
  render: (config, { notice }) => ({
    url: config.url,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(slackMessage(notice)),
  }),
  check(res) {
    if (res.status === 200) return undefined;
    // Slack answers webhooks in plain text: `invalid_payload`, `channel_not_found`, `no_service`, ...
    const code = res.body.trim().slice(0, 80) || `HTTP${res.status}`;
    if (res.status === 429) {
      return new CallError({ kind: 'throttled', code: 'rate_limited', status: 429, message: 'Slack: rate limited', retryAfterMs: retryAfterMs(res.headers['retry-after'], 1000) });
    }
    // 502/503/504 come from Slack's edge before the post was accepted; a 500 may have posted, so it is not retried.
    const kind = [502, 503, 504].includes(res.status) ? 'unavailable' : res.status === 500 ? 'ambiguous' : 'invalid';
    return new CallError({ kind, code, status: res.status, message: `Slack answered ${res.status} ${code}` });
  },
});
