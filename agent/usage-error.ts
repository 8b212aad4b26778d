// Errors the CLI turns into exit code 2 with one clear line; kept free of heavy imports so every command can load it.

/** A configuration or usage mistake (bad flag, invalid config file, missing --logs). */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
