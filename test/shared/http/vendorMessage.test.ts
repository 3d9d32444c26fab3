import { describe, expect, it } from 'vitest';
import { vendorMessage } from '../../../shared/http/callError.js';

describe('vendorMessage', () => {
  it('takes out the credentials a gateway echoed, and keeps the rest', () => {
    const echoed =
      'verify aksk signature fail, canonical request: GET\n/v2/x/\nx-sdk-date:20261122T000000Z\nx-security-token:TOKEN-abcdef123456 Access=AKEXAMPLE0123';
    const out = vendorMessage(echoed, ['AKEXAMPLE0123', 'TOKEN-abcdef123456', undefined]);
    expect(out).not.toContain('AKEXAMPLE0123');
    expect(out).not.toContain('TOKEN-abcdef123456');
    expect(out).toContain('verify aksk signature fail');
    expect(out).not.toContain('\n');
  });

  it('caps a long message at 300 characters', () => {
    const out = vendorMessage('x'.repeat(5000));
    expect(out).toHaveLength(300);
    expect(out.endsWith('…')).toBe(true);
  });

  it('ignores values too short to be credentials, which would mangle ordinary words', () => {
    expect(vendorMessage('Forbidden: no permission', ['no'])).toBe('Forbidden: no permission');
  });
});
