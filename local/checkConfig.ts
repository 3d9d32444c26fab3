import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../shared/config/configError.js';
import { describeJsonSyntaxError } from '../shared/config/jsonSyntax.js';
import { formatPath } from '../shared/config/zodIssues.js';
import { parseFullConfig } from './fullConfig.js';
import { EXAMPLE_CHANNELS } from './simulators/chat/index.js';

/** Stands in for an `ssm:` value offline: long enough for a secret, and no URL shape a channel could want. */
const STAND_IN = 'ssm-stand-in-0123456789abcdef0123456789abcdef';

interface SsmReference {
  path: string;
  name: string;
}

/**
 * The document with each `ssm:` reference replaced by a stand-in that passes its field's checks (a channel's own
 * example URL for a channel URL), and the list of references: they are not read, so their values are not checked.
 */
const withStandIns = (value: unknown, path: PropertyKey[], refs: SsmReference[], channelType?: string): unknown => {
  if (typeof value === 'string' && value.startsWith('ssm:')) {
    refs.push({ path: formatPath(path), name: value.slice(4) });
    const field = String(path.at(-1));
    const example = channelType ? EXAMPLE_CHANNELS[channelType]?.[field] : undefined;
    return typeof example === 'string' ? example : STAND_IN;
  }
  if (Array.isArray(value)) return value.map((v, i) => withStandIns(v, [...path, i], refs, channelType));
  if (value && typeof value === 'object') {
    const inChannel = path.length === 2 && path[0] === 'channels' ? String((value as { type?: unknown }).type) : channelType;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withStandIns(v, [...path, k], refs, inChannel)]));
  }
  return value;
};

/** Whether a field holds a credential: such a value must not be written into a deployed template. */
const isSecretPath = (path: PropertyKey[]): boolean => {
  const [family, , field, sub] = path.map(String);
  if (family === 'sources') return field === 'secret';
  if (family === 'scanners') return field === 'credentials' && sub !== undefined;
  if (family === 'channels') return field === 'url' || field === 'secret' || (field === 'headers' && sub !== undefined);
  return false;
};

/** The paths of credentials written out in the document instead of as `ssm:` references. */
export const literalSecrets = (value: unknown, path: PropertyKey[] = []): string[] => {
  if (typeof value === 'string') return isSecretPath(path) && !value.startsWith('ssm:') ? [formatPath(path)] : [];
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => literalSecrets(v, [...path, Array.isArray(value) ? Number(k) : k]));
  return [];
};

/**
 * `npm run check-config -- FILE`: the whole config checked offline, plugin entries included, every mistake on its
 * own line. `ssm:` references are listed, not read. Resolves to the report and whether the file is good.
 */
export const checkConfigFile = async (file: string, opts: { deploy?: boolean } = {}): Promise<{ ok: boolean; report: string }> => {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return { ok: false, report: `${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? 'error'}` };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { ok: false, report: `${file}: ${describeJsonSyntaxError(text)}` };
  }
  const refs: SsmReference[] = [];
  const standIns = withStandIns(doc, [], refs);
  const lines: string[] = [];
  let ok = true;
  try {
    const config = parseFullConfig(standIns);
    const count = (o: object) => Object.keys(o).length;
    lines.push(
      `${file}: valid (${count(config.sources)} sources, ${count(config.scanners)} scanners, ${count(config.channels)} channels, ${config.routes.length} routes)`,
    );
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    ok = false;
    const problems = err.message.replace(/^invalid SCANHOOK_CONFIG: /, '').split('; ');
    lines.push(`${file}: ${problems.length} ${problems.length === 1 ? 'mistake' : 'mistakes'}`, ...problems.map((p) => `  ${p}`));
  }
  const literal = opts.deploy ? literalSecrets(doc) : [];
  if (literal.length > 0) {
    ok = false;
    lines.push('credentials written out: a deployed config keeps them in SSM, as ssm: references', ...literal.map((p) => `  ${p}`));
  }
  if (refs.length > 0) lines.push(`ssm: references (not read here):`, ...refs.map((r) => `  ${r.path} → ssm:${r.name}`));
  return { ok, report: lines.join('\n') };
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const deploy = args.includes('--deploy');
  const file = args.find((a) => !a.startsWith('--'));
  if (!file) {
    process.stderr.write('usage: npm run check-config -- <config.json> [--deploy]\n');
    process.exit(2);
  }
  const { ok, report } = await checkConfigFile(file, { deploy });
  (ok ? process.stdout : process.stderr).write(`${report}\n`);
  process.exit(ok ? 0 : 1);
}
