import { createTokenBook, HUAWEI_SIM_LOGIN } from './huaweiApig.js';
import { type SimResponse, startSimServer } from './server.js';

/**
 * A simulator of Huawei Cloud IAM's token API on 127.0.0.1 (https://support.huaweicloud.com/en-us/api-iam/iam_30_0001.html): `POST /v3/auth/tokens` with a password
 * identity and a project scope answers 201 with the token in `X-Subject-Token`. The SWR and HSS simulators accept the
 * tokens it issues until they expire. `failNext` queues replies (a 503, a 401) used before the normal one.
 */
export interface IamCall {
  status: number;
  user?: string;
  projectId?: string;
}

const iamError = (status: number, message: string, title: string): SimResponse => ({ status, body: { error: { code: status, message, title } } });

export const startIamSimulator = async (opts: { port?: number; login?: typeof HUAWEI_SIM_LOGIN; tokenLifetimeMs?: number } = {}) => {
  const login = opts.login ?? HUAWEI_SIM_LOGIN;
  const tokens = createTokenBook(opts.tokenLifetimeMs);
  const calls: IamCall[] = [];
  const scripted: SimResponse[] = [];

  const handle = (method: string, path: string, body: string): { res: SimResponse; call: Omit<IamCall, 'status'> } => {
    if (method !== 'POST' || path !== '/v3/auth/tokens') return { res: iamError(404, 'The requested resource could not be found.', 'Not Found'), call: {} };
    let auth: any;
    try {
      auth = JSON.parse(body).auth;
    } catch {
      return { res: iamError(400, 'The request body is not JSON.', 'Bad Request'), call: {} };
    }
    const user = auth?.identity?.password?.user;
    const projectId = auth?.scope?.project?.id;
    const call = { ...(user?.name ? { user: String(user.name) } : {}), ...(projectId ? { projectId: String(projectId) } : {}) };
    if (scripted.length) return { res: scripted.shift()!, call };
    if (!Array.isArray(auth?.identity?.methods) || !auth.identity.methods.includes('password') || !user) {
      return { res: iamError(400, 'Invalid identity: a password identity is required.', 'Bad Request'), call };
    }
    if (!projectId && !auth?.scope?.project?.name)
      return { res: iamError(400, 'A project scope is required for project-level services.', 'Bad Request'), call };
    if (user.name !== login.user || user.password !== login.password || user.domain?.name !== login.domain) {
      return { res: iamError(401, 'The username or password is wrong.', 'Unauthorized'), call };
    }
    const issued = tokens.issue(String(projectId ?? auth.scope.project.name));
    return {
      res: {
        status: 201,
        headers: { 'x-subject-token': issued.token },
        body: {
          token: {
            expires_at: new Date(issued.expiresAt).toISOString(),
            issued_at: new Date().toISOString(),
            methods: ['password'],
            project: { id: issued.projectId, name: 'cn-north-4', domain: { name: login.domain } },
            user: { name: login.user, domain: { name: login.domain } },
          },
        },
      },
      call,
    };
  };

  const server = await startSimServer((req) => {
    const { res, call } = handle(req.method, req.url.pathname, req.body);
    calls.push({ ...call, status: res.status });
    return res;
  }, opts.port);

  return {
    url: server.url,
    login,
    tokens,
    calls,
    /** Tokens handed out so far. */
    issued: () => calls.filter((c) => c.status === 201).length,
    failNext: (...replies: SimResponse[]) => scripted.push(...replies),
    close: server.close,
  };
};
export type IamSimulator = Awaited<ReturnType<typeof startIamSimulator>>;
