// The agent's one error for the user's own mistakes: the CLI turns it into exit code 2 with one clear line. Free of heavy imports so every command can load it.

/** A configuration or usage mistake: a bad flag or argument, an invalid config file, a missing --logs folder. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
