import { createTargetSims, type RobotSettings } from './chat/index.js';
import { type SimResponse, startSimServer } from './server.js';

export interface ChatPost {
  path: string;
  headers: Record<string, string>;
  body: string;
  /** What the sink answered. */
  status: number;
  /** The chat target the path belongs to (`slack`, `dingtalk`, …), or `webhook` for a plain HTTP receiver. */
  target: string;
  /** Documented limits the post broke (it was then refused as the real target would). */
  violations: string[];
  /** When it arrived (ms since the epoch). */
  at: number;
  /** Whether the post counts as delivered: a success reply (Google Chat: a new message, not a repeated requestId). */
  delivered: boolean;
}

/**
 * A chat server on 127.0.0.1 that keeps every post. A path prefix picks the target it plays — `/slack/`,
 * `/teams/`, `/dingtalk/`, `/feishu/`, `/wecom/`, `/discord/`, `/googlechat/` — which checks that target's size
 * limits, signature and keyword (for robots registered with `robot()`) and answers with its real replies;
 * anything else answers like a plain HTTP receiver. `script` queues replies for a path prefix (a 429, a 404 …)
 * that are used before the default one.
 */
export const startChatSink = async (opts: { port?: number; onPost?: (post: ChatPost) => void; now?: () => Date } = {}) => {
  const posts: ChatPost[] = [];
  const scripted: { prefix: string; reply: SimResponse }[] = [];
  const robots = new Map<string, RobotSettings>();
  const sims = Object.values(createTargetSims());
  const now = opts.now ?? (() => new Date());
  const server = await startSimServer((req) => {
    const path = req.url.pathname + req.url.search;
    const sim = sims.find((s) => path.startsWith(s.prefix));
    const violations = sim?.violations(req) ?? [];
    const i = scripted.findIndex((s) => path.startsWith(s.prefix));
    const reply: SimResponse =
      i >= 0
        ? scripted.splice(i, 1)[0]!.reply
        : !sim
          ? { status: 200, body: { received: true } }
          : violations.length
            ? sim.tooLarge
            : sim.answer(req, robots.get(sim.robotId(req)), now());
    // DingTalk, WeCom and Feishu answer errors with HTTP 200 and a non-zero code.
    const body = reply.body && typeof reply.body === 'object' ? (reply.body as { errcode?: unknown; code?: unknown }) : {};
    const success = reply.status < 300 && (body.errcode ?? body.code ?? 0) === 0;
    const post = {
      path,
      headers: req.headers,
      body: req.body,
      status: reply.status,
      at: Date.now(),
      target: sim?.type ?? 'webhook',
      violations,
      delivered: success && reply.headers?.['x-sim-created'] !== 'false',
    };
    posts.push(post);
    if (post.delivered) opts.onPost?.(post);
    return reply;
  }, opts.port);
  return {
    url: server.url,
    posts,
    /** Posts that were answered with success, under a path prefix. */
    delivered: (prefix: string) => posts.filter((p) => p.path.startsWith(prefix) && p.delivered),
    script: (prefix: string, ...replies: SimResponse[]) => scripted.push(...replies.map((reply) => ({ prefix, reply }))),
    /** Registers a robot's security settings under the credential in its URL (DingTalk access_token, Feishu hook id). */
    robot: (id: string, settings: RobotSettings) => robots.set(id, settings),
    close: server.close,
  };
};
export type ChatSink = Awaited<ReturnType<typeof startChatSink>>;
