import { describe, expect, it } from 'vitest';
import { parseFullConfig } from '../../../local/fullConfig.js';
import { ConfigError } from '../../../shared/config/configError.js';
import { closestField } from '../../../shared/config/strictObject.js';

const SECRET = 'a-long-enough-webhook-secret-1234';

/** A valid document using every kind of entry: top level, route, source, scanner (with credentials), channel. */
const doc = (): Record<string, any> => ({
  sources: { acr: { secret: SECRET } },
  scanners: {
    'acr-sh': {
      type: 'acr',
      region: 'cn-shanghai',
      instanceId: 'cri-0123456789',
      credentials: { accessKeyId: 'ssm:/scanhook/dev/ak', accessKeySecret: 'ssm:/scanhook/dev/sk' },
    },
    swr: { type: 'swr', region: 'cn-north-4', projectId: 'p0123', instanceId: 'ee-1', credentials: { ak: 'AK', sk: 'SK' } },
  },
  channels: { 'team-slack': { type: 'slack', url: 'https://hooks.slack.com/services/T000/B000/abc' } },
  routes: [{ source: 'acr', scanner: 'acr-sh', channels: ['team-slack'], minSeverity: 'high' }],
  polling: { maxDelaySeconds: 30 },
});

const problemOf = (mutate: (d: Record<string, any>) => void): string => {
  const d = doc();
  mutate(d);
  try {
    parseFullConfig(d);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected the config to be refused');
};

describe('strict config: an unknown field anywhere is an error naming its path and the field meant', () => {
  it('accepts the valid document', () => {
    expect(parseFullConfig(doc()).scanners['acr-sh']).toMatchObject({ credentials: { accessKeyId: 'ssm:/scanhook/dev/ak' } });
  });

  it.each([
    ['top level', (d: Record<string, any>) => (d.pollling = {}), 'pollling: unknown field (did you mean "polling"?)'],
    ['polling', (d: Record<string, any>) => (d.polling.maxDelaySecs = 10), 'polling.maxDelaySecs: unknown field (did you mean "maxDelaySeconds"?)'],
    ['route', (d: Record<string, any>) => (d.routes[0].minSeverty = 'high'), 'routes[0].minSeverty: unknown field (did you mean "minSeverity"?)'],
    ['source', (d: Record<string, any>) => (d.sources.acr.secrett = 'x'), 'sources.acr.secrett: unknown field (did you mean "secret"?)'],
    [
      'scanner',
      (d: Record<string, any>) => (d.scanners['acr-sh'].endpiont = 'https://x'),
      'scanners.acr-sh.endpiont: unknown field (did you mean "endpoint"?)',
    ],
    ['channel', (d: Record<string, any>) => (d.channels['team-slack'].locle = 'zh-CN'), 'channels.team-slack.locle: unknown field (did you mean "locale"?)'],
    [
      'credentials',
      (d: Record<string, any>) => (d.scanners['acr-sh'].credentials.accessKeySecrt = 'x'),
      'scanners.acr-sh.credentials.accessKeySecrt: unknown field (did you mean "accessKeySecret"?)',
    ],
  ])('%s', (_, mutate, expected) => {
    expect(problemOf(mutate)).toContain(expected);
  });

  it('a field far from every known one gets no guess', () => {
    expect(problemOf((d) => (d.routes[0].colour = 'red'))).toMatch(/routes\[0\]\.colour: unknown field(;|$)/);
    expect(closestField('colour', ['source', 'scanner', 'minSeverity'])).toBeUndefined();
    expect(closestField('Locale', ['locale', 'url'])).toBe('locale');
  });

  it('names every mistake of a document at once', () => {
    const message = problemOf((d) => {
      d.pollling = {};
      d.routes[0].minSeverty = 'high';
      d.channels['team-slack'].locle = 'en';
    });
    expect(message.split('; ')).toHaveLength(3);
  });
});

describe('credentials over plain http are refused beyond this machine', () => {
  it('a chat URL (its credential) over http to another host is an error that does not repeat the URL', () => {
    const message = problemOf((d) => (d.channels['team-slack'].url = 'http://hooks.example.com/services/T0/B0/token-abc'));
    expect(message).toContain('channels.team-slack.url: sends its credentials over plain http');
    expect(message).not.toContain('token-abc');
  });

  it.each(['http://127.0.0.1:9000/slack/T/B/x', 'http://localhost/slack/T/B/x', 'http://[::1]:80/slack/T/B/x'])('%s is this machine: allowed', (url) => {
    const d = doc();
    d.channels['team-slack'].url = url;
    expect(() => parseFullConfig(d)).not.toThrow();
  });

  it('the generic HTTP channel: plain http is fine without a credential, an error with a query or headers', () => {
    const withChannel = (entry: Record<string, unknown>) => (d: Record<string, any>) => {
      d.channels.hook = { type: 'webhook', ...entry };
      d.routes[0].channels.push('hook');
    };
    const plain = doc();
    withChannel({ url: 'http://scans.example.com/in' })(plain);
    expect(() => parseFullConfig(plain)).not.toThrow();
    expect(problemOf(withChannel({ url: 'http://scans.example.com/in?key=k' }))).toContain('channels.hook.url: sends its credentials over plain http');
    expect(problemOf(withChannel({ url: 'http://scans.example.com/in', headers: { authorization: 'Bearer t' } }))).toContain(
      'channels.hook.url: sends its credentials over plain http',
    );
  });
});
