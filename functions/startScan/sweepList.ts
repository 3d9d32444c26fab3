import type { Route } from '../../shared/config/config.js';
import { globMatches } from '../../shared/config/glob.js';
import { matchRoute } from '../../shared/config/matchRoute.js';
import { routeWatchProblems } from '../../shared/config/watch.js';
import { describeError } from '../../shared/http/callError.js';
import { settleLimited } from '../../shared/http/concurrency.js';
import { imageName } from '../../shared/messages/image.js';
import type { SweepImage } from '../../shared/messages/sweepJob.js';
import type { ScannerRuntime } from '../../shared/runtime/withScanners.js';
import type { ReadBudget } from '../../shared/scanners/pages.js';
import type { ImageLister, ListedRepository } from '../../shared/scanners/scanner.js';

/** Repositories whose tags are listed at once, per route. */
const REPOSITORIES_AT_ONCE = 4;

/** What listing found: the images to re-scan (newest pushed first), and one line per thing that could not be listed. */
export interface SweepListing {
  images: (SweepImage & { pushedAt: number })[];
  problems: string[];
}

const sourceTypeOf = (rt: ScannerRuntime, route: Route) =>
  Object.hasOwn(rt.config.sources, route.source) ? (rt.config.sources[route.source]?.type ?? route.source) : route.source;

/** The newest `tagsPerRepository` tags of one repository that the route matches, as images; odd names are a problem. */
const newestTags = async (rt: ScannerRuntime, lister: ImageLister, index: number, route: Route, repo: ListedRepository, budget: ReadBudget) => {
  const tags = await lister.tags(repo, budget);
  const scanner = rt.config.scanners[route.scanner] as { region?: unknown } | undefined;
  const region = typeof scanner?.region === 'string' ? scanner.region : undefined;
  const images: SweepListing['images'] = [];
  const problems: string[] = [];
  const wanted = tags.filter((t) => globMatches(route.tag, t.tag)).sort((a, b) => b.pushedAt - a.pushedAt);
  for (const t of wanted.slice(0, route.watch?.tagsPerRepository ?? 1)) {
    const name = imageName(sourceTypeOf(rt, route)).safeParse({ namespace: repo.namespace, repository: repo.repository, tag: t.tag, digest: t.digest });
    if (!name.success) {
      problems.push(
        `${JSON.stringify(`${repo.namespace}/${repo.repository}:${t.tag}`)}: not an image name scanhook can scan (${name.error.issues[0]?.message})`,
      );
      continue;
    }
    const image = {
      source: route.source,
      ...(region ? { region } : {}),
      ...name.data,
      ...(t.pushedAt > 0 ? { pushedAt: new Date(t.pushedAt).toISOString() } : {}),
    };
    // A later route never sweeps an image an earlier route takes on push: the first match owns it.
    if (matchRoute(rt.config, image) === index) images.push({ route: index, image, pushedAt: t.pushedAt });
  }
  return { images, problems };
};

/** One watched route: its scanner's repositories that match, and their newest tags. A repository that fails is a problem, not the end. */
const listRoute = async (rt: ScannerRuntime, index: number, route: Route, budget: ReadBudget): Promise<SweepListing> => {
  const label = `routes[${index}] (scanner ${route.scanner})`;
  let lister: ImageLister | undefined;
  let repositories: ListedRepository[];
  try {
    lister = rt.scanner(route.scanner).list;
    if (!lister) return { images: [], problems: [`${label}: the scanner cannot list its images`] };
    repositories = await lister.repositories(budget);
  } catch (err) {
    return { images: [], problems: [`${label}: listing repositories failed: ${describeError(err).reason}`] };
  }
  const matching = repositories.filter((r) => globMatches(route.namespace, r.namespace) && globMatches(route.repository, r.repository));
  const listed = await settleLimited(matching, REPOSITORIES_AT_ONCE, (repo) => newestTags(rt, lister, index, route, repo, budget));
  const out: SweepListing = { images: [], problems: [] };
  listed.forEach((result, i) => {
    if (result.status === 'fulfilled') {
      out.images.push(...result.value.images);
      out.problems.push(...result.value.problems);
    } else {
      const repo = matching[i]!;
      out.problems.push(
        `${label}: listing the tags of ${JSON.stringify(`${repo.namespace}/${repo.repository}`)} failed: ${describeError(result.reason).reason}`,
      );
    }
  });
  return out;
};

/** Every watched route's images to re-scan, newest pushed first, with what could not be listed. */
export const listWatched = async (rt: ScannerRuntime, budget: ReadBudget): Promise<SweepListing> => {
  const watched = rt.config.routes.flatMap((route, index) => (route.watch ? [{ route, index, problems: routeWatchProblems(rt.config, route) }] : []));
  // A watch the config check would refuse (npm run check-config names it) is skipped, saying why.
  const refused = watched.flatMap(({ index, problems }) => problems.map((p) => `routes[${index}].watch: ${p}: not swept`));
  const routes = watched.filter((w) => w.problems.length === 0);
  const listed = await Promise.all(routes.map(({ route, index }) => listRoute(rt, index, route, budget)));
  return {
    images: listed.flatMap((l) => l.images).sort((a, b) => b.pushedAt - a.pushedAt),
    problems: [...refused, ...listed.flatMap((l) => l.problems)],
  };
};

/**
 * The images a scanner's quota lets the sweep re-scan (Security Center: its authorizations left, by its pre-check),
 * each scanner's images in their order; a line for each scanner that left some out. A quota that cannot be read
 * leaves them all in, saying so: their starts then meet the quota as pushes do.
 */
export const fitQuotas = async (rt: ScannerRuntime, images: SweepListing['images']): Promise<SweepListing> => {
  const byScanner = new Map<string, number[]>();
  images.forEach((image, i) => {
    const scanner = rt.config.routes[image.route]?.scanner ?? '';
    byScanner.set(scanner, [...(byScanner.get(scanner) ?? []), i]);
  });
  const dropped = new Set<number>();
  const problems: string[] = [];
  for (const [scanner, indexes] of byScanner) {
    try {
      const fitQuota = rt.scanner(scanner).list?.fitQuota;
      if (!fitQuota) continue;
      const { kept, line } = await fitQuota(indexes.map((i) => images[i]!.image));
      const keep = new Set(kept.map((k) => indexes[k]));
      for (const i of indexes) if (!keep.has(i)) dropped.add(i);
      if (line) problems.push(`scanner ${scanner}: ${line}`);
    } catch (err) {
      problems.push(`scanner ${scanner}: its quota could not be read, so every image was queued: ${describeError(err).reason}`);
    }
  }
  return { images: images.filter((_, i) => !dropped.has(i)), problems };
};
