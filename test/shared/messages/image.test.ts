import { describe, expect, it } from 'vitest';
import { imageName, NAME_MAX_LENGTH, REGISTRY_NAME_RULES } from '../../../shared/messages/image.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const image = (over: Record<string, unknown> = {}) => ({ namespace: 'team-a', repository: 'api-gw', tag: 'v1.4.2', digest: DIGEST, ...over });
const problems = (registry: string, over: Record<string, unknown>) => {
  const result = imageName(registry).safeParse(image(over));
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('imageName: OCI names and each registry limits', () => {
  it.each([
    ['acr', {}],
    ['acr', { repository: 'a', namespace: 'b' }],
    ['acr', { repository: 'tools/base/alpine' }],
    ['acr', { repository: 'a.b_c__d---e', tag: '_Latest-1.2' }],
    ['acr', { tag: 'x'.repeat(128) }],
    ['acr', { tag: undefined }],
    ['acr', { tags: ['1', '1.0', 'latest'], region: 'cn-hangzhou', pushedAt: '2026-11-22 14:25:46' }],
    ['harbor', { repository: 'nested/deeper/name', namespace: 'library' }],
    ['harbor', { namespace: 'p'.repeat(120), repository: 'r'.repeat(NAME_MAX_LENGTH - 121) }],
    ['swr', { repository: 'team/app', region: 'cn-north-4', pushedAt: '2026-11-22T06:25:50.000Z' }],
    ['unknown-registry', { repository: 'x/y' }],
  ])('%s accepts %j', (registry, over) => {
    expect(problems(registry, over)).toEqual([]);
  });

  it.each([
    ['a NUL in the tag', { tag: 'v1\u0000' }, 'tag'],
    ['an ANSI escape in the repository', { repository: 'api\u001b[31mgw' }, 'repository'],
    ['"../" in the repository', { repository: '../etc/passwd' }, 'repository'],
    ['".." as a component', { repository: 'a/../b' }, 'repository'],
    ['an empty component', { repository: 'a//b' }, 'repository'],
    ['a trailing "/"', { repository: 'a/' }, 'repository'],
    ['upper case in the repository', { repository: 'Api' }, 'repository'],
    ['a "/" in the namespace', { namespace: 'team/a' }, 'namespace'],
    ['an empty namespace', { namespace: '' }, 'namespace'],
    ['a separator first', { namespace: '-team' }, 'namespace'],
    ['a 200 KB tag', { tag: 'a'.repeat(200 * 1024) }, 'tag'],
    ['a 129-character tag', { tag: 'x'.repeat(129) }, 'tag'],
    ['a tag starting with "."', { tag: '.hidden' }, 'tag'],
    ['a tag starting with "-"', { tag: '-rc' }, 'tag'],
    ['a tag with a space', { tag: 'v 1' }, 'tag'],
    ['a tag with "/"', { tag: 'a/b' }, 'tag'],
    ['an empty tag', { tag: '' }, 'tag'],
    ['a bad tag among tags', { tags: ['ok', 'not ok'] }, 'tags.1'],
    ['an upper-case digest', { digest: `sha256:${'AB'.repeat(32)}` }, 'digest'],
    ['a sha512 digest', { digest: `sha512:${'ab'.repeat(64)}` }, 'digest'],
    ['a region with a newline', { region: 'cn-hangzhou\n' }, 'region'],
    ['a region of 200 characters', { region: 'a'.repeat(200) }, 'region'],
    ['a push time with an escape', { pushedAt: '2026\u001b[2J' }, 'pushedAt'],
    ['a name over 255 characters in all', { namespace: 'p'.repeat(120), repository: 'r'.repeat(NAME_MAX_LENGTH - 120) }, 'repository'],
  ])('refuses %s, naming the field', (_what, over, field) => {
    const found = problems('harbor', over);
    expect(found.length).toBeGreaterThan(0);
    expect(found[0]).toMatch(new RegExp(`^${field.replace('.', '\\.')}: expected`));
  });

  it('applies the registry own limits: an ACR namespace has at most 120 characters, a Harbor project 255', () => {
    expect(REGISTRY_NAME_RULES.acr?.namespaceMaxLength).toBe(120);
    expect(problems('acr', { namespace: 'n'.repeat(121), repository: 'r' })).toEqual(['namespace: expected at most 120 characters']);
    expect(problems('harbor', { namespace: 'n'.repeat(121), repository: 'r' })).toEqual([]);
  });

  it('never quotes the value in its messages', () => {
    const hostile = 'evil\u001b[31m-value';
    for (const field of ['namespace', 'repository', 'tag', 'region', 'pushedAt']) {
      for (const message of problems('acr', { [field]: hostile })) expect(message).not.toContain('evil');
    }
  });

  it('checks a 200 KB name in linear time', () => {
    const started = performance.now();
    for (const field of ['namespace', 'repository']) problems('harbor', { [field]: `${'a_'.repeat(100_000)}!` });
    problems('harbor', { repository: `${'a-'.repeat(60)}/`.repeat(2) });
    expect(performance.now() - started).toBeLessThan(500);
  });
});
