import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { messageBody } from '../../../shared/queue/messageBody.js';

/** What real SQS accepts in a message body. */
const SQS_ALLOWED = /^[\t\n\r\u0020-\ud7ff\ue000-\ufffd]*$/;

describe('messageBody: a job as a body every SQS accepts', () => {
  it('is plain ASCII for emoji, CJK, control characters and an unpaired surrogate, and parses back to the same job', () => {
    const job = { package: '📦openssl-组件\u0007\ud83d', note: '🔥 漏洞 \u0000 \u2028' };
    const body = messageBody(job);
    expect(body).toMatch(/^[\x20-\x7e]*$/);
    expect(JSON.parse(body)).toEqual(job);
  });

  it('any string survives the trip, within what real SQS allows', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const body = messageBody({ text });
        expect(body).toMatch(SQS_ALLOWED);
        expect(JSON.parse(body)).toEqual({ text });
      }),
    );
  });
});
