import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { LOCALES, type Locale, localeOf } from '../shared/channels/i18n.js';
import { ChannelConfig, channelPlugin, channels } from '../shared/channels/index.js';
import { buildNotice } from '../shared/channels/notice.js';
import { formatIssues } from '../shared/config/zodIssues.js';
import { NotifyJob } from '../shared/messages/jobs.js';
import { maskBody, maskHeaders, maskUrl } from './maskSecrets.js';
import { EXAMPLE_CHANNELS } from './simulators/chat/index.js';

const USAGE = `usage: npm run preview -- --channel <type|name> <notify-job.json> [--locale en|zh-CN] [--config <file>] [--show-secrets]
  Prints the exact request a chat target would receive for a notify job: an SQS event carrying one
  (events/sqs/notify-*.json, its first record), or the job itself.
  --channel      a channel type (${Object.keys(channels).join(', ')}), or with --config a channel name in it
  --config       a config document (or one channel entry) to take the channel from; ssm: values are not read
  --locale       render in this language (default: the channel's locale, else en)
  --show-secrets print the URL, headers and signature unmasked`;

export class UsageError extends Error {}

const readJson = async (file: string, what: string): Promise<unknown> => {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${what} "${file}": ${err.code ?? err.message}`);
  });
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${what} "${file}" is not valid JSON: ${(err as Error).message}`);
  }
};

/** An SQS event's first record carries the job as its body; anything else is taken as the job itself. */
const firstJob = (doc: unknown): unknown => {
  const body = (doc as { Records?: { body?: unknown }[] } | null)?.Records?.[0]?.body;
  if (typeof body !== 'string') return doc;
  try {
    return JSON.parse(body);
  } catch {
    return doc;
  }
};

/** The channel entry to render with: from --config (by name, else the first of that type), else the example of the type. */
const channelEntry = async (channel: string, configFile: string | undefined): Promise<Record<string, unknown>> => {
  if (!configFile) {
    const example = EXAMPLE_CHANNELS[channel];
    if (!example) throw new UsageError(`unknown channel type "${channel}"; expected one of ${Object.keys(channels).join(', ')}`);
    return example;
  }
  const doc = (await readJson(configFile, 'config')) as { channels?: Record<string, Record<string, unknown>>; type?: unknown } | null;
  // A whole config document, or one channel entry.
  const entries: Record<string, Record<string, unknown>> = doc?.channels ?? { [String(doc?.type)]: { ...doc } };
  const entry = entries[channel] ?? Object.values(entries).find((e) => e?.type === channel);
  if (!entry) throw new UsageError(`no channel named or of type "${channel}" in ${configFile}`);
  // Secrets kept in SSM are not fetched for a preview: the example's stand in for them.
  const example = EXAMPLE_CHANNELS[String(entry.type)] ?? {};
  return Object.fromEntries(Object.entries(entry).map(([k, v]) => [k, typeof v === 'string' && v.startsWith('ssm:') ? (example[k] ?? 'ssm-value') : v]));
};

export const preview = async (argv: string[], now = new Date()): Promise<string> => {
  const args = [...argv];
  const flag = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args.splice(i, 2)[1] : undefined;
  };
  const showSecrets = args.includes('--show-secrets');
  if (showSecrets) args.splice(args.indexOf('--show-secrets'), 1);
  const channel = flag('channel');
  const configFile = flag('config');
  const locale = flag('locale');
  const file = args[0];
  if (!channel || !file) throw new UsageError(USAGE);
  if (locale !== undefined && !(LOCALES as readonly string[]).includes(locale)) throw new UsageError(`--locale: expected one of ${LOCALES.join(', ')}`);

  const job = NotifyJob.safeParse(firstJob(await readJson(file, 'report')));
  if (!job.success) throw new UsageError(`${file} is not a notify job: ${formatIssues(job.error)}`);
  const entry = await channelEntry(channel, configFile);
  const config = ChannelConfig.safeParse(locale ? { ...entry, locale } : entry);
  if (!config.success) throw new UsageError(`channel entry: ${formatIssues(config.error, ['channels', channel])}`);

  const plugin = channelPlugin(config.data.type);
  const notice = buildNotice(job.data, job.data.scannerLabel ?? job.data.scannerType, localeOf(config.data) as Locale);
  const req = plugin.render(config.data, { job: job.data, notice, now });
  const body = JSON.parse(req.body) as unknown;
  return [
    `POST ${showSecrets ? req.url : maskUrl(req.url)}`,
    ...Object.entries(showSecrets ? req.headers : maskHeaders(req.headers)).map(([k, v]) => `${k}: ${v}`),
    '',
    JSON.stringify(showSecrets ? body : maskBody(body), null, 2),
    '',
  ].join('\n');
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  preview(process.argv.slice(2))
    .then((out) => process.stdout.write(out))
    .catch((err: Error) => {
      process.stderr.write(`${err instanceof UsageError ? err.message : err.stack}\n`);
      process.exit(2);
    });
}
