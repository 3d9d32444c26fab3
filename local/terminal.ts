import type { ChatPost } from './simulators/chatSink.js';

/**
 * `npm start`'s terminal: the functions' JSON log lines as one readable line each, and every chat post
 * as the text a person would read. Only local mode uses this; in AWS the JSON goes to CloudWatch as is.
 */
const COLOURS: Record<string, string> = { INFO: '\x1b[36m', WARN: '\x1b[33m', ERROR: '\x1b[31m', DEBUG: '\x1b[90m' };
const RESET = '\x1b[0m';
const SKIP = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'fn',
  'sampling_rate',
  'xray_trace_id',
  'cold_start',
  'function_name',
  'function_arn',
  'function_memory_size',
  'function_request_id',
]);

/** Colours for a stream that is a terminal, unless NO_COLOR is set (https://no-color.org); never in a pipe or a file. */
export const wantsColour = (stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean => stream.isTTY === true && !env.NO_COLOR;

export const formatLogLine = (line: string, opts: { colour?: boolean } = {}): string => {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line);
  } catch {
    return line;
  }
  if (typeof entry.level !== 'string' || typeof entry.message !== 'string') return line;
  const time = typeof entry.timestamp === 'string' ? entry.timestamp.slice(11, 19) : '';
  const extra = Object.entries(entry)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  const fn = String(entry.fn ?? '').padEnd(10);
  const colour = opts.colour ? COLOURS[entry.level] : undefined;
  return `${time} ${colour ? `${colour}${fn}${RESET}` : fn} ${entry.message} ${extra}`.trimEnd();
};

/** Rewrites JSON log lines written to stdout and stderr (Powertools sends warnings and errors to stderr). */
export const prettyLogs = (): void => {
  for (const stream of [process.stdout, process.stderr]) prettify(stream);
};

const prettify = (stream: NodeJS.WriteStream): void => {
  const write = stream.write.bind(stream);
  const colour = wantsColour(stream);
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const out = text
      .split('\n')
      .map((l) => (l.startsWith('{') ? formatLogLine(l, { colour }) : l))
      .join('\n');
    return (write as (c: string, ...r: unknown[]) => boolean)(out, ...rest);
  }) as typeof stream.write;
};

type Block = { type: string; text?: { text: string }; fields?: { text: string }[]; elements?: { text?: string | { text: string }; url?: string }[] };

/** A Slack Block Kit message as plain text. */
const slackText = (payload: { blocks?: Block[]; text?: string }): string =>
  (payload.blocks ?? [])
    .map((b) => {
      if (b.type === 'header' || (b.type === 'section' && b.text)) return b.text!.text;
      if (b.fields) return b.fields.map((f) => f.text.replace('\n', ': ')).join('   ');
      if (b.type === 'context') return b.elements?.map((e) => (typeof e.text === 'string' ? e.text : '')).join(' ') ?? '';
      if (b.type === 'actions') return b.elements?.map((e) => `[${typeof e.text === 'object' ? e.text.text : ''}] ${e.url ?? ''}`).join(' ') ?? '';
      return '';
    })
    .filter(Boolean)
    .join('\n');

/** The readable strings of any other target's card: titles, texts, markdown. */
const cardText = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.flatMap(cardText)
    : value && typeof value === 'object'
      ? Object.entries(value).flatMap(([k, v]) =>
          typeof v === 'string' ? (['title', 'text', 'content', 'description', 'value'].includes(k) ? [v] : []) : cardText(v),
        )
      : [];

export const describeChatPost = (post: ChatPost): string => {
  let text: string;
  try {
    const body = JSON.parse(post.body);
    text =
      post.target === 'slack'
        ? slackText(body)
        : post.target === 'webhook'
          ? `${body.event} ${body.image?.namespace}/${body.image?.repository}: ${body.summary}`
          : cardText(body).join('\n');
  } catch {
    text = post.body;
  }
  const rule = '─'.repeat(72);
  return `\n┌${rule}\n│ chat message → ${({ slack: 'Slack', webhook: 'HTTP webhook' } as Record<string, string>)[post.target] ?? post.target}\n${text
    .split('\n')
    .map((l) => `│ ${l}`)
    .join('\n')}\n└${rule}\n`;
};
