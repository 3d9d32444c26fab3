import { startSimServer } from './server.js';

/** The access key id the SSM simulator accepts (any secret: it checks who signed, not the signature). */
export const SSM_SIM_KEY_ID = 'AKIASSMSIMULATOR0001';

const error = (type: string, message: string) => ({ status: 400, body: { __type: type, message } });

/**
 * An SSM-compatible endpoint on 127.0.0.1 for `GetParameter` and `GetParameters` (AWS JSON 1.1, as the AWS SDK sends
 * it): what local mode and the tests read `ssm:` references from, with `AWS_ENDPOINT_URL_SSM` pointing here.
 * A request signed with another key id is refused as AccessDenied; names under `denied` are refused too.
 */
export const startSsmSimulator = async (parameters: Record<string, string> = {}, opts: { denied?: string[] } = {}) => {
  const store = new Map(Object.entries(parameters));
  const reads: string[] = [];
  const parameter = (name: string) => ({
    Name: name,
    Type: 'SecureString',
    Value: store.get(name),
    Version: 1,
    ARN: `arn:aws:ssm:local:000000000000:parameter${name}`,
  });
  const server = await startSimServer((req) => {
    const target = req.headers['x-amz-target'] ?? '';
    if (!req.headers.authorization?.includes(`Credential=${SSM_SIM_KEY_ID}/`)) {
      return error('AccessDeniedException', 'The security token included in the request is invalid.');
    }
    const body = JSON.parse(req.body || '{}') as { Name?: string; Names?: string[] };
    const allowed = (name: string) => !(opts.denied ?? []).some((prefix) => name.startsWith(prefix));
    if (target === 'AmazonSSM.GetParameter') {
      const name = body.Name ?? '';
      reads.push(name);
      if (!allowed(name)) return error('AccessDeniedException', `User is not authorized to perform: ssm:GetParameter on resource: ${name}`);
      if (!store.has(name)) return error('ParameterNotFound', '');
      return { status: 200, body: { Parameter: parameter(name) } };
    }
    if (target === 'AmazonSSM.GetParameters') {
      const names = body.Names ?? [];
      reads.push(...names);
      return {
        status: 200,
        body: {
          Parameters: names.filter((n) => store.has(n) && allowed(n)).map(parameter),
          InvalidParameters: names.filter((n) => !store.has(n) || !allowed(n)),
        },
      };
    }
    return error('UnknownOperationException', `unknown operation ${target}`);
  });
  return {
    ...server,
    /** The names read so far, in order. */
    reads,
    put: (name: string, value: string) => store.set(name, value),
    /** What a process needs in its environment to read parameters here with the AWS SDK. */
    env: {
      AWS_ENDPOINT_URL_SSM: server.url,
      AWS_REGION: 'ap-southeast-1',
      AWS_ACCESS_KEY_ID: SSM_SIM_KEY_ID,
      AWS_SECRET_ACCESS_KEY: 'ssm-simulator-secret',
    },
  };
};
export type SsmSimulator = Awaited<ReturnType<typeof startSsmSimulator>>;
