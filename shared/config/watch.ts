import { type Config, REGISTRY_SCANNER } from './config.js';

/**
 * What the config's `watch` settings need beyond their shape, checked where sweeps run (startScan) and by `npm start`,
 * `npm run check-config` and the deploy (local/fullConfig.ts), as the scanner entries are: the webhook function, which
 * never sweeps, carries none of it.
 */

/**
 * The scanner types whose images a sweep can list (a `list` in their client; a test keeps the two in step). It lives
 * here, not in the scanner plugins, so that a config check names a watch on any other scanner without loading them.
 */
export const LISTING_SCANNER_TYPES: readonly string[] = ['acr', 'sas', 'swr', 'hss'];

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
/** What one field of an AWS cron expression may hold: numbers, names, and `, - * ? / L W #`. */
const CRON_FIELD = /^[0-9A-Za-z,\-*?/#]+$/;

const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** The interval of a `rate(…)` expression in ms, or undefined for anything else. */
export const rateMs = (expression: string): number | undefined => {
  const m = RATE.exec(expression);
  if (!m) return undefined;
  const value = Number(m[1]);
  return value * UNIT_MS[m[2]!.replace(/s$/, '')]!;
};

/** The six fields of a `cron(…)` expression (minutes hours day-of-month month day-of-week year), or undefined. */
export const cronFields = (expression: string): string[] | undefined => {
  const m = /^cron\((.*)\)$/.exec(expression);
  return m ? m[1]!.trim().split(/\s+/) : undefined;
};

/**
 * What is wrong with a schedule expression in the EventBridge syntax
 * (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html), or undefined. The shape only: the
 * ranges of a cron's values are checked by local/schedule.ts.
 */
export const scheduleProblem = (expression: string): string | undefined => {
  if (expression.startsWith('rate(')) {
    const m = RATE.exec(expression);
    if (!m) return 'expected rate(<number> <minute|minutes|hour|hours|day|days>), e.g. "rate(1 day)"';
    const value = Number(m[1]);
    if (value < 1) return 'a rate must be at least 1';
    if ((value === 1) !== !m[2]!.endsWith('s'))
      return `write "rate(${value} ${value === 1 ? m[2]!.replace(/s$/, '') : `${m[2]}s`})": EventBridge refuses the other number`;
    return undefined;
  }
  const fields = cronFields(expression);
  if (!fields) return 'expected "rate(…)" or "cron(…)", e.g. "rate(1 day)" or "cron(0 3 * * ? *)"';
  if (fields.length !== 6) return `a cron expression has 6 fields (minutes hours day-of-month month day-of-week year), this one ${fields.length}`;
  if (!fields.every((f) => CRON_FIELD.test(f))) return 'a cron field holds only numbers, names and , - * ? / L W #';
  if ((fields[2] === '?') === (fields[4] === '?')) return 'exactly one of day-of-month and day-of-week must be "?"';
  return undefined;
};

/** Why a route's `watch` cannot be honoured: no schedule, or a scanner that cannot list its images. */
export const routeWatchProblems = (config: Config, route: Config['routes'][number]): string[] => {
  const problems = config.watch ? [] : ['needs the top-level "watch": {"schedule": …} that says when sweeps run'];
  const type = Object.hasOwn(config.scanners, route.scanner) ? config.scanners[route.scanner]?.type : undefined;
  if (route.scanner === REGISTRY_SCANNER || (type !== undefined && !LISTING_SCANNER_TYPES.includes(type))) {
    const what = route.scanner === REGISTRY_SCANNER ? `"${REGISTRY_SCANNER}"` : `"${route.scanner}" (type ${type})`;
    problems.push(`scanner ${what} cannot list its images for a sweep; watch needs one of type ${LISTING_SCANNER_TYPES.join(', ')}`);
  }
  return problems;
};

/** Every problem of the config's watch settings, each naming its path: `routes[2].watch: …`, `watch.schedule: …`. */
export const watchProblems = (config: Config): string[] => {
  const schedule = config.watch ? scheduleProblem(config.watch.schedule.trim()) : undefined;
  return [
    ...(schedule ? [`watch.schedule: ${schedule}`] : []),
    ...config.routes.flatMap((route, i) => (route.watch ? routeWatchProblems(config, route).map((p) => `routes[${i}].watch: ${p}`) : [])),
  ];
};
