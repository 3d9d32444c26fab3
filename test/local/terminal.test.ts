import { describe, expect, it } from 'vitest';
import { formatLogLine, wantsColour } from '../../local/terminal.js';

const line = JSON.stringify({ level: 'WARN', message: 'chat post retried', timestamp: '2026-11-29T17:05:11.000Z', fn: 'notify', channel: 'sec' });

describe("npm start's terminal", () => {
  it('colours a log line only when asked', () => {
    expect(formatLogLine(line, { colour: true })).toBe('17:05:11 \x1b[33mnotify    \x1b[0m chat post retried channel=sec');
    expect(formatLogLine(line, { colour: false })).toBe('17:05:11 notify     chat post retried channel=sec');
    expect(formatLogLine(line)).not.toContain('\x1b[');
  });

  it('wants colour on a terminal only, and never with NO_COLOR', () => {
    expect(wantsColour({ isTTY: true }, {})).toBe(true);
    expect(wantsColour({ isTTY: false }, {})).toBe(false);
    expect(wantsColour({}, {})).toBe(false);
    expect(wantsColour({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
  });

  it('leaves a line that is not a log entry as it is', () => {
    expect(formatLogLine('{"_aws":{}}')).toBe('{"_aws":{}}');
    expect(formatLogLine('plain text')).toBe('plain text');
  });
});
