package dev.mcpaudit.opensearch;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Optional;

/**
 * The names on the cluster (docs/opensearch.md): decisions in daily indices named by each event's
 * own UTC date, {@code <prefix>-decisions-YYYY.MM.DD}, so a record read again always goes to the
 * index that holds it; alerts in monthly indices by detection time, {@code
 * <prefix>-alerts-YYYY.MM}; document ids derived from (tenant, id), so the same record has the same
 * {@code _id} wherever it is written from.
 */
public record IndexNames(String prefix) {
  private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("uuuu.MM.dd");
  private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("uuuu.MM");

  public String decisionsIndex(Instant occurredAt) {
    return decisionsPrefix() + DAY.format(occurredAt.atZone(ZoneOffset.UTC));
  }

  public String decisionsPrefix() {
    return prefix + "-decisions-";
  }

  /** Every daily decisions index: for searches, templates and retention. */
  public String decisionsPattern() {
    return decisionsPrefix() + "*";
  }

  public String alertsIndex(Instant detectedAt) {
    return alertsPrefix() + MONTH.format(detectedAt.atZone(ZoneOffset.UTC));
  }

  /** The evidence logs' index (README, "Verifiable evidence"). */
  public String evidenceIndex() {
    return prefix + "-evidence";
  }

  public String alertsPrefix() {
    return prefix + "-alerts-";
  }

  public String alertsPattern() {
    return alertsPrefix() + "*";
  }

  public String decisionsTemplate() {
    return prefix + "-decisions";
  }

  public String alertsTemplate() {
    return prefix + "-alerts";
  }

  public String policy() {
    return prefix + "-decisions";
  }

  /** The day a daily decisions index holds, if {@code index} is one of them. */
  public Optional<LocalDate> dayOf(String index) {
    if (!index.startsWith(decisionsPrefix())) {
      return Optional.empty();
    }
    try {
      return Optional.of(LocalDate.parse(index.substring(decisionsPrefix().length()), DAY));
    } catch (java.time.format.DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /**
   * The {@code _id} of a record: SHA-256 over tenant, a zero byte and the id, base64url. Fixed
   * length whatever the ids are, and no tenant can pick an id that lands on another tenant's.
   */
  public static String documentId(String tenant, String id) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(tenant.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(id.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
