import { bytes, parseJson, type TargetSim } from './target.js';

/** A Teams Workflows webhook: 202 and an empty body when the flow takes the request. */
export const teamsSim: TargetSim = {
  type: 'teams',
  example: {
    type: 'teams',
    url: 'https://prod-42.westeurope.logic.azure.com:443/workflows/0123456789abcdef0123456789abcdef/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=exampleTeamsSig0123456789',
  },
  prefix: '/teams/',
  robotId: (req) => req.url.searchParams.get('sig') ?? '',
  violations(req) {
    const body = parseJson(req.body);
    const out: string[] = [];
    if (bytes(req.body) > 28 * 1024) out.push(`body ${bytes(req.body)} bytes > 28 KB`);
    const attachment = body?.attachments?.[0];
    if (body?.type !== 'message' || attachment?.contentType !== 'application/vnd.microsoft.card.adaptive' || attachment?.content?.type !== 'AdaptiveCard') {
      out.push('not a message with an Adaptive Card attachment');
    }
    return out;
  },
  answer(req) {
    return this.robotId(req) ? this.replies.ok : this.replies.unauthorized!;
  },
  tooLarge: { status: 413, body: { error: { code: 'RequestEntityTooLarge', message: 'Request Entity Too Large' } } },
  replies: {
    ok: { status: 202, body: '' },
    throttled: { status: 429, headers: { 'retry-after': '1' }, body: { error: { code: 'TooManyRequests', message: 'Rate limit is exceeded.' } } },
    unauthorized: { status: 401, body: { error: { code: 'DirectApiAuthorizationRequired', message: 'The request must be authenticated.' } } },
    notFound: { status: 404, body: { error: { code: 'WorkflowNotFound', message: 'The workflow could not be found.' } } },
  },
};
