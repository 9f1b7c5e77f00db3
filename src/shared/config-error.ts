/** A setting that cannot work; its message is one line that starts with the variable's name. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
