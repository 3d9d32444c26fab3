import { randomUUID } from 'node:crypto';
import { bytes, parseJson, type TargetSim } from './target.js';

const error = (code: number, status: string, message: string) => ({ status: code, body: { error: { code, message, status } } });

/** The body's `thread.threadKey`, if any. */
const threadKeyOf = (body: Record<string, unknown> | undefined): string | undefined => {
  const key = (body?.thread as { threadKey?: unknown } | undefined)?.threadKey;
  return typeof key === 'string' && key ? key : undefined;
};

/**
 * A Google Chat incoming webhook: 200 and the created Message. A `requestId` seen before returns that message
 * again instead of posting (`created` tells which). The thread key is read from the body's `thread.threadKey`; the
 * deprecated `threadKey` query parameter is a violation
 * (https://developers.google.com/workspace/chat/api/reference/rest/v1/spaces.messages/create), and so is a thread
 * key without `messageReplyOption`, which Chat would ignore (MESSAGE_REPLY_OPTION_UNSPECIFIED starts a new thread).
 */
export const googleChatSim = () => {
  const seen = new Map<string, { name: string }>();
  const sim: TargetSim & { posted: (requestId: string) => boolean } = {
    type: 'googlechat',
    example: {
      type: 'googlechat',
      url: 'https://chat.googleapis.com/v1/spaces/AAAAexample/messages?key=exampleGoogleKey0123&token=exampleGoogleToken0123',
    },
    prefix: '/googlechat/',
    robotId: (req) => req.url.searchParams.get('token') ?? '',
    violations(req) {
      const body = parseJson(req.body);
      const out: string[] = [];
      if (bytes(req.body) > 32_000) out.push(`message ${bytes(req.body)} bytes > 32000`);
      if (!body?.text && !Array.isArray(body?.cardsV2)) out.push('neither text nor cardsV2');
      if (req.url.searchParams.has('threadKey')) out.push('threadKey in the query (deprecated): send thread.threadKey in the body');
      if (threadKeyOf(body) && !req.url.searchParams.get('messageReplyOption')) out.push('thread.threadKey without messageReplyOption: Chat ignores it');
      return out;
    },
    answer(req) {
      if (!req.url.searchParams.get('key') || !this.robotId(req)) return this.replies.unauthenticated!;
      const requestId = req.url.searchParams.get('requestId');
      const existing = requestId ? seen.get(requestId) : undefined;
      const message = existing ?? { name: `spaces/AAAAsim/messages/${randomUUID()}` };
      if (requestId) seen.set(requestId, message);
      const thread = threadKeyOf(parseJson(req.body));
      return {
        status: 200,
        headers: { 'x-sim-created': existing ? 'false' : 'true' },
        body: { ...message, createTime: new Date().toISOString(), ...(thread ? { thread: { name: `spaces/AAAAsim/threads/${thread}` } } : {}) },
      };
    },
    posted: (requestId) => seen.has(requestId),
    tooLarge: error(400, 'INVALID_ARGUMENT', 'Message too large.'),
    replies: {
      ok: { status: 200, body: { name: 'spaces/AAAAsim/messages/scripted' } },
      throttled: error(429, 'RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).'),
      unauthenticated: error(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.'),
      internal: error(500, 'INTERNAL', 'Internal error encountered.'),
    },
  };
  return sim;
};
