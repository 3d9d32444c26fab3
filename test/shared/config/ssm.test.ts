import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SsmSimulator, startSsmSimulator } from '../../../local/simulators/ssm.js';
import { awsSsmReader, ssmFailure } from '../../../shared/config/ssm.js';

/**
 * The functions' SSM reader (aws-lite) against the SSM simulator on 127.0.0.1, and what `ssmFailure` makes of each
 * way a read fails. The reader keeps one client per process once made, so the case that cannot make one runs first.
 */
let ssm: SsmSimulator;
const saved = { ...process.env };
const home = mkdtempSync(join(tmpdir(), 'scanhook-ssm-home-'));

beforeAll(async () => {
  ssm = await startSsmSimulator({ '/scanhook/test/value': 'the value' }, { denied: ['/scanhook/locked/'] });
});
afterAll(async () => {
  process.env = saved;
  await ssm?.close();
  rmSync(home, { recursive: true, force: true });
});

const failureOf = (name: string) => awsSsmReader(name).then(() => 'read', ssmFailure);

describe('the SSM reader', () => {
  it('without a region, says to set AWS_REGION (and reads no AWS config of this machine)', async () => {
    process.env = { ...saved, ...ssm.env, HOME: home };
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    expect(await failureOf('/scanhook/test/value')).toBe('no AWS region (set AWS_REGION)');
  });

  it('reads a parameter, decrypted, from AWS_ENDPOINT_URL_SSM with the credentials of the environment', async () => {
    process.env = { ...saved, ...ssm.env, HOME: home };
    expect(await awsSsmReader('/scanhook/test/value')).toBe('the value');
    expect(ssm.reads).toContain('/scanhook/test/value');
  });

  it('names a missing parameter "not found" and a refused one "access denied", as it did on the AWS SDK', async () => {
    expect(await failureOf('/scanhook/test/missing')).toBe('not found');
    expect(await failureOf('/scanhook/locked/secret')).toBe('access denied (AccessDeniedException)');
  });
});
