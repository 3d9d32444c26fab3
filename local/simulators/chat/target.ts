import type { SimRequest, SimResponse } from '../server.js';

/** A robot's security settings, as the real target keeps them: keyed by the credential in its URL. */
export interface RobotSettings {
  secret?: string;
  keyword?: string;
}

/**
 * One chat target on the fake chat server: its documented limits, its checks (signature, keyword) and its real
 * replies (from the vendors' docs and public reports).
 */
export interface TargetSim {
  type: string;
  /**
   * A channel entry with made-up credentials in the target's real URL shape: what `npm run preview` renders with
   * when no `--config` is given, and what the golden files and property tests render with.
   */
  example: Record<string, unknown>;
  /** Path prefix the chat sink routes to this target. */
  prefix: string;
  /** The credential in a request's URL that names the robot, for its settings. */
  robotId(req: SimRequest): string;
  /** Every documented limit the request breaks; empty when within all of them. */
  violations(req: SimRequest): string[];
  /** The reply to a request within the limits (signature and keyword checked against `robot`). */
  answer(req: SimRequest, robot: RobotSettings | undefined, now: Date): SimResponse;
  /** The reply to a request over a limit. */
  tooLarge: SimResponse;
  /** The target's own replies, for scripting (`sink.script(prefix, replies.throttled)`). */
  replies: { ok: SimResponse; throttled: SimResponse } & Record<string, SimResponse>;
}

export const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

export const parseJson = (text: string): any => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};
