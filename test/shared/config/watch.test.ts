import { describe, expect, it } from 'vitest';
import { parseFullConfig } from '../../../local/fullConfig.js';
import { parseConfig } from '../../../shared/config/config.js';
import { LISTING_SCANNER_TYPES, scheduleProblem } from '../../../shared/config/watch.js';
import { scanners } from '../../../shared/scanners/index.js';

const SECRET = 'a-long-enough-webhook-secret-1234';

const doc = (extra: Record<string, unknown> = {}, route: Record<string, unknown> = {}) => ({
  sources: { acr: { secret: SECRET }, harbor: { secret: SECRET } },
  scanners: {
    'acr-sh': { type: 'acr', region: 'cn-shanghai', instanceId: 'cri-0123456789' },
    swr: { type: 'swr', region: 'cn-north-4', projectId: 'p', instanceId: 'i' },
    sas: { type: 'sas', region: 'cn-hangzhou' },
  },
  channels: { sec: { type: 'slack', url: 'https://hooks.slack.com/services/T000/B000/abc' } },
  routes: [{ source: 'acr', scanner: 'acr-sh', channels: ['sec'], watch: { tagsPerRepository: 2 }, ...route }],
  watch: { schedule: 'rate(1 day)' },
  ...extra,
});

const errorOf = (raw: unknown, parse: (raw: unknown) => unknown = parseConfig): string => {
  try {
    parse(raw);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected an error');
};

describe('watch config', () => {
  it('takes a route watch and the top-level schedule, with their defaults', () => {
    const config = parseConfig(doc({}, { watch: {} }));
    expect(config.routes[0]!.watch).toEqual({ tagsPerRepository: 1 });
    expect(config.watch).toEqual({ schedule: 'rate(1 day)', maxImagesPerSweep: 200 });
    expect(parseConfig(doc({ watch: { schedule: 'cron(0 3 * * ? *)', maxImagesPerSweep: 50 } })).watch?.maxImagesPerSweep).toBe(50);
  });

  it('is strict: a mistyped field is named by its path', () => {
    expect(errorOf(doc({}, { watch: { tagPerRepository: 1 } }))).toContain(
      'routes[0].watch.tagPerRepository: unknown field (did you mean "tagsPerRepository"?)',
    );
    expect(errorOf(doc({ watch: { schedule: 'rate(1 day)', maxImagePerSweep: 3 } }))).toContain(
      'watch.maxImagePerSweep: unknown field (did you mean "maxImagesPerSweep"?)',
    );
    expect(errorOf(doc({ watch: { schedule: 'rate(1 day)', maxImagesPerSweep: 0 } }))).toContain('watch.maxImagesPerSweep');
    expect(errorOf(doc({}, { watch: { tagsPerRepository: 1.5 } }))).toContain('routes[0].watch.tagsPerRepository');
  });

  it('refuses a watched route without the top-level schedule', () => {
    expect(errorOf(doc({ watch: undefined }), parseFullConfig)).toContain('routes[0].watch: needs the top-level "watch"');
  });

  it('refuses a watch on the registry (no scan to start), naming the route; every scanner type can list', () => {
    for (const scanner of ['sas', 'swr']) expect(() => parseFullConfig(doc({}, { scanner }))).not.toThrow();
    const registry = doc({}, { source: 'harbor', scanner: 'registry' });
    expect(errorOf(registry, parseFullConfig)).toContain('routes[0].watch: scanner "registry" cannot list');
  });

  it('checks the schedule expression', () => {
    expect(errorOf(doc({ watch: { schedule: 'every day' } }), parseFullConfig)).toContain('watch.schedule: expected "rate(…)" or "cron(…)"');
    expect(errorOf(doc({ watch: { schedule: 'rate(2 day)' } }), parseFullConfig)).toContain('write "rate(2 days)"');
    expect(errorOf(doc({ watch: { schedule: 'cron(0 3 * * *)' } }), parseFullConfig)).toContain('6 fields');
    expect(errorOf(doc({ watch: { schedule: 'cron(0 3 * * MON *)' } }), parseFullConfig)).toContain('exactly one of day-of-month and day-of-week must be "?"');
    // What needs more than the shape is checked where sweeps run and by npm start, check-config and the deploy,
    // as scanner entries are: the webhook function carries none of it.
    expect(() => parseConfig(doc({ watch: { schedule: 'cron(99 3 * * ? *)' } }))).not.toThrow();
    expect(errorOf(doc({ watch: { schedule: 'cron(99 3 * * ? *)' } }), parseFullConfig)).toContain('watch.schedule: number 99 is not between 0 and 59');
    for (const good of ['rate(1 minute)', 'rate(5 minutes)', 'rate(12 hours)', 'cron(0/15 * ? * MON-FRI *)', 'cron(0 18 L * ? 2030)'])
      expect(scheduleProblem(good)).toBeUndefined();
  });
});

describe('which scanners can list', () => {
  const entries: Record<string, Record<string, unknown>> = {
    acr: { type: 'acr', region: 'cn-hangzhou', instanceId: 'cri-test' },
    sas: { type: 'sas', region: 'cn-hangzhou' },
    swr: { type: 'swr', region: 'cn-north-4', projectId: 'p', instanceId: 'i' },
    hss: { type: 'hss', region: 'cn-north-4', projectId: 'p' },
  };
  const ctx = { http: {} as never, retry: {} as never, env: {}, onRetry: () => {} };

  it('the config names exactly the scanner types whose client lists images', () => {
    expect(Object.keys(scanners).sort()).toEqual(Object.keys(entries).sort());
    const listing = Object.values(scanners)
      .filter((plugin) => plugin.create(plugin.configSchema.parse(entries[plugin.type]), ctx).list !== undefined)
      .map((plugin) => plugin.type);
    expect(listing.sort()).toEqual([...LISTING_SCANNER_TYPES].sort());
  });
});
