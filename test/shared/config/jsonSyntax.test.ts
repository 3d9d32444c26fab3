import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/config/config.js';
import { describeJsonSyntaxError, jsonSyntaxErrorOffset } from '../../../shared/config/jsonSyntax.js';

const noSsm = async () => {
  throw new Error('no SSM here');
};

/** Every run of `length` characters of `secret`. */
const fragments = (secret: string, length = 4) => Array.from({ length: secret.length - length + 1 }, (_, i) => secret.slice(i, i + length));

describe('a JSON syntax error in SCANHOOK_CONFIG names the line and column, never the text', () => {
  const SECRET = 'xq7Rk2Lm9PzA4vWc8NbT1yHd6GfJ3sEu';

  it('an unquoted secret: the error says where, and no 4 characters of the secret', async () => {
    const text = `{\n  "sources": {\n    "acr": { "secret": ${SECRET} }\n  }\n}`;
    const error = await loadConfig({ SCANHOOK_CONFIG: text }, noSsm).then(
      () => undefined,
      (err: Error) => err,
    );
    expect(error?.message).toBe('SCANHOOK_CONFIG is not valid JSON: syntax error at line 3, column 24');
    for (const fragment of fragments(SECRET)) expect(error!.message).not.toContain(fragment);
  });

  it.each([
    ['a missing comma', '{"a": 1\n "b": 2}', 'syntax error at line 2, column 2'],
    ['a trailing comma', '{"a": [1, 2,]}', 'syntax error at line 1, column 13'],
    ['a single-quoted string', "{'a': 1}", 'syntax error at line 1, column 2'],
    ['a control character in a string', '{"a": "b\u0001"}', 'syntax error at line 1, column 9'],
    ['a bad escape', '{"a": "\\x41"}', 'syntax error at line 1, column 9'],
    ['an unfinished document', '{"a": {"b": 1}', 'unexpected end at line 1, column 15'],
    ['text after the document', '{"a": 1} x', 'syntax error at line 1, column 10'],
    ['a comment', '{\r\n  // note\r\n  "a": 1}', 'syntax error at line 2, column 3'],
  ])('%s', (_what, text, where) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(describeJsonSyntaxError(text)).toBe(where);
  });

  it('finds an error exactly where JSON.parse does, and none where JSON.parse finds none', () => {
    const jsonish = fc.stringMatching(/^[{}[\]",:0-9a-z \n\\.eE+-]{0,40}$/);
    fc.assert(
      fc.property(
        fc.oneof(
          jsonish,
          fc.json().map((j) => j.slice(0, Math.max(0, j.length - 1))),
          fc.json(),
        ),
        (text) => {
          let v8: string | undefined;
          try {
            JSON.parse(text);
          } catch (err) {
            v8 = (err as Error).message;
          }
          const offset = jsonSyntaxErrorOffset(text);
          if (v8 === undefined) return offset === undefined;
          if (offset === undefined) return false;
          const at = /at position (\d+)/.exec(v8)?.[1];
          if (at !== undefined) return Number(at) === offset;
          return /Unexpected end/.test(v8) ? offset === text.length : true;
        },
      ),
      { numRuns: 3000 },
    );
  });
});
