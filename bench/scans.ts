import { readReport } from '../functions/pollStatus/readReport.js';
import { nextCheckDelaySeconds } from '../functions/pollStatus/schedule.js';
import { startAcrSimulator } from '../local/simulators/acr.js';
import { digestOfGeneration } from '../local/simulators/findings.js';
import { startHssSimulator } from '../local/simulators/hss.js';
import { HUAWEI_SIM_KEYS, HUAWEI_SIM_PROJECT } from '../local/simulators/huaweiApig.js';
import { startIamSimulator } from '../local/simulators/iam.js';
import { startSasSimulator } from '../local/simulators/sas.js';
import { startSwrSimulator } from '../local/simulators/swr.js';
import { Polling } from '../shared/config/config.js';
import { createHttpClient } from '../shared/http/client.js';
import type { ImagePush } from '../shared/messages/image.js';
import { acrScanner } from '../shared/scanners/acr.js';
import { hssScanner } from '../shared/scanners/hss.js';
import { sasScanner } from '../shared/scanners/sas.js';
import type { ScanHandle } from '../shared/scanners/scanner.js';
import { swrScanner } from '../shared/scanners/swr.js';

/** The times (s after start) of a scan's status checks, on a virtual clock, until one sees it finished at `T`. */
export const checkTimes = (polling: Polling, T: number): number[] => {
  const deadline = polling.deadlineMinutes * 60;
  let t = polling.initialDelaySeconds;
  const times = [t];
  while (t < T) {
    t += nextCheckDelaySeconds(polling, t, deadline - t);
    times.push(t);
  }
  return times;
};

/**
 * For scans lasting T: status checks and delay from completion to the check that sees it (virtual clock, the real
 * schedule), and every vendor call of the whole scan counted at the ACR simulator by the real ACR client.
 * The anchor is a fixed 30 s poller.
 */
export const scanCosts = async (durations = [30, 120, 600]) => {
  const polling = Polling.parse({});
  const sim = await startAcrSimulator();
  const http = createHttpClient({ timeoutMs: 5000 });
  const env = { ALIBABA_CLOUD_ACCESS_KEY_ID: sim.credentials.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: sim.credentials.accessKeySecret };
  const client = acrScanner.create(
    { type: 'acr', region: 'cn-hangzhou', instanceId: 'cri-bench', endpoint: sim.url },
    { http, retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 100 }, env, onRetry: () => undefined },
  );
  const rows = [];
  try {
    for (const T of durations) {
      const times = checkTimes(polling, T);
      const repository = `bench-${T}s`;
      sim.setBehaviour(`team/${repository}`, { scanChecks: times.length - 1 });
      const image: ImagePush = { source: 'acr', namespace: 'team', repository, tag: '1.0.0', digest: `sha256:${'c'.repeat(64)}` };
      const before = sim.calls.length;
      const handle = await client.start(image);
      let state = 'running';
      for (let i = 0; i < times.length; i++) state = (await client.check(image, handle)).state;
      if (state !== 'complete') throw new Error(`scan of ${T}s did not complete after ${times.length} checks`);
      await client.report(image, handle);
      rows.push({
        scanSeconds: T,
        statusChecks: times.length,
        statusCheckBar: T / 30 + 8,
        vendorCalls: sim.calls.length - before,
        delaySeconds: times.at(-1)! - T,
        delayBar: T <= 60 ? 10 : 30,
        anchorStatusChecks: Math.ceil(T / 30),
        anchorDelaySeconds: Math.ceil(T / 30) * 30 - T,
      });
    }
  } finally {
    await http.close();
    await sim.close();
  }
  return rows;
};

/** The latest a message can be, over every scan length from `from` to `to` seconds (step 1 s), ours and the anchor's. */
export const worstDelays = (from: number, to: number) => {
  const polling = Polling.parse({});
  let ours = 0;
  let anchor = 0;
  for (let T = from; T <= to; T++) {
    ours = Math.max(ours, checkTimes(polling, T).at(-1)! - T);
    anchor = Math.max(anchor, Math.ceil(T / 30) * 30 - T);
  }
  return { ours, anchor };
};

/**
 * Security Center: every vendor call of a batch of pushes arriving together (pre-check and create per call, status
 * checks, report pages), counted at the SAS simulator by the real SAS client, per scanned image. Scans last `T`
 * seconds and are checked on the real schedule.
 */
export const sasCosts = async (
  batches = [
    { images: 1, repositories: 1 },
    { images: 10, repositories: 1 },
    { images: 23, repositories: 1 },
    { images: 10, repositories: 10 },
  ],
  T = 120,
) => {
  const times = checkTimes(Polling.parse({}), T);
  const sim = await startSasSimulator();
  // Images Security Center has not synced are imported with their ACR repository id, read from ACR.
  const acr = await startAcrSimulator();
  const http = createHttpClient({ timeoutMs: 5000 });
  const env = { ALIBABA_CLOUD_ACCESS_KEY_ID: sim.credentials.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: sim.credentials.accessKeySecret };
  const config = { type: 'sas', region: 'cn-hangzhou', instanceId: 'cri-bench', endpoint: sim.url, acrEndpoint: acr.url };
  const client = sasScanner.create(sasScanner.configSchema.parse(config), {
    http,
    retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 100 },
    env,
    onRetry: () => undefined,
  });
  const rows = [];
  let seq = 0;
  try {
    for (const batch of batches) {
      const images: ImagePush[] = Array.from({ length: batch.images }, (_, i) => {
        const repository = `bench-${batch.images}x${batch.repositories}-${i % batch.repositories}`;
        sim.setBehaviour(`team/${repository}`, { scanChecks: times.length - 1 });
        return {
          source: 'acr',
          region: 'cn-hangzhou',
          namespace: 'team',
          repository,
          tag: `1.0.${i}`,
          digest: `sha256:${(++seq).toString(16).padStart(64, 'd')}`,
        };
      });
      const before = sim.calls.length;
      const acrBefore = acr.calls.length;
      const started = await client.startMany!(images);
      for (const [i, image] of images.entries()) {
        const result = started[i]!;
        if (result.status !== 'fulfilled') throw result.reason;
        let state = 'running';
        for (let t = 0; t < times.length; t++) state = (await client.check(image, result.value)).state;
        if (state !== 'complete') throw new Error(`SAS scan of ${image.repository} did not complete after ${times.length} checks`);
        await client.report(image, result.value);
      }
      const calls = sim.calls.slice(before);
      const acrCalls = acr.calls.length - acrBefore;
      rows.push({
        images: batch.images,
        repositories: batch.repositories,
        createCalls: calls.filter((c) => c.action === 'PublicCreateImageScanTask' || c.action === 'PublicSyncAndCreateImageScanTask').length,
        statusChecksPerImage: times.length,
        acrCalls,
        vendorCalls: calls.length + acrCalls,
        callsPerImage: (calls.length + acrCalls) / batch.images,
      });
    }
  } finally {
    await http.close();
    await Promise.all([sim.close(), acr.close()]);
  }
  return rows;
};
const HUAWEI_ENV = { HUAWEICLOUD_SDK_AK: HUAWEI_SIM_KEYS.accessKey, HUAWEICLOUD_SDK_SK: HUAWEI_SIM_KEYS.secretKey };
const RETRY = { attempts: 3, baseDelayMs: 10, maxDelayMs: 100 };

/**
 * Every vendor call of one SWR EE scan and one HSS scan ("task" method) of length T, counted at the simulators with
 * the real clients and the real check schedule (virtual clock). HSS's start call is counted whole here; it carries
 * every image of an SQS batch, so per image it costs a tenth of that under load.
 */
export const huaweiScanCosts = async (durations = [30, 120, 600]) => {
  const polling = Polling.parse({});
  const iam = await startIamSimulator();
  const swrSim = await startSwrSimulator({ tokens: iam.tokens });
  const hssSim = await startHssSimulator({ tokens: iam.tokens });
  const http = createHttpClient({ timeoutMs: 5000 });
  const ctx = { http, retry: RETRY, env: HUAWEI_ENV, onRetry: () => undefined };
  const common = { region: 'cn-north-4', projectId: HUAWEI_SIM_PROJECT };
  const swr = swrScanner.create(swrScanner.configSchema.parse({ type: 'swr', ...common, instanceId: 'ee-bench', endpoint: swrSim.url }), ctx);
  const hss = hssScanner.create(hssScanner.configSchema.parse({ type: 'hss', ...common, endpoint: hssSim.url }), ctx);
  const scanners = [
    {
      name: 'SWR EE',
      client: swr,
      calls: () => swrSim.calls.length,
      setChecks: (repo: string, n: number) => swrSim.setBehaviour(`team/${repo}`, { scanChecks: n }),
    },
    {
      name: 'HSS',
      client: hss,
      calls: () => hssSim.calls.length,
      setChecks: (repo: string, n: number) => hssSim.setBehaviour(`team/${repo}`, { scanChecks: n }),
    },
  ];
  const rows = [];
  try {
    for (const s of scanners) {
      for (const T of durations) {
        const times = checkTimes(polling, T);
        const repository = `bench-${T}s`;
        s.setChecks(repository, times.length - 1);
        const image: ImagePush = { source: 'acr', namespace: 'team', repository, tag: '1.0.0', digest: `sha256:${'d'.repeat(64)}` };
        const before = s.calls();
        const handle: ScanHandle = await s.client.start(image);
        let state = 'running';
        for (let i = 0; i < times.length; i++) state = (await s.client.check(image, handle)).state;
        if (state !== 'complete') throw new Error(`${s.name} scan of ${T}s did not complete after ${times.length} checks`);
        await s.client.report(image, handle);
        rows.push({ scanner: s.name, scanSeconds: T, statusChecks: times.length, vendorCalls: s.calls() - before });
      }
    }
  } finally {
    await http.close();
    await Promise.all([swrSim.close(), hssSim.close(), iam.close()]);
  }
  return rows;
};

/**
 * What comparing with a baseline costs per scan: for images of `counts` findings, the vendor calls and the time of the
 * report without a baseline (the summary and the worst findings, as before) and with one (both whole lists, and finding
 * the previous tag), counted at each simulator by the real clients through pollStatus's own `readReport`. The previous
 * tag differs by one new and one fixed finding per level.
 */
export const baselineCosts = async (counts = [30, 1000, 10_000]) => {
  const iam = await startIamSimulator();
  const [acrSim, sasSim, swrSim, hssSim] = await Promise.all([
    startAcrSimulator(),
    startSasSimulator(),
    startSwrSimulator({ tokens: iam.tokens }),
    startHssSimulator({ tokens: iam.tokens }),
  ]);
  const http = createHttpClient({ timeoutMs: 10_000 });
  const env = {
    ALIBABA_CLOUD_ACCESS_KEY_ID: acrSim.credentials.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: acrSim.credentials.accessKeySecret,
    ...HUAWEI_ENV,
  };
  const ctx = { http, retry: RETRY, env, onRetry: () => undefined };
  const huawei = { region: 'cn-north-4', projectId: HUAWEI_SIM_PROJECT };
  const scanners = [
    {
      name: 'ACR',
      client: acrScanner.create({ type: 'acr', region: 'cn-hangzhou', instanceId: 'cri-bench', endpoint: acrSim.url }, ctx),
      calls: () => acrSim.calls.length,
      setFindings: (repo: string, n: number) => acrSim.setBehaviour(`team/${repo}`, { findings: n, scanChecks: 0 }),
      pushed: (repo: string, tag: string, digest: string, at: number) => acrSim.pushTag(`team/${repo}`, tag, digest, at),
    },
    {
      name: 'Security Center',
      client: sasScanner.create(sasScanner.configSchema.parse({ type: 'sas', region: 'cn-hangzhou', endpoint: sasSim.url }), ctx),
      calls: () => sasSim.calls.length,
      setFindings: (repo: string, n: number) => sasSim.setBehaviour(`team/${repo}`, { findings: n, scanChecks: 0 }),
      pushed: (repo: string, _tag: string, digest: string, at: number) => {
        for (const a of sasSim.assets) if (a.repo === repo && `sha256:${a.digest}` === digest) a.addedAt = at;
      },
    },
    {
      name: 'SWR EE',
      client: swrScanner.create(swrScanner.configSchema.parse({ type: 'swr', ...huawei, instanceId: 'ee-bench', endpoint: swrSim.url }), ctx),
      calls: () => swrSim.calls.length,
      setFindings: (repo: string, n: number) => swrSim.setBehaviour(`team/${repo}`, { findings: n, scanChecks: 0 }),
      pushed: (repo: string, tag: string, digest: string, at: number) => swrSim.pushArtifact(`team/${repo}`, digest, tag, at),
    },
    {
      name: 'HSS',
      client: hssScanner.create(hssScanner.configSchema.parse({ type: 'hss', ...huawei, endpoint: hssSim.url }), ctx),
      calls: () => hssSim.calls.length,
      setFindings: (repo: string, n: number) => hssSim.setBehaviour(`team/${repo}`, { findings: n, scanChecks: 0 }),
      pushed: (repo: string, tag: string, digest: string, at: number) => hssSim.setImage('private_image', 'team', repo, tag, digest, at),
    },
  ];
  const policy = { baseline: 'previous' as const, ignore: [], fixableOnly: false };
  const rows = [];
  try {
    for (const s of scanners) {
      for (const n of counts) {
        const repo = `bench-delta-${n}`;
        s.setFindings(repo, n);
        const scanned = async (tag: string, generation: number, at: number) => {
          const image: ImagePush = {
            source: 'acr',
            region: 'cn-hangzhou',
            namespace: 'team',
            repository: repo,
            tag,
            digest: digestOfGeneration(generation, `${repo}-${tag}`),
          };
          const handle = await s.client.start(image);
          s.pushed(repo, tag, image.digest, at);
          for (let i = 0; i < 5 && (await s.client.check(image, handle)).state !== 'complete'; i++);
          return { image, handle };
        };
        await scanned('1.0.0', 0, Date.now() - 60_000);
        const { image, handle } = await scanned('1.1.0', 1, Date.now());
        const timed = async (work: () => Promise<unknown>) => {
          const calls = s.calls();
          const started = performance.now();
          await work();
          return { calls: s.calls() - calls, ms: performance.now() - started };
        };
        const before = await timed(() => s.client.report(image, handle));
        const whole = await timed(() => s.client.fullReport(image, handle));
        let delta: unknown;
        const after = await timed(async () => {
          delta = (await readReport(s.client, image, handle, policy, { now: new Date(), timeLeftMs: Number.POSITIVE_INFINITY })).delta;
        });
        if ((delta as { status?: string })?.status !== 'compared') throw new Error(`${s.name} ${n}: no comparison (${JSON.stringify(delta)})`);
        rows.push({
          scanner: s.name,
          findings: n,
          reportCallsBefore: before.calls,
          reportCallsWithBaseline: after.calls,
          baselineCalls: after.calls - whole.calls,
          reportMsBefore: before.ms,
          reportMsWithBaseline: after.ms,
        });
      }
    }
  } finally {
    await http.close();
    await Promise.all([acrSim.close(), sasSim.close(), swrSim.close(), hssSim.close(), iam.close()]);
  }
  return rows;
};
