import { createHash } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ACR_SIM_CREDENTIALS, type AcrSimulator, startAcrSimulator } from '../../../local/simulators/acr.js';
import { parseConfig } from '../../../shared/config/config.js';
import { CallError } from '../../../shared/http/callError.js';
import type { ImagePush } from '../../../shared/messages/image.js';
import { type HttpRuntime, withHttp } from '../../../shared/runtime/withHttp.js';
import { type ScannerRuntime, withScanners } from '../../../shared/runtime/withScanners.js';
import { fakeRuntime, recordingQueue } from '../../support/runtime.js';

const env = { ALIBABA_CLOUD_ACCESS_KEY_ID: ACR_SIM_CREDENTIALS.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: ACR_SIM_CREDENTIALS.accessKeySecret };
const http = { timeoutMs: 2000, attempts: 3, baseDelayMs: 1, maxDelayMs: 20 };
const quiet = new Logger({ serviceName: 'scanhook-test', logLevel: 'SILENT' });
/** Logs at WARN and above, as the functions' logger does in production: what it writes is what these tests read. */
const log = new Logger({ serviceName: 'scanhook-test', logLevel: 'WARN' });
const bases: HttpRuntime[] = [];
let sim: AcrSimulator;
let rt: ScannerRuntime;

const base = (scanners: Record<string, unknown>): HttpRuntime => {
  const made = withHttp(
    fakeRuntime(
      parseConfig({
        sources: { acr: { secret: 'a-long-enough-webhook-secret-1234' } },
        scanners,
        channels: { sec: { type: 'slack', url: 'https://hooks.slack.invalid/services/T0/B0/unit' } },
        routes: Object.keys(scanners).map((scanner) => ({ source: 'acr', scanner, channels: ['sec'] })),
        http,
      }),
      recordingQueue().queue,
      { env },
    ),
  );
  bases.push(made);
  return made;
};

beforeAll(async () => {
  sim = await startAcrSimulator();
  rt = withScanners(
    base({
      'acr-hz': { type: 'acr', region: 'cn-hangzhou', instanceId: 'cri-unit', endpoint: sim.url },
      'acr-sh': { type: 'acr', region: 'cn-shanghai', instanceId: 'cri-unit-sh', endpoint: sim.url },
    }),
    log,
  );
});
afterAll(async () => {
  await Promise.all(bases.map((b) => b.http.close()));
  await sim?.close();
});
afterEach(() => {
  vi.restoreAllMocks();
});

const image = (repository: string, namespace = 'unit'): ImagePush => ({
  source: 'acr',
  namespace,
  repository,
  tag: '1.0.0',
  digest: `sha256:${createHash('sha256').update(`${namespace}/${repository}`).digest('hex')}`,
});

/** What the logger writes while `run` runs: Powertools writes WARN lines to stderr, one JSON object a line. */
const logsOf = async (run: () => Promise<unknown>) => {
  const lines: string[] = [];
  const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  });
  try {
    await run().catch(() => undefined);
  } finally {
    write.mockRestore();
  }
  const text = lines.join('');
  const entries = text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { text, entries };
};
const retries = (entries: Record<string, unknown>[]) =>
  entries.filter((e) => e.message === 'vendor call retried').map(({ level, scanner, call, code, attempt }) => ({ level, scanner, call, code, attempt }));

describe('withScanners: the config', () => {
  it.each([
    ['a bad field', { type: 'acr', region: 'Hangzhou!', instanceId: 'cri-unit' }, 'scanners.acr-hz.region: expected a region id'],
    ['a missing field', { type: 'acr', region: 'cn-hangzhou' }, 'scanners.acr-hz.instanceId:'],
    ['an unknown type', { type: 'quay', region: 'cn-hangzhou' }, 'scanners.acr-hz.type: unknown scanner type'],
  ])('a scanner entry with %s fails only its own jobs, as a config fault naming its path', (_, entry, expected) => {
    const broken = withScanners(base({ 'acr-hz': entry, 'acr-sh': { type: 'acr', region: 'cn-shanghai', instanceId: 'cri-unit-sh' } }), quiet);
    const err = (() => {
      try {
        broken.scanner('acr-hz');
      } catch (e) {
        return e as CallError;
      }
    })();
    expect(err).toBeInstanceOf(CallError);
    expect(err).toMatchObject({ kind: 'invalid', code: 'ConfigError', retryable: false });
    expect(err?.message).toContain(expected);
    expect(broken.scanner('acr-sh')).toBeDefined();
  });

  it('scannedBy gives the type and label of a configured scanner, and says "unknown" for another', () => {
    expect(rt.scannedBy('acr-hz')).toEqual({ type: 'acr', label: 'Alibaba Cloud ACR' });
    expect(rt.scannedBy('acr-sh')).toEqual({ type: 'acr', label: 'Alibaba Cloud ACR' });
    expect(rt.scannedBy('gone')).toEqual({ type: 'unknown', label: 'unknown' });
  });

  it('makes one client per scanner key, on first use, and none for a key not in the config', () => {
    const hz = rt.scanner('acr-hz');
    expect(rt.scanner('acr-hz')).toBe(hz);
    expect(rt.scanner('acr-sh')).not.toBe(hz);
    expect(() => rt.scanner('gone')).toThrow('scanner "gone" is not in the config');
  });

  it("each key's client talks to its own instance", async () => {
    sim.calls.length = 0;
    await rt.scanner('acr-sh').start(image('own-instance'));
    expect(sim.calls.map((c) => [c.action, c.params.InstanceId])).toEqual([
      ['GetRepository', 'cri-unit-sh'],
      ['CreateRepoTagScanTask', 'cri-unit-sh'],
    ]);
  });
});

describe('withScanners: every vendor retry is logged at WARN', () => {
  it('503s (a *flaky* repository): one WARN line per retry of each call, with scanner, call, code, attempt and delay', async () => {
    const { entries, text } = await logsOf(() => rt.scanner('acr-hz').start(image('flaky-api')));

    expect(retries(entries)).toEqual([
      { level: 'WARN', scanner: 'acr-hz', call: 'GetRepository', code: 'ServiceUnavailable', attempt: 1 },
      { level: 'WARN', scanner: 'acr-hz', call: 'GetRepository', code: 'ServiceUnavailable', attempt: 2 },
      { level: 'WARN', scanner: 'acr-hz', call: 'CreateRepoTagScanTask', code: 'ServiceUnavailable', attempt: 1 },
      { level: 'WARN', scanner: 'acr-hz', call: 'CreateRepoTagScanTask', code: 'ServiceUnavailable', attempt: 2 },
    ]);
    for (const entry of entries) expect(entry.delayMs).toEqual(expect.any(Number));
    expect(text).not.toContain(ACR_SIM_CREDENTIALS.accessKeySecret);
  });

  it('throttling (a *throttled* repository) is logged with its own code and the key of the scanner that retried', async () => {
    const { entries } = await logsOf(() => rt.scanner('acr-sh').start(image('throttled-api')));

    expect(retries(entries).map((r) => [r.scanner, r.call, r.code, r.attempt])).toEqual([
      ['acr-sh', 'GetRepository', 'Throttling.User', 1],
      ['acr-sh', 'GetRepository', 'Throttling.User', 2],
      ['acr-sh', 'CreateRepoTagScanTask', 'Throttling.User', 1],
      ['acr-sh', 'CreateRepoTagScanTask', 'Throttling.User', 2],
    ]);
  });

  it('retries that end in failure are logged too: every retry before the error is thrown', async () => {
    const client = rt.scanner('acr-hz');
    const img = image('status-outage');
    const handle = await client.start(img);
    sim.setBehaviour('unit/status-outage', { failFirst: 5, failWith: 'unavailable' });

    let thrown: unknown;
    const { entries } = await logsOf(() =>
      client.check(img, handle).catch((err: unknown) => {
        thrown = err;
      }),
    );
    expect(thrown).toBeInstanceOf(CallError);
    expect(retries(entries).map((r) => [r.call, r.code, r.attempt])).toEqual([
      ['GetRepoTagScanStatus', 'ServiceUnavailable', 1],
      ['GetRepoTagScanStatus', 'ServiceUnavailable', 2],
    ]);
  });

  it('a call that succeeds first time logs nothing', async () => {
    const { entries } = await logsOf(() => rt.scanner('acr-hz').start(image('steady-api')));
    expect(entries).toEqual([]);
  });
});
