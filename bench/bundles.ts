import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { build } from 'esbuild';
import { median } from './median.js';

export const FUNCTIONS = ['onPush', 'startScan', 'pollStatus', 'notify'] as const;
const OUT_DIR = '.bench';

/** Bundles a function the way serverless.yml's custom.esbuild does (minified ESM, everything in the bundle). */
export const bundle = (name: string): Promise<string> => bundleEntry(`functions/${name}/handler.ts`, name, []);

/**
 * Bundles any entry point with the same settings, to .bench/<outName>.mjs. The anchors of bench/anchors/ leave the
 * AWS SDK out, to the Lambda runtime, as a function built on it is deployed.
 */
export const bundleEntry = async (entry: string, outName: string, external: string[]): Promise<string> => {
  mkdirSync(OUT_DIR, { recursive: true });
  const outfile = `${OUT_DIR}/${outName}.mjs`;
  await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    // As serverless.yml: ESM entry points first.
    mainFields: ['module', 'main'],
    target: 'node22',
    external,
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
    outfile,
    logLevel: 'error',
  });
  return outfile;
};

/** Module-load time and peak RSS of a bundle, each in a fresh Node process. */
export const coldLoad = (file: string, runs = 11) => {
  const script = `const t=performance.now();await import(${JSON.stringify(`${process.cwd()}/${file}`)});const ms=performance.now()-t;process.stdout.write(JSON.stringify({ms,rss:process.resourceUsage().maxRSS}))`;
  const samples = Array.from(
    { length: runs },
    () =>
      JSON.parse(
        execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_NO_WARNINGS: '1' } }),
      ) as { ms: number; rss: number },
  );
  return { loadMs: median(samples.map((s) => s.ms)), peakRssMb: Math.max(...samples.map((s) => s.rss)) / 1024 };
};

export const sizeKiB = async (file: string) => (await stat(file)).size / 1024;

export const measureBundles = async () => {
  const rows = [];
  for (const name of FUNCTIONS) {
    const file = await bundle(name);
    rows.push({ name, sizeKiB: await sizeKiB(file), ...coldLoad(file) });
  }
  return rows;
};

// Keeps `execFileSync` honest about where node is.
export const nodeVersion = () => execFileSync(process.execPath, ['--version'], { encoding: 'utf8' }).trim();
