/** A mistake in SCANHOOK_CONFIG; the message names the path of each bad field and never repeats a value. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
