/**
 * Whether `JSON.parse` meets a syntax error inside `prefix` itself, not merely at its end. V8 says where an error is
 * ("at position N"), or that the input ended ("Unexpected end of JSON input"); an unexpected token it names without
 * a position is inside.
 */
const errsWithin = (prefix: string): boolean => {
  try {
    JSON.parse(prefix);
    return false;
  } catch (err) {
    const message = (err as Error).message;
    const at = /at position (\d+)/.exec(message)?.[1];
    if (at !== undefined) return Number(at) < prefix.length;
    return !/Unexpected end of JSON input/.test(message);
  }
};

/**
 * The offset of the first JSON syntax error in `text`, found with the engine's own parser (whose message may quote
 * the text, so it is never shown): the shortest prefix with an error of its own ends just after it. `text.length`
 * when the text only ends too soon; undefined when it parses.
 */
export const jsonSyntaxErrorOffset = (text: string): number | undefined => {
  try {
    JSON.parse(text);
    return undefined;
  } catch {
    // located below
  }
  if (!errsWithin(text)) return text.length;
  let low = 0;
  let high = text.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (errsWithin(text.slice(0, mid + 1))) high = mid;
    else low = mid + 1;
  }
  return low;
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
