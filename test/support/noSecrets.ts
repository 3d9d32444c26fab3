import { afterAll } from 'vitest';
import { ALIBABA_SIM_CREDENTIALS } from '../../local/simulators/acs3Verifier.js';
import { HUAWEI_SIM_KEYS } from '../../local/simulators/huaweiApig.js';

/**
 * Run before every test file: no secret the suite uses may appear in anything the code writes to stdout or stderr —
 * log lines, EMF metrics, error reports — across the whole suite. Tests that print a secret on purpose don't exist;
 * a line that does fails the file.
 */
const SECRETS = [
  ALIBABA_SIM_CREDENTIALS.accessKeySecret,
  HUAWEI_SIM_KEYS.secretKey,
  'integration-test-secret-7c1d9e',
  'xoxb-secret-token',
  'audit-receiver-secret',
  'ssm-simulator-secret',
  'other-account-secret-value-0123',
];

const leaks: string[] = [];
for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    for (const secret of SECRETS) if (text.includes(secret)) leaks.push(`${secret.slice(0, 4)}… in: ${text.slice(0, 300).replace(secret, '<SECRET>')}`);
    return write(chunk, ...rest);
  }) as typeof stream.write;
}

afterAll(() => {
  if (leaks.length > 0) throw new Error(`a secret was written to the output ${leaks.length} time(s):\n${leaks.slice(0, 5).join('\n')}`);
});
