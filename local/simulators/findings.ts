/**
 * What the vendor simulators' images hold, where a test or the bench asks for more than a repository's name implies.
 *
 * `*delta*` repositories hold different findings per image: each image's generation (its digest's first byte, mod 4)
 * shifts which of the repository's findings it has, so the next generation fixes the first finding of each level and
 * brings one new one. A demo or a test picks digests by generation with `digestOfGeneration`.
 */
export const generationOf = (repository: string, digest: string): number => {
  if (!/delta/.test(repository)) return 0;
  const hex = digest.replace(/^sha256:/, '');
  return (Number.parseInt(hex.slice(0, 2), 16) || 0) % 4;
};

/** A digest of generation `generation` (0–3), made distinct by `salt`. */
export const digestOfGeneration = (generation: number, salt: string): string =>
  `sha256:${generation.toString(16).padStart(2, '0')}${Buffer.from(salt).toString('hex').padEnd(62, '0').slice(0, 62)}`;

/** One generated finding: `level` indexes the vendor's own levels, worst first. */
export interface SimFinding {
  id: string;
  level: number;
  pkg: string;
  version: string;
  /** Every other finding has a fixed version. */
  fixed?: string;
}

/** Long package names, as an image built from many language ecosystems lists them. */
const longName = (i: number) => `${'org.example.platform.shared-library-components.'.repeat(6)}module-${i % 97}`;

/**
 * `count` findings spread over `levels` levels, shifted by `generation`: generation g holds findings g … g + count − 1,
 * so two generations of the same count share all but the ends.
 */
export const simFindings = (count: number, levels: number, generation = 0, opts: { longNames?: boolean } = {}): SimFinding[] =>
  Array.from({ length: count }, (_, k) => {
    const i = k + generation;
    const pkg = opts.longNames ? longName(i) : `pkg-${i % 97}`;
    return {
      id: `CVE-2030-${String(100_000 + i)}`,
      level: i % levels,
      pkg,
      version: `1.${i}.0`,
      ...(i % 2 === 0 ? { fixed: `1.${i}.1` } : {}),
    };
  });
