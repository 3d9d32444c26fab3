import { ACR_SIM_CREDENTIALS } from '../../local/simulators/acr.js';
import { type Stack, type StackOptions, startStack } from '../../local/stack.js';
import { digestOf, readEvent } from './events.js';

export const SOURCE_SECRET = 'integration-test-secret-7c1d9e';
export const SLACK_PATH = '/slack/T0TEST/B0TEST/xoxb-secret-token';
export const pushEvent = (): Record<string, any> => readEvent('acr/push.json');

/** A push of `namespace/repo:tag` with a digest made from `seed`. */
export const acrPush = (repo: string, tag = '1.0.0', seed = repo) => {
  const event = pushEvent();
  event.push_data.digest = digestOf(seed);
  event.push_data.tag = tag;
  event.repository.name = repo;
  event.repository.repo_full_name = `team-a/${repo}`;
  return event;
};

export const testConfig = ({ acrUrl, chatUrl }: { acrUrl: string; chatUrl: string }) => ({
  sources: { acr: { secret: SOURCE_SECRET } },
  scanners: { 'acr-hz': { type: 'acr', region: 'cn-hangzhou', instanceId: 'cri-test00000000', endpoint: acrUrl } },
  channels: {
    sec: { type: 'slack', url: `${chatUrl}${SLACK_PATH}` },
    audit: { type: 'webhook', url: `${chatUrl}/webhook/audit`, headers: { authorization: 'Bearer audit-receiver-secret' } },
  },
  routes: [{ source: 'acr', namespace: 'team-a', repository: '*', tag: '*', scanner: 'acr-hz', channels: ['sec', 'audit'] }],
  polling: { initialDelaySeconds: 0, maxDelaySeconds: 1, deadlineMinutes: 0.1 },
  http: { timeoutMs: 3000, attempts: 4, baseDelayMs: 20, maxDelayMs: 300 },
});

export const credentialsEnv = {
  ALIBABA_CLOUD_ACCESS_KEY_ID: ACR_SIM_CREDENTIALS.accessKeyId,
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: ACR_SIM_CREDENTIALS.accessKeySecret,
};

/**
 * A short visibility timeout shows redeliveries quickly. A message stays invisible while its batch gathers and runs,
 * so a batching window needs a longer one (AWS: 6 × the function timeout + the window): none here.
 */
export const startTestStack = (overrides: Partial<StackOptions> = {}): Promise<Stack> =>
  startStack({
    port: 0,
    config: testConfig,
    env: credentialsEnv,
    visibilityTimeoutSeconds: 2,
    scanBatchingWindowSeconds: 1,
    ...overrides,
  });

export const postWebhook = async (stack: Stack, body: unknown, opts: { token?: string | null; source?: string; contentType?: string } = {}) => {
  const token = opts.token === undefined ? SOURCE_SECRET : opts.token;
  const res = await fetch(`${stack.url}/webhooks/${opts.source ?? 'acr'}${token === null ? '' : `?token=${encodeURIComponent(token)}`}`, {
    method: 'POST',
    headers: { 'content-type': opts.contentType ?? 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};

/** Waits until `probe` returns a truthy value, or fails after `timeoutMs`. */
export const eventually = async <T>(probe: () => T | Promise<T>, timeoutMs = 15_000, what = 'condition'): Promise<NonNullable<T>> => {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

export const slackPosts = (stack: Stack) => stack.chat.delivered('/slack/').map((p) => JSON.parse(p.body));
export const webhookPosts = (stack: Stack) => stack.chat.delivered('/webhook/').map((p) => JSON.parse(p.body));
/**
 * What a Slack post says about `repo`: its text where the post is its own message, else its line in a summary that
 * lists it among others (concurrent results for one channel share a summary).
 */
export const slackSays = (post: { text: string; blocks?: unknown[] }, repo: string): string => {
  const names = [`/${repo}:`, `/${repo}@`];
  if (names.some((n) => post.text.includes(n))) return post.text;
  const lines = (post.blocks ?? []).flatMap((b) => String((b as { text?: { text?: unknown } }).text?.text ?? '').split('\n'));
  return lines.find((l) => names.some((n) => l.includes(n))) ?? '';
};

/** The posts about `repo`: its own messages, and (Slack) summaries that list it among others. */
export const postsFor = (stack: Stack, repo: string) => ({
  slack: slackPosts(stack).filter((m) => [`/${repo}:`, `/${repo}@`].some((name) => JSON.stringify(m).includes(name))),
  webhook: webhookPosts(stack).filter((m) => m.image.repository === repo),
});

/** Waits for at least one Slack post and one HTTP-channel post about `repo`, and gives them. */
export const messagesFor = (stack: Stack, repo: string, timeoutMs = 20_000) =>
  eventually(
    () => {
      const posts = postsFor(stack, repo);
      return posts.slack.length >= 1 && posts.webhook.length >= 1 ? posts : undefined;
    },
    timeoutMs,
    `messages for ${repo}`,
  );

/** Collects what the functions write to stdout and stderr (their JSON logs) between `start` and `stop`. */
export const captureOutput = () => {
  const chunks: string[] = [];
  const restores: (() => void)[] = [];
  const capture = (stream: NodeJS.WriteStream) => {
    const write = stream.write.bind(stream);
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return (write as (c: unknown, ...r: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
    return () => {
      stream.write = write as typeof stream.write;
    };
  };
  return {
    start: () => restores.push(capture(process.stdout), capture(process.stderr)),
    stop: () => {
      for (const restore of restores.splice(0)) restore();
    },
    text: () => chunks.join(''),
    /** The JSON log lines written so far. */
    logs: (): Record<string, any>[] =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .flatMap((line) => {
          try {
            return [JSON.parse(line) as Record<string, any>];
          } catch {
            return [];
          }
        }),
  };
};
