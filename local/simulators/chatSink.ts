import { type SimResponse, startSimServer } from './server.js';

export interface ChatPost {
  path: string;
  headers: Record<string, string>;
  body: string;
  /** What the sink answered. */
  status: number;
}

/**
 * A chat endpoint on 127.0.0.1 that keeps every post. `/slack/…` answers like a Slack incoming webhook (`ok`),
 * anything else like a plain HTTP receiver. `script` queues replies for a path prefix (a 429, a 404 …)
 * that are used before the default one.
 */
export const startChatSink = async (opts: { port?: number; onPost?: (post: ChatPost) => void } = {}) => {
  const posts: ChatPost[] = [];
  const scripted: { prefix: string; reply: SimResponse }[] = [];
  const server = await startSimServer((req) => {
    const path = req.url.pathname + req.url.search;
    const i = scripted.findIndex((s) => path.startsWith(s.prefix));
    const reply = i >= 0 ? scripted.splice(i, 1)[0]!.reply : path.startsWith('/slack/') ? { status: 200, body: 'ok' } : { status: 200, body: { received: true } };
    const post = { path, headers: req.headers, body: req.body, status: reply.status };
    posts.push(post);
    if (reply.status < 300) opts.onPost?.(post);
    return reply;
  }, opts.port);
  return {
    url: server.url,
    posts,
    /** Posts that were answered with success, under a path prefix. */
    delivered: (prefix: string) => posts.filter((p) => p.path.startsWith(prefix) && p.status < 300),
    script: (prefix: string, ...replies: SimResponse[]) => scripted.push(...replies.map((reply) => ({ prefix, reply }))),
    close: server.close,
  };
};
export type ChatSink = Awaited<ReturnType<typeof startChatSink>>;
