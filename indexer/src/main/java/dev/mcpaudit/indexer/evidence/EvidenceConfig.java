package dev.mcpaudit.indexer.evidence;

import dev.mcpaudit.runtime.config.ConfigException;
import dev.mcpaudit.runtime.config.ConfigKey;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.runtime.config.SharedKeys;
import dev.mcpaudit.schema.evidence.SigningKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The indexer's evidence settings (README, "Verifiable evidence"): whether every stored record
 * enters its tenant's log, and how checkpoints are made, signed and published.
 *
 * @param log how the logs are named and checkpointed, and the signing key
 * @param topic where checkpoints are published ({@code topics.checkpoints})
 */
public record EvidenceConfig(EvidenceLog.Settings log, String topic, short replication) {
  public static final ConfigKey<Boolean> ENABLED =
      ConfigKey.bool(
          "evidence.enabled",
          false,
          "every stored record enters its tenant's Merkle log, with signed checkpoints");
  public static final ConfigKey<String> SIGNING_KEY =
      ConfigKey.string(
          "evidence.signing-key",
          "",
          "file with the Ed25519 key checkpoints are signed with (mcp-audit keys new --scope"
              + " evidence)");
  public static final ConfigKey<String> ORIGIN =
      ConfigKey.string(
          "evidence.origin",
          "mcp-audit",
          "first part of every checkpoint's origin line: <origin>/<tenant>/<partition>");
  public static final ConfigKey<Integer> EVERY =
      ConfigKey.integer(
          "evidence.checkpoint-every",
          100_000,
          1,
          Integer.MAX_VALUE,
          "a log is checkpointed after this many new records");
  public static final ConfigKey<Duration> INTERVAL =
      ConfigKey.duration(
          "evidence.checkpoint-interval",
          Duration.ofSeconds(10),
          "or after this long, when it grew (checkpoints are made with index commits)");

  public static final List<ConfigKey<?>> KEYS =
      List.of(ENABLED, SIGNING_KEY, ORIGIN, EVERY, INTERVAL);

  /** The evidence settings of {@code s}, or null when the log is off. */
  public static EvidenceConfig from(Settings s) {
    if (!ENABLED.from(s)) {
      return null;
    }
    String keyFile = SIGNING_KEY.from(s);
    if (keyFile.isBlank()) {
      throw new ConfigException(
          "evidence.signing-key: required with evidence.enabled=true (make one with mcp-audit keys"
              + " new --scope evidence)");
    }
    SigningKey key;
    try {
      key = SigningKey.parse(Files.readString(Path.of(keyFile)));
    } catch (IOException e) {
      throw new ConfigException("evidence.signing-key: cannot read " + keyFile + ": " + e);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("evidence.signing-key: " + keyFile + ": " + e.getMessage());
    }
    String origin = ORIGIN.from(s);
    if (origin.isBlank() || origin.contains("\n")) {
      throw new ConfigException("evidence.origin: one non-empty line");
    }
    return new EvidenceConfig(
        new EvidenceLog.Settings(origin, key, EVERY.from(s), INTERVAL.from(s)),
        SharedKeys.CHECKPOINTS.from(s),
        SharedKeys.REPLICATION_FACTOR.from(s).shortValue());
  }
}
