package dev.mcpaudit.indexer.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.indexer.store.RecordKey;
import dev.mcpaudit.indexer.store.StoredVersion;
import dev.mcpaudit.schema.alert.Alert;
import dev.mcpaudit.schema.alert.AlertType;
import dev.mcpaudit.schema.alert.Severity;
import dev.mcpaudit.schema.event.EventCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What a conflicting duplicate leaves behind (docs/architecture.md, "Write-once records"): the
 * refused version on the dead-letter topic, naming the record it conflicts with, and one {@code
 * CONFLICTING_DUPLICATE} alert per (tenant, event_id). The alert's id comes from the record key, so
 * a second conflicting version, or the same one read again after a crash, raises the same case,
 * which the alerts index keeps once. Its time is the indexer's clock, never the Kafka record's: a
 * writer sets that one, and could date the alert out of every view.
 */
final class Conflicts {
  static final String ERROR = "conflicting_duplicate";

  /** Pointers named in a message, at most; the rest are counted. */
  private static final int MAX_POINTERS = 12;

  private Conflicts() {}

  static String error(RecordKey key, StoredVersion first, List<String> differs) {
    return ERROR
        + ": event_id "
        + key.eventId()
        + " of tenant "
        + key.tenant()
        + " is already recorded (partition "
        + first.partition()
        + ", offset "
        + first.offset()
        + "); this version differs in "
        + pointers(differs)
        + "; the first version stays the record";
  }

  static String alertId(RecordKey key) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(key.tenant().getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(key.eventId().getBytes(StandardCharsets.UTF_8));
      return AlertType.CONFLICTING_DUPLICATE.name()
          + ":"
          + HexFormat.of().formatHex(sha.digest()).substring(0, 40);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  static byte[] alert(
      RecordKey key,
      StoredVersion first,
      JsonNode stored,
      ConsumerRecord<byte[], byte[]> refused,
      JsonNode incoming,
      List<String> differs,
      Instant now) {
    String summary =
        "event_id "
            + key.eventId()
            + " was sent again with different content ("
            + pointers(differs)
            + "): the first version (partition "
            + first.partition()
            + ", offset "
            + first.offset()
            + ", from "
            + source(stored)
            + ") stays the record; this version (partition "
            + refused.partition()
            + ", offset "
            + refused.offset()
            + ", from "
            + source(incoming)
            + ") is on the dead-letter topic";
    Alert alert =
        new Alert(
            alertId(key),
            AlertType.CONFLICTING_DUPLICATE,
            Severity.CRITICAL,
            key.tenant(),
            now,
            key.eventId(),
            text(stored.at("/actor/id")),
            text(stored.at("/handle/id")),
            text(stored.at("/tool/name")),
            List.of(key.eventId()),
            summary.length() > 2048 ? summary.substring(0, 2045) + "..." : summary);
    try {
      return EventCodec.mapper().writeValueAsBytes(alert);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String pointers(List<String> differs) {
    List<String> shown = differs.size() > MAX_POINTERS ? differs.subList(0, MAX_POINTERS) : differs;
    String list = String.join(", ", shown.stream().map(p -> p.isEmpty() ? "(event)" : p).toList());
    return differs.size() > MAX_POINTERS
        ? list + " and " + (differs.size() - MAX_POINTERS) + " more"
        : list;
  }

  /** gateway/worker (authenticated principal), as far as the version says. */
  private static String source(JsonNode event) {
    JsonNode s = event.path("source");
    String where = text(s.get("gateway"));
    String worker = text(s.get("worker"));
    String who = text(s.get("authenticated"));
    String place = where == null ? "no gateway" : worker == null ? where : where + "/" + worker;
    return who == null ? place : place + " (authenticated " + who + ")";
  }

  private static String text(JsonNode n) {
    return n == null || !n.isTextual() ? null : n.textValue();
  }
}
