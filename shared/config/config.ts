import { readFile } from 'node:fs/promises';
import * as z from 'zod/mini';
import { BaselineSetting, IgnoreEntry, NotifyMode } from '../report/policy.js';
import { MinSeverity } from '../report/threshold.js';
import { SourceConfig, sources } from '../sources/index.js';
import { ConfigError } from './configError.js';
import { describeJsonSyntaxError } from './jsonSyntax.js';
import { resolveSsmReferences, type SsmReader, ssmFailure } from './ssm.js';
import { strictObject } from './strictObject.js';
import { formatIssues } from './zodIssues.js';

const Pattern = z._default(z.string().check(z.minLength(1)), '*');

/** The reserved scanner name of a route that takes the registry's own scan result instead of starting a scan. */
export const REGISTRY_SCANNER = 'registry';

export const Route = strictObject({
  /** A key of `sources`: the `{source}` in `POST /webhooks/{source}`. */
  source: z.string().check(z.minLength(1)),
  namespace: Pattern,
  repository: Pattern,
  tag: Pattern,
  /** A key of `scanners`, or `"registry"`: the registry's own scan result, sent in its webhook, goes to the channels. */
  scanner: z.string().check(z.minLength(1)),
  channels: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
  /** A finished scan with no finding at or above this is a pass. Failures and time-outs are always sent. */
  minSeverity: z._default(MinSeverity, 'none'),
  /** Send passes too. */
  notifyOnPass: z._default(z.boolean(), false),
  /** What a finished scan is compared with: `previous` (the last other tag scanned), `{"tag": "prod"}`, or `none`. */
  baseline: z._default(BaselineSetting, 'previous'),
  /** `changes`: send a compared scan only when it has new findings at or above minSeverity. */
  notify: z._default(NotifyMode, 'always'),
  /** Accepted risks for this route, on top of the top-level ones. */
  ignore: z._default(z.array(IgnoreEntry), []),
  /** Leave findings with neither a fixed version nor a fix command out of the verdict, the threshold and the list. */
  fixableOnly: z._default(z.boolean(), false),
  /**
   * Re-scan the newest tags of the repositories this route matches on every sweep (the top-level `watch`). Whether
   * its scanner can list, and the schedule's syntax, are checked where sweeps run (see shared/config/watch.ts).
   */
  watch: z.optional(strictObject({ tagsPerRepository: z._default(z.number().check(z.int(), z.gte(1), z.lte(100)), 1) })),
});
export type Route = z.infer<typeof Route>;

export const Polling = strictObject({
  initialDelaySeconds: z._default(z.number().check(z.gte(0), z.lte(900)), 5),
  maxDelaySeconds: z._default(z.number().check(z.gte(0), z.lte(900)), 30),
  deadlineMinutes: z._default(z.number().check(z.positive()), 60),
});
export type Polling = z.infer<typeof Polling>;

/** How vendor and chat calls are retried inside one invocation, before the queue's own redelivery takes over. */
export const HttpSettings = strictObject({
  // A third of the functions' 30 s timeout at most: a call and its retry must fit in one invocation.
  timeoutMs: z._default(z.number().check(z.int(), z.positive(), z.lte(10_000)), 10_000),
  attempts: z._default(z.number().check(z.int(), z.gte(1), z.lte(10)), 4),
  baseDelayMs: z._default(z.number().check(z.int(), z.gte(0)), 500),
  maxDelayMs: z._default(z.number().check(z.int(), z.gte(0)), 10_000),
});

/**
 * A scanner or channel entry as every function sees it. Its own fields are checked against its plugin's schema by
 * the queue functions (`validatePluginConfigs`), so the webhook function never loads scanner or chat code.
 */
const PluginEntry = z.looseObject({ type: z.string().check(z.minLength(1)) });
export type PluginEntry = z.infer<typeof PluginEntry>;

export const Config = strictObject({
  sources: z.record(z.string(), SourceConfig),
  scanners: z.record(z.string(), PluginEntry),
  channels: z.record(z.string(), PluginEntry),
  routes: z.array(Route).check(z.minLength(1)),
  polling: z.prefault(Polling, {}),
  http: z.prefault(HttpSettings, {}),
  /** Channels told of every job that is dead-lettered: which image, which queue, and why. */
  opsChannels: z._default(z.array(z.string().check(z.minLength(1))), []),
  /** Accepted risks for every route. */
  ignore: z._default(z.array(IgnoreEntry), []),
  /** When sweeps re-scan the images of the routes with a `watch`: an EventBridge schedule expression. */
  watch: z.optional(
    strictObject({ schedule: z.string().check(z.minLength(1)), maxImagesPerSweep: z._default(z.number().check(z.int(), z.gte(1), z.lte(10_000)), 200) }),
  ),
}).check(
  z.superRefine((config, ctx) => {
    config.opsChannels.forEach((c, i) => {
      if (!Object.hasOwn(config.channels, c)) ctx.addIssue({ code: 'custom', path: ['opsChannels', i], message: `unknown channel "${c}"` });
    });
    if (Object.hasOwn(config.scanners, REGISTRY_SCANNER)) {
      ctx.addIssue({
        code: 'custom',
        path: ['scanners', REGISTRY_SCANNER],
        message: `"${REGISTRY_SCANNER}" is reserved for the registry's own scan result; rename this scanner`,
      });
    }
    for (const [name, source] of Object.entries(config.sources)) checkResultScanner(config, name, source, ctx);
    config.routes.forEach((route, i) => {
      const unknown = (field: string, kind: string, value: string) =>
        ctx.addIssue({ code: 'custom', path: ['routes', i, field], message: `unknown ${kind} "${value}"` });
      const source = Object.hasOwn(config.sources, route.source) ? config.sources[route.source] : undefined;
      if (!source) unknown('source', 'source', route.source);
      if (route.scanner === REGISTRY_SCANNER) {
        // A source whose scan events have the result read by a scanner gets the findings too.
        const readsFindings = Boolean(source && sources[source.type]?.scanEvents);
        for (const field of readsFindings ? [] : countsOnly(route)) {
          ctx.addIssue({
            code: 'custom',
            path: ['routes', i, field],
            message: `a "${REGISTRY_SCANNER}" route gets the registry's severity counts only, no findings: nothing to compare, ignore or filter`,
          });
        }
        if (source && !(Object.hasOwn(sources, source.type) && sources[source.type]?.scanResults)) {
          const able = Object.values(sources)
            .filter((s) => s.scanResults)
            .map((s) => s.type)
            .join(', ');
          ctx.addIssue({
            code: 'custom',
            path: ['routes', i, 'scanner'],
            message: `source "${route.source}" (type ${source.type}) sends no scan results; scanner "${REGISTRY_SCANNER}" needs one of type ${able}`,
          });
        }
        const readers = source && sources[source.type]?.scanEvents?.scannerTypes;
        if (readers && source.scanner === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['sources', route.source, 'scanner'],
            message: `required by routes[${i}]: the scanner (of type ${readers.map((t) => `"${t}"`).join(' or ')}) that reads the registry's own scan results`,
          });
        }
      } else if (!Object.hasOwn(config.scanners, route.scanner)) unknown('scanner', 'scanner', route.scanner);
      route.channels.forEach((c, j) => {
        if (!Object.hasOwn(config.channels, c)) ctx.addIssue({ code: 'custom', path: ['routes', i, 'channels', j], message: `unknown channel "${c}"` });
      });
    });
  }),
);
export type Config = z.infer<typeof Config>;

/** A source whose events say a scan ended names the scanner that reads the result: one of a type its format allows. */
const checkResultScanner = (config: { scanners: Record<string, PluginEntry> }, name: string, source: SourceConfig, ctx: z.core.$RefinementCtx) => {
  const types = (Object.hasOwn(sources, source.type) && sources[source.type]?.scanEvents?.scannerTypes) || [];
  const key = source.scanner;
  if (types.length === 0 || typeof key !== 'string') return;
  const entry = Object.hasOwn(config.scanners, key) ? config.scanners[key] : undefined;
  const path = ['sources', name, 'scanner'];
  if (!entry) ctx.addIssue({ code: 'custom', path, message: `unknown scanner "${key}"` });
  else if (!types.includes(entry.type)) {
    ctx.addIssue({ code: 'custom', path, message: `scanner "${key}" is of type ${entry.type}; expected ${types.map((t) => `"${t}"`).join(' or ')}` });
  }
};

/** The fields a registry's own result (counts, no findings) cannot honour, where a route sets them. */
const countsOnly = (route: Route): string[] => [
  ...(typeof route.baseline === 'object' ? ['baseline'] : []),
  ...(route.notify === 'changes' ? ['notify'] : []),
  ...(route.ignore.length > 0 ? ['ignore'] : []),
  ...(route.fixableOnly ? ['fixableOnly'] : []),
];

/** A source's `type` defaults to its key: `"sources": {"acr": {"secret": …}}`. */
const defaultSourceTypes = (raw: unknown): unknown => {
  if (!raw || typeof raw !== 'object') return raw;
  const doc = raw as { sources?: unknown };
  if (!doc.sources || typeof doc.sources !== 'object') return raw;
  const sources = Object.fromEntries(
    Object.entries(doc.sources as Record<string, unknown>).map(([key, value]) => [
      key,
      value && typeof value === 'object' && !('type' in value) ? { type: key, ...value } : value,
    ]),
  );
  return { ...doc, sources };
};

export const parseConfig = (raw: unknown): Config => {
  const result = Config.safeParse(defaultSourceTypes(raw));
  if (!result.success) throw new ConfigError(`invalid SCANHOOK_CONFIG: ${formatIssues(result.error)}`);
  return result.data;
};

/** `SCANHOOK_CONFIG` holds the JSON itself, a file path, or `ssm:/parameter` holding the JSON. */
const readConfigText = async (value: string, ssm: SsmReader): Promise<string> => {
  const trimmed = value.trim();
  if (trimmed.startsWith('{')) return trimmed;
  if (trimmed.startsWith('ssm:')) {
    const name = trimmed.slice(4);
    try {
      return await ssm(name);
    } catch (err) {
      throw new ConfigError(`SCANHOOK_CONFIG: cannot read SSM parameter ${name}: ${ssmFailure(err)}`);
    }
  }
  try {
    return await readFile(trimmed, 'utf8');
  } catch (err) {
    throw new ConfigError(`SCANHOOK_CONFIG: cannot read file "${trimmed}": ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
};

/** Read, resolve `ssm:` strings and validate, once per cold start. */
export const loadConfig = async (env: NodeJS.ProcessEnv, ssm: SsmReader): Promise<Config> => {
  const value = env.SCANHOOK_CONFIG;
  if (!value) throw new ConfigError('SCANHOOK_CONFIG is not set: give the config JSON, a file path, or ssm:/parameter');
  const text = await readConfigText(value, ssm);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ConfigError(`SCANHOOK_CONFIG is not valid JSON: ${describeJsonSyntaxError(text)}`);
  }
  return parseConfig(await resolveSsmReferences(raw, ssm));
};
