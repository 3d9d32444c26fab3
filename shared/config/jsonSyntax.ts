class SyntaxStop {
  constructor(readonly at: number) {}
}

/**
 * The offset of the first JSON syntax error in `text`, found by reading it as RFC 8259 JSON; `text.length` when it
 * ends too soon, undefined when no error is found (or the nesting is too deep to follow).
 */
export const jsonSyntaxErrorOffset = (text: string): number | undefined => {
  let i = 0;
  const fail = (): never => {
    throw new SyntaxStop(i);
  };
  const skipSpace = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const expect = (char: string) => {
    if (text[i] !== char) fail();
    i++;
  };
  const string = () => {
    expect('"');
    for (;;) {
      if (i >= text.length) fail();
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) fail();
      if (c !== 0x5c) {
        i++;
        continue;
      }
      i++;
      const escaped = text[i];
      if (escaped === 'u') {
        i++;
        for (let k = 0; k < 4; k++) {
          if (!/[0-9a-fA-F]/.test(text[i] ?? '')) fail();
          i++;
        }
      } else if (escaped !== undefined && '"\\/bfnrt'.includes(escaped)) i++;
      else fail();
    }
  };
  const digits = () => {
    if (!(text[i]! >= '0' && text[i]! <= '9')) fail();
    while (text[i]! >= '0' && text[i]! <= '9') i++;
  };
  const number = () => {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else digits();
    if (text[i] === '.') {
      i++;
      digits();
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      digits();
    }
  };
  const word = (w: string) => {
    for (const char of w) expect(char);
  };
  const container = (open: string) => {
    const close = open === '{' ? '}' : ']';
    i++;
    skipSpace();
    if (text[i] === close) {
      i++;
      return;
    }
    for (;;) {
      if (open === '{') {
        skipSpace();
        string();
        skipSpace();
        expect(':');
      }
      value();
      skipSpace();
      if (text[i] !== ',') break;
      i++;
    }
    expect(close);
  };
  const value = (): void => {
    skipSpace();
    const c = text[i];
    if (c === '{' || c === '[') container(c);
    else if (c === '"') string();
    else if (c === 't') word('true');
    else if (c === 'f') word('false');
    else if (c === 'n') word('null');
    else number();
  };
  try {
    value();
    skipSpace();
    if (i < text.length) fail();
    return undefined;
  } catch (err) {
    if (err instanceof SyntaxStop) return err.at;
    return undefined;
  }
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
