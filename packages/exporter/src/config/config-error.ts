/** A config the exporter cannot use; the message names the file, line and column. */
export class ConfigError extends Error {
  override name = "ConfigError";
}
