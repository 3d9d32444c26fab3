import { formatPath } from './zodPath.js';

/** Reads one SecureString parameter, decrypted. */
export type SsmReader = (name: string) => Promise<string>;

/** Powertools' SSM provider: decrypts and caches parameters across warm invocations. */
export const powertoolsSsmReader: SsmReader = async (name) => {
  const { getParameter } = await import('@aws-lambda-powertools/parameters/ssm');
  const value = await getParameter(name, { decrypt: true, maxAge: 900 });
  if (typeof value !== 'string') throw new Error(`SSM parameter ${name} not found`);
  return value;
};

/** Replaces every string `ssm:/path` anywhere in `value` with the parameter's value. */
export const resolveSsmReferences = async (value: unknown, read: SsmReader, path: PropertyKey[] = []): Promise<unknown> => {
  if (typeof value === 'string' && value.startsWith('ssm:')) {
    const name = value.slice(4);
    try {
      return await read(name);
    } catch (err) {
      throw new Error(`${formatPath(path)}: cannot read SSM parameter ${name}: ${(err as Error).name}`);
    }
  }
  if (Array.isArray(value)) return Promise.all(value.map((v, i) => resolveSsmReferences(v, read, [...path, i])));
  if (value && typeof value === 'object') {
    const entries = await Promise.all(
      Object.entries(value).map(async ([k, v]) => [k, await resolveSsmReferences(v, read, [...path, k])] as const),
    );
    return Object.fromEntries(entries);
  }
  return value;
};
