import { type ParseError, parse } from 'jsonc-parser';

/**
 * The offset of the first JSON syntax error in `text` read as strict JSON (no comments, no trailing commas);
 * undefined when the reader finds none.
 */
export const jsonSyntaxErrorOffset = (text: string): number | undefined => {
  const errors: ParseError[] = [];
  parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  return errors[0]?.offset;
};

/**
 * Where `JSON.parse` failed on `text`, as "line L, column C", in words of its own: the engine's message quotes the
 * text around the error, which may be part of a secret.
 */
export const describeJsonSyntaxError = (text: string): string => {
  const at = jsonSyntaxErrorOffset(text);
  if (at === undefined) return 'a syntax error';
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  const column = at - (before.lastIndexOf('\n') + 1) + 1;
  return `${at >= text.length ? 'unexpected end' : 'syntax error'} at line ${line}, column ${column}`;
};
