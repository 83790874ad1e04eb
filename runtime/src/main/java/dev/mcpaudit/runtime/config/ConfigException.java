package dev.mcpaudit.runtime.config;

/** A configuration value is missing or wrong; the message names the key and what is allowed. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
