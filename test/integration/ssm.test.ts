import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatorUrls } from '../../local/demoConfig.js';
import { ACR_SIM_CREDENTIALS } from '../../local/simulators/acr.js';
import { type SsmSimulator, startSsmSimulator } from '../../local/simulators/ssm.js';
import type { Stack } from '../../local/stack.js';
import { acrPush, captureOutput, eventually, postWebhook, SLACK_PATH, SOURCE_SECRET, slackPosts, startTestStack } from '../support/stack.js';

/**
 * Local mode reading its config and each scanner's credentials from an SSM-compatible endpoint
 * (AWS_ENDPOINT_URL_SSM), as the functions do on AWS: no vendor key in the environment at all.
 */
const OTHER_ACCOUNT = { accessKeyId: 'LTAIotheraccount0000', accessKeySecret: 'other-account-secret-value-0123' };

const config = ({ acrUrl }: SimulatorUrls) => ({
  sources: { acr: { secret: 'ssm:/scanhook/test/acr-secret' } },
  scanners: {
    'acr-hz': {
      type: 'acr',
      region: 'cn-hangzhou',
      instanceId: 'cri-test00000000',
      endpoint: acrUrl,
      credentials: { accessKeyId: 'ssm:/scanhook/test/ak', accessKeySecret: 'ssm:/scanhook/test/sk' },
    },
    // Another account's key, which this ACR instance does not know.
    'acr-other': {
      type: 'acr',
      region: 'cn-hangzhou',
      instanceId: 'cri-other0000000',
      endpoint: acrUrl,
      credentials: { accessKeyId: 'ssm:/scanhook/test/other-ak', accessKeySecret: 'ssm:/scanhook/test/other-sk' },
    },
  },
  channels: { sec: { type: 'slack', url: `ssm:/scanhook/test/slack-url` } },
  routes: [
    { source: 'acr', namespace: 'other', scanner: 'acr-other', channels: ['sec'] },
    { source: 'acr', scanner: 'acr-hz', channels: ['sec'] },
  ],
  polling: { initialDelaySeconds: 0, maxDelaySeconds: 1, deadlineMinutes: 0.2 },
  http: { timeoutMs: 3000, attempts: 2, baseDelayMs: 10, maxDelayMs: 100 },
});

let ssm: SsmSimulator;
let stack: Stack;
const output = captureOutput();
const saved = { ...process.env };

beforeAll(async () => {
  ssm = await startSsmSimulator({}, { denied: ['/scanhook/locked/'] });
  Object.assign(process.env, ssm.env);
  delete process.env.ALIBABA_CLOUD_ACCESS_KEY_ID;
  delete process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET;
  output.start();
  stack = await startTestStack({
    env: { SCANHOOK_CONFIG: 'ssm:/scanhook/test/config' },
    config: (sims: SimulatorUrls) => {
      ssm.put('/scanhook/test/config', JSON.stringify(config(sims)));
      ssm.put('/scanhook/test/acr-secret', SOURCE_SECRET);
      ssm.put('/scanhook/test/ak', ACR_SIM_CREDENTIALS.accessKeyId);
      ssm.put('/scanhook/test/sk', ACR_SIM_CREDENTIALS.accessKeySecret);
      ssm.put('/scanhook/test/other-ak', OTHER_ACCOUNT.accessKeyId);
      ssm.put('/scanhook/test/other-sk', OTHER_ACCOUNT.accessKeySecret);
      ssm.put('/scanhook/test/slack-url', `${sims.chatUrl}${SLACK_PATH}`);
      return undefined;
    },
  });
});
afterAll(async () => {
  output.stop();
  await stack?.stop();
  await ssm?.close();
  process.env = saved;
});

describe('ssm: references through an SSM-compatible endpoint', () => {
  it('reads the config and every reference in it, each once', () => {
    expect(ssm.reads.filter((n) => n === '/scanhook/test/config')).toHaveLength(1);
    expect(new Set(ssm.reads)).toEqual(
      new Set([
        '/scanhook/test/config',
        '/scanhook/test/acr-secret',
        '/scanhook/test/ak',
        '/scanhook/test/sk',
        '/scanhook/test/other-ak',
        '/scanhook/test/other-sk',
        '/scanhook/test/slack-url',
      ]),
    );
  });

  it('a scanner signs with its own credentials from SSM: the push is scanned and posted', async () => {
    expect((await postWebhook(stack, acrPush('ssm-app', '1.0.0'))).status).toBe(202);
    const post = await eventually(() => slackPosts(stack).find((m) => m.text.includes('/ssm-app:')), 20_000, 'the ssm-app message');
    expect(post.text).toContain('team-a/ssm-app:1.0.0');
  });

  it('a second scanner uses its own account: the vendor refuses it, the message says so, and no secret is written', async () => {
    const push = acrPush('elsewhere', '1.0.0');
    push.repository.namespace = 'other';
    push.repository.repo_full_name = 'other/elsewhere';
    expect((await postWebhook(stack, push)).status).toBe(202);
    const post = await eventually(() => slackPosts(stack).find((m) => m.text.includes('other/elsewhere')), 20_000, 'the failure message');
    expect(JSON.stringify(post)).toMatch(/InvalidAccessKeyId|SignatureDoesNotMatch/);
    const dead = await eventually(
      async () => {
        const entries = await stack.drainDeadLetters('scan');
        return entries.length > 0 ? entries : undefined;
      },
      10_000,
      'the dead letter',
    );
    const everything = output.text() + JSON.stringify(dead) + JSON.stringify(slackPosts(stack));
    for (const secret of [OTHER_ACCOUNT.accessKeySecret, ACR_SIM_CREDENTIALS.accessKeySecret, SOURCE_SECRET]) expect(everything).not.toContain(secret);
  });
});

describe('an ssm: reference that cannot be read stops the start, saying why', () => {
  // The AWS SDK's SSM client is made once per process, so these use the file's one simulator.
  const startWith = async (config?: unknown) => {
    const name = `/scanhook/test/config-${Math.random().toString(36).slice(2)}`;
    if (config !== undefined) ssm.put(name, JSON.stringify(config));
    return startTestStack({ env: { SCANHOOK_CONFIG: `ssm:${name}` }, config: () => undefined }).then(
      async (s) => {
        await s.stop();
        return { name, message: undefined };
      },
      (err: Error) => ({ name, message: err.message }),
    );
  };

  it('a parameter that does not exist: "not found", naming the field', async () => {
    const { message } = await startWith({ sources: { acr: { secret: 'ssm:/scanhook/test/missing' } } });
    expect(message).toBe('sources.acr.secret: cannot read SSM parameter /scanhook/test/missing: not found');
  });

  it('a parameter the credentials may not read: "access denied"', async () => {
    const { message } = await startWith({ sources: { acr: { secret: 'ssm:/scanhook/locked/secret' } } });
    expect(message).toMatch(/^sources\.acr\.secret: cannot read SSM parameter \/scanhook\/locked\/secret: access denied/);
  });

  it('the config parameter itself missing', async () => {
    const { name, message } = await startWith();
    expect(message).toBe(`SCANHOOK_CONFIG: cannot read SSM parameter ${name}: not found`);
  });
});
