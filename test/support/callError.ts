import { expect } from 'vitest';
import { CallError } from '../../shared/http/callError.js';

/** Awaits a call that must fail with a CallError, and returns that error. */
export const callError = async (p: Promise<unknown>): Promise<CallError> => {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(CallError);
    return err as CallError;
  }
  throw new Error('expected the call to fail');
};
