import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { deflateRawSync } from 'node:zlib';
import { startAcrSimulator } from '../local/simulators/acr.js';
import { startChatSink } from '../local/simulators/chatSink.js';
import { createTokenBook, HUAWEI_SIM_KEYS, HUAWEI_SIM_PROJECT } from '../local/simulators/huaweiApig.js';
import { startSsmSimulator } from '../local/simulators/ssm.js';
import { startSwrSimulator } from '../local/simulators/swr.js';
import { startLocalQueues } from '../local/sqs.js';
import { bundleEntry, FUNCTIONS } from './bundles.js';
import { median } from './median.js';

const run = promisify(execFile);
const CONFIG_PARAMETER = '/scanhook/bench/config';
export const VENDORS = ['alibaba', 'huawei'] as const;
type Vendor = (typeof VENDORS)[number];
type FunctionName = (typeof FUNCTIONS)[number];

/**
 * Each function's anchor on each vendor's SDK: a file of bench/anchors/ and its export. onPush and notify call no
 * registry, so one anchor, on the AWS SDK alone, stands for both vendors.
 */
export const ANCHORS: Record<FunctionName, Record<Vendor, { file: string; export: string }>> = {
  onPush: { alibaba: { file: 'onPush', export: 'handler' }, huawei: { file: 'onPush', export: 'handler' } },
  startScan: { alibaba: { file: 'alibaba', export: 'startScan' }, huawei: { file: 'huawei', export: 'startScan' } },
  pollStatus: { alibaba: { file: 'alibaba', export: 'pollStatus' }, huawei: { file: 'huawei', export: 'pollStatus' } },
  notify: { alibaba: { file: 'notify', export: 'handler' }, huawei: { file: 'notify', export: 'handler' } },
};
const anchorKey = (a: { file: string; export: string }) => (a.export === 'handler' ? a.file : `${a.export} (${a.file})`);

/** Each function's floor (bench/floor/): its stack's unavoidable work alone. pollStatus does startScan's: one request, one send. */
export const FLOORS: Record<FunctionName, string> = { onPush: 'onPush', startScan: 'startScan', pollStatus: 'startScan', notify: 'notify' };

/**
 * Runs in a fresh Node process: imports the handler, invokes it once, and reports module load and cold start (load
 * plus first invocation) in ms, peak RSS, and which `@aws-sdk/*` packages the process resolved.
 */
const PROBE = `
import { registerHooks } from 'node:module';
const sdk = new Set();
registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); const m = /\\/@aws-sdk\\/[^/]+/.exec(r.url); if (m) sdk.add(m[0].slice(1)); return r; } });
const { file, exportName, event } = JSON.parse(process.env.BENCH_PROBE); delete process.env.BENCH_PROBE;
const context = { functionName: 'bench', awsRequestId: 'bench-1', getRemainingTimeInMillis: () => 60000 };
const c0 = process.cpuUsage();
const t0 = performance.now();
const m = await import(file);
const loadMs = performance.now() - t0;
const result = await m[exportName](event, context);
const coldMs = performance.now() - t0;
const cpu = process.cpuUsage(c0);
process.stdout.write('\\n@@probe ' + JSON.stringify({ loadMs, coldMs, cpuMs: (cpu.user + cpu.system) / 1000, rssKb: process.resourceUsage().maxRSS, result, sdk: [...sdk] }) + '\\n');
process.exit(0);
`;

interface Probe {
  loadMs: number;
  coldMs: number;
  /** CPU time of the process over the same span (all its threads): steadier than wall time on a shared machine. */
  cpuMs: number;
  rssKb: number;
  result: { statusCode?: number; batchItemFailures?: unknown[] };
  sdk: string[];
}

/** What the Lambda runtime sets in every function's environment (clients read it: aws-lite, for one, reads no AWS config file in Lambda). */
const lambdaEnv = (name: string, taskRoot: string) => ({
  AWS_LAMBDA_FUNCTION_NAME: `scanhook-bench-${name.replace(/\W+/g, '-')}`,
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
  LAMBDA_TASK_ROOT: taskRoot,
});

/** A function's zip or an anchor's bundle, with what its first invocation is handed. */
interface Target {
  name: string;
  kind: 'function' | 'anchor' | 'floor';
  zipKiB: number;
  file: string;
  event: unknown;
  exportName: string;
}

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

/**
 * The functions scan with ACR; the Huawei anchors call the SWR entry. notify's sample posts to `sec`, a plain HTTP
 * endpoint: a post to a rate-limited target (Slack) is followed by a pause that keeps the channel's pace (1 s for
 * Slack, warm or cold alike, functions/notify/rateLimit.ts), which is neither start-up work nor done by the anchor.
 */
const benchConfig = (acrUrl: string, swrUrl: string, chatUrl: string) => ({
  sources: { acr: { secret: 'local-demo-secret-change-me' } },
  scanners: {
    'acr-hz': { type: 'acr', region: 'cn-hangzhou', instanceId: 'cri-bench', endpoint: acrUrl },
    'swr-bj': {
      type: 'swr',
      region: 'cn-north-4',
      projectId: HUAWEI_SIM_PROJECT,
      instanceId: 'swr-bench',
      endpoint: swrUrl,
      credentials: { ak: HUAWEI_SIM_KEYS.accessKey, sk: HUAWEI_SIM_KEYS.secretKey },
    },
  },
  channels: { sec: { type: 'webhook', url: `${chatUrl}/hooks/sec` }, audit: { type: 'slack', url: `${chatUrl}/slack/audit` } },
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
  // Every status check finds the scan running: each sample of pollStatus and of its anchors does the same work.
  const running = { scanChecks: Number.MAX_SAFE_INTEGER };
  const [acr, swr, chat, ssm, queues] = await Promise.all([
    startAcrSimulator({ defaults: running }),
    startSwrSimulator({ tokens: createTokenBook(), defaults: running }),
    startChatSink(),
    startSsmSimulator(),
    startLocalQueues(),
  ]);
  try {
    await mkdir(join(root, 'node_modules'), { recursive: true });
    await symlink(resolve('node_modules/@aws-sdk'), join(root, 'node_modules/@aws-sdk'), 'dir');
    ssm.put(CONFIG_PARAMETER, JSON.stringify(benchConfig(acr.url, swr.url, chat.url)));
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

    /** One fresh Node process: module load and first invocation of `file`'s export. */
    const probeOnce = async ({ name, file, event, exportName }: Target): Promise<Probe> => {
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', PROBE], {
        env: { ...env, ...lambdaEnv(name, dirname(file)), BENCH_PROBE: JSON.stringify({ file, exportName, event }) },
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
      return p;
    };

    const events = await firstEvents();
    const targets: Target[] = [];
    for (const name of FUNCTIONS) {
      const zip = resolve('.serverless', `${name}.zip`);
      const dir = join(root, name);
      await run('unzip', ['-q', '-o', zip, '-d', dir]);
      targets.push({
        name,
        kind: 'function',
        zipKiB: (await stat(zip)).size / 1024,
        file: join(dir, 'functions', name, 'handler.mjs'),
        event: events[name],
        exportName: 'handler',
      });
    }
    const anchorOf: Record<string, Record<Vendor, string>> = {};
    await mkdir(join(root, 'anchors'), { recursive: true });
    for (const name of FUNCTIONS) {
      anchorOf[name] = { alibaba: anchorKey(ANCHORS[name].alibaba), huawei: anchorKey(ANCHORS[name].huawei) };
      for (const vendor of VENDORS) {
        const anchor = ANCHORS[name][vendor];
        const key = anchorKey(anchor);
        if (targets.some((t) => t.kind === 'anchor' && t.name === key)) continue;
        const built = await bundleEntry(`bench/anchors/${anchor.file}.ts`, `anchor-${anchor.file}`, ['@aws-sdk/*']);
        const file = join(root, 'anchors', `${anchor.file}.mjs`);
        await run('cp', [built, file]);
        // A zip of the bundle is its deflated bytes and a few headers.
        const zipKiB = deflateRawSync(await readFile(file), { level: 9 }).length / 1024;
        targets.push({ name: key, kind: 'anchor', zipKiB, file, event: events[name], exportName: anchor.export });
      }
    }

    for (const floor of new Set(Object.values(FLOORS))) {
      const file = join(root, 'anchors', `floor-${floor}.mjs`);
      await run('cp', [await bundleEntry(`bench/floor/${floor}.ts`, `floor-${floor}`, []), file]);
      const zipKiB = deflateRawSync(await readFile(file), { level: 9 }).length / 1024;
      const fn = FUNCTIONS.find((f) => FLOORS[f] === floor)!;
      targets.push({ name: floor, kind: 'floor', zipKiB, file, event: events[fn], exportName: 'handler' });
    }

    // Round by round, every function, anchor and floor once per round: a spell of load on the machine weighs on all of them.
    const probes = new Map<Target, Probe[]>(targets.map((t) => [t, []]));
    for (let i = 0; i < samples; i++) for (const target of targets) probes.get(target)!.push(await probeOnce(target));
    const summary = (t: Target) => {
      const out = probes.get(t)!;
      return {
        name: t.name,
        zipKiB: t.zipKiB,
        loadMs: median(out.map((p) => p.loadMs)),
        coldMs: median(out.map((p) => p.coldMs)),
        cpuMs: median(out.map((p) => p.cpuMs)),
        peakRssMb: Math.max(...out.map((p) => p.rssKb)) / 1024,
        awsSdk: [...new Set(out.flatMap((p) => p.sdk))].sort(),
      };
    };
    return {
      functions: targets.filter((t) => t.kind === 'function').map(summary),
      anchors: targets.filter((t) => t.kind === 'anchor').map(summary),
      floors: targets.filter((t) => t.kind === 'floor').map(summary),
      anchorOf,
    };
  } finally {
    await Promise.all([acr.close(), swr.close(), chat.close(), ssm.close(), queues.stop()]);
    await rm(root, { recursive: true, force: true });
  }
};

/** The bars issue 14 sets: cold start against each anchor, onPush's module load, every process's peak RSS. */
export const COLD_BARS = { anchorRatio: 0.25, onPushLoadMs: 60, rssMb: 90 };

/** One row per function and per anchor: each figure beside its bar, ratios against the function's anchors of the same run. */
export const coldStartRows = ({ functions, anchors, floors, anchorOf }: Awaited<ReturnType<typeof measureColdStarts>>) => {
  const ok = (pass: boolean) => (pass ? 'ok' : 'OVER BAR');
  const anchorNamed = (name: string) => anchors.find((a) => a.name === name)!;
  const floorOf = (fn: string) => floors.find((f) => f.name === FLOORS[fn as FunctionName])!;
  const rows = functions.map((f) => {
    const ratios = VENDORS.map((v) => f.coldMs / anchorNamed(anchorOf[f.name]![v]).coldMs);
    return {
      function: f.name,
      'zip KiB': f.zipKiB,
      'load ms': f.loadMs,
      'load bar': f.name === 'onPush' ? `${ok(f.loadMs <= COLD_BARS.onPushLoadMs)} (≤ ${COLD_BARS.onPushLoadMs})` : '',
      'cold start ms': f.coldMs,
      'CPU ms': f.cpuMs,
      'its floor ms': floorOf(f.name).coldMs,
      ...Object.fromEntries(VENDORS.map((v, i) => [`× ${v} anchor`, `${ratios[i]!.toFixed(2)} (${anchorOf[f.name]![v]})`])),
      'cold bar': `${ok(ratios.every((r) => r <= COLD_BARS.anchorRatio))} (≤ ${COLD_BARS.anchorRatio}×)`,
      'peak RSS MB': f.peakRssMb,
      'RSS bar': `${ok(f.peakRssMb <= COLD_BARS.rssMb)} (≤ ${COLD_BARS.rssMb})`,
      'loads @aws-sdk': f.awsSdk.length > 0 ? 'yes' : 'no',
    };
  });
  const floorRows = floors.map((fl) => {
    const fn = FUNCTIONS.find((f) => FLOORS[f] === fl.name)!;
    return {
      function: `floor: ${fl.name}${fl.name === 'startScan' ? ' (and pollStatus)' : ''}`,
      'zip KiB': fl.zipKiB,
      'load ms': fl.loadMs,
      'load bar': '',
      'cold start ms': fl.coldMs,
      'CPU ms': fl.cpuMs,
      'its floor ms': '',
      ...Object.fromEntries(VENDORS.map((v) => [`× ${v} anchor`, `${(fl.coldMs / anchorNamed(anchorOf[fn]![v]).coldMs).toFixed(2)} (${anchorOf[fn]![v]})`])),
      'cold bar': '',
      'peak RSS MB': fl.peakRssMb,
      'RSS bar': '',
      'loads @aws-sdk': fl.awsSdk.length > 0 ? 'yes' : 'no',
    };
  });
  const anchorRows = anchors.map((a) => ({
    function: `anchor: ${a.name}`,
    'zip KiB': a.zipKiB,
    'load ms': a.loadMs,
    'load bar': '',
    'cold start ms': a.coldMs,
    'CPU ms': a.cpuMs,
    'its floor ms': '',
    ...Object.fromEntries(VENDORS.map((v) => [`× ${v} anchor`, ''])),
    'cold bar': '',
    'peak RSS MB': a.peakRssMb,
    'RSS bar': '',
    'loads @aws-sdk': a.awsSdk.length > 0 ? 'yes' : 'no',
  }));
  return { rows: [...rows, ...floorRows, ...anchorRows] };
};
