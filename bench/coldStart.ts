import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { deflateRawSync } from 'node:zlib';
import { startAcrSimulator } from '../local/simulators/acr.js';
import { startChatSink } from '../local/simulators/chatSink.js';
import { startSsmSimulator } from '../local/simulators/ssm.js';
import { startLocalQueues } from '../local/sqs.js';
import { bundleEntry, FUNCTIONS } from './bundles.js';

const run = promisify(execFile);
const CONFIG_PARAMETER = '/scanhook/bench/config';
export const ANCHORS = ['alibaba', 'huawei'] as const;

/**
 * Runs in a fresh Node process: imports the handler, invokes it once, and reports module load and cold start (load
 * plus first invocation) in ms, peak RSS, and which `@aws-sdk/*` packages the process resolved.
 */
const PROBE = `
import { registerHooks } from 'node:module';
const sdk = new Set();
registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); const m = /\\/@aws-sdk\\/[^/]+/.exec(r.url); if (m) sdk.add(m[0].slice(1)); return r; } });
const { file, event } = JSON.parse(process.env.BENCH_PROBE); delete process.env.BENCH_PROBE;
const context = { functionName: 'bench', awsRequestId: 'bench-1', getRemainingTimeInMillis: () => 60000 };
const t0 = performance.now();
const m = await import(file);
const loadMs = performance.now() - t0;
const result = await m.handler(event, context);
const coldMs = performance.now() - t0;
process.stdout.write('\\n@@probe ' + JSON.stringify({ loadMs, coldMs, rssKb: process.resourceUsage().maxRSS, result, sdk: [...sdk] }) + '\\n');
process.exit(0);
`;

interface Probe {
  loadMs: number;
  coldMs: number;
  rssKb: number;
  result: { statusCode?: number; batchItemFailures?: unknown[] };
  sdk: string[];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const eventOf = async (path: string) => JSON.parse(await readFile(new URL(`../events/${path}`, import.meta.url), 'utf8'));

/** The sample poll job with its scan started a minute ago, so the check asks the registry instead of timing out. */
const withFreshDeadline = (event: { Records: { body: string }[] }) => {
  for (const record of event.Records) {
    const job = JSON.parse(record.body);
    job.scan = { ...job.scan, startedAt: new Date(Date.now() - 60_000).toISOString(), deadline: new Date(Date.now() + 3_600_000).toISOString() };
    record.body = JSON.stringify(job);
  }
  return event;
};

/** What each function is handed on its first invocation: the samples in events/, which the config below serves. */
const firstEvents = async (): Promise<Record<string, unknown>> => ({
  onPush: await eventOf('http/acr-push.json'),
  startScan: await eventOf('sqs/scan.json'),
  pollStatus: withFreshDeadline(await eventOf('sqs/poll.json')),
  notify: await eventOf('sqs/notify-findings.json'),
});

const benchConfig = (acrUrl: string, chatUrl: string) => ({
  sources: { acr: { secret: 'local-demo-secret-change-me' } },
  scanners: { 'acr-hz': { type: 'acr', region: 'cn-hangzhou', instanceId: 'cri-bench', endpoint: acrUrl } },
  channels: { sec: { type: 'slack', url: `${chatUrl}/slack/sec` }, audit: { type: 'slack', url: `${chatUrl}/slack/audit` } },
  routes: [{ source: 'acr', scanner: 'acr-hz', channels: ['sec', 'audit'] }],
});

/**
 * Cold start from the zips `serverless package` builds, each unpacked in its own folder as Lambda lays it out: the
 * zip's files, and beside them only `@aws-sdk/*`, which the nodejs22.x runtime provides. The anchors (bench/anchors/)
 * are the same work on the official SDKs, bundled with the same esbuild settings. Every sample is a fresh Node
 * process that reads the config from an SSM-compatible endpoint and sends to an embedded SQS server.
 */
export const measureColdStarts = async (samples = 7) => {
  await run('npm', ['run', '--silent', 'package'], { maxBuffer: 16 * 1024 * 1024 });
  const root = await mkdtemp(join(tmpdir(), 'scanhook-cold-'));
  const [acr, chat, ssm, queues] = await Promise.all([startAcrSimulator(), startChatSink(), startSsmSimulator(), startLocalQueues()]);
  try {
    await mkdir(join(root, 'node_modules'), { recursive: true });
    await symlink(resolve('node_modules/@aws-sdk'), join(root, 'node_modules/@aws-sdk'), 'dir');
    ssm.put(CONFIG_PARAMETER, JSON.stringify(benchConfig(acr.url, chat.url)));
    const env = {
      PATH: process.env.PATH ?? '',
      NODE_NO_WARNINGS: '1',
      ...ssm.env,
      AWS_ENDPOINT_URL_SQS: queues.address,
      SCANHOOK_CONFIG: `ssm:${CONFIG_PARAMETER}`,
      POWERTOOLS_SERVICE_NAME: 'scanhook',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      ALIBABA_CLOUD_ACCESS_KEY_ID: acr.credentials.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: acr.credentials.accessKeySecret,
      // As serverless.yml sets them.
      ...Object.fromEntries(
        Object.entries(queues.urls).map(([k, url]) => [k.endsWith('Dlq') ? `${k.slice(0, -3).toUpperCase()}_DLQ_URL` : `${k.toUpperCase()}_QUEUE_URL`, url]),
      ),
    };

    const probe = async (file: string, event: unknown) => {
      const out: Probe[] = [];
      for (let i = 0; i < samples; i++) {
        const { stdout } = await run(process.execPath, ['--input-type=module', '-e', PROBE], {
          env: { ...env, BENCH_PROBE: JSON.stringify({ file, event }) },
          maxBuffer: 16 * 1024 * 1024,
        }).catch((err: { stderr?: string }) => {
          const lines = (err.stderr ?? '').split('\n').filter((l) => l.length < 400);
          throw new Error(`${file} failed: ${lines.slice(-12).join('\n')}`);
        });
        const line = stdout.split('\n').find((l) => l.startsWith('@@probe '));
        if (!line) throw new Error(`${file}: no result from the probe:\n${stdout.slice(-2000)}`);
        const p = JSON.parse(line.slice(8)) as Probe;
        const failed = (p.result.statusCode !== undefined && p.result.statusCode !== 202) || (p.result.batchItemFailures?.length ?? 0) > 0;
        if (failed) throw new Error(`${file}: the first invocation failed: ${JSON.stringify(p.result)}\n${stdout.slice(-2000)}`);
        out.push(p);
      }
      return {
        loadMs: median(out.map((p) => p.loadMs)),
        coldMs: median(out.map((p) => p.coldMs)),
        peakRssMb: Math.max(...out.map((p) => p.rssKb)) / 1024,
        awsSdk: [...new Set(out.flatMap((p) => p.sdk))].sort(),
      };
    };

    const events = await firstEvents();
    const functions = [];
    for (const name of FUNCTIONS) {
      const zip = resolve('.serverless', `${name}.zip`);
      const dir = join(root, name);
      await run('unzip', ['-q', '-o', zip, '-d', dir]);
      functions.push({ name, zipKiB: (await stat(zip)).size / 1024, ...(await probe(join(dir, 'functions', name, 'handler.mjs'), events[name])) });
    }
    const anchors = [];
    for (const name of ANCHORS) {
      const built = await bundleEntry(`bench/anchors/${name}.ts`, `anchor-${name}`, ['@aws-sdk/*']);
      const file = join(root, 'anchors', `${name}.mjs`);
      await mkdir(join(root, 'anchors'), { recursive: true });
      await run('cp', [built, file]);
      // A zip of the bundle is its deflated bytes and a few headers.
      anchors.push({ name, zipKiB: deflateRawSync(await readFile(file), { level: 9 }).length / 1024, ...(await probe(file, events.onPush)) });
    }
    return { functions, anchors };
  } finally {
    await Promise.all([acr.close(), chat.close(), ssm.close(), queues.stop()]);
    await rm(root, { recursive: true, force: true });
  }
};

/** The bars issue 14 sets: cold start against each anchor, onPush's module load, every process's peak RSS. */
export const COLD_BARS = { anchorRatio: 0.25, onPushLoadMs: 60, rssMb: 90 };

/** One row per function and per anchor: each figure beside its bar, ratios against the anchors of the same run. */
export const coldStartRows = ({ functions, anchors }: Awaited<ReturnType<typeof measureColdStarts>>) => {
  const ok = (pass: boolean) => (pass ? 'ok' : 'OVER BAR');
  const ratio = (ms: number, anchor: { coldMs: number }) => ms / anchor.coldMs;
  const rows = functions.map((f) => {
    const ratios = anchors.map((a) => ratio(f.coldMs, a));
    return {
      function: f.name,
      'zip KiB': f.zipKiB,
      'load ms': f.loadMs,
      'load bar': f.name === 'onPush' ? `${ok(f.loadMs <= COLD_BARS.onPushLoadMs)} (≤ ${COLD_BARS.onPushLoadMs})` : '',
      'cold start ms': f.coldMs,
      ...Object.fromEntries(anchors.map((a, i) => [`× ${a.name} anchor`, ratios[i]!.toFixed(2)])),
      'cold bar': `${ok(ratios.every((r) => r <= COLD_BARS.anchorRatio))} (≤ ${COLD_BARS.anchorRatio}×)`,
      'peak RSS MB': f.peakRssMb,
      'RSS bar': `${ok(f.peakRssMb <= COLD_BARS.rssMb)} (≤ ${COLD_BARS.rssMb})`,
      'loads @aws-sdk': f.awsSdk.length > 0 ? 'yes' : 'no',
    };
  });
  const anchorRows = anchors.map((a) => ({
    function: `anchor: ${a.name}`,
    'zip KiB': a.zipKiB,
    'load ms': a.loadMs,
    'load bar': '',
    'cold start ms': a.coldMs,
    ...Object.fromEntries(anchors.map((b) => [`× ${b.name} anchor`, ratio(a.coldMs, b).toFixed(2)])),
    'cold bar': '',
    'peak RSS MB': a.peakRssMb,
    'RSS bar': '',
    'loads @aws-sdk': a.awsSdk.length > 0 ? 'yes' : 'no',
  }));
  return { rows: [...rows, ...anchorRows] };
};
