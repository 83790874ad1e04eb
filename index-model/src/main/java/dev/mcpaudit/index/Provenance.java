package dev.mcpaudit.index;

import java.util.Objects;

/**
 * How a stored event arrived (docs/provenance.md): {@code collector} (stamped by the HTTP
 * collector; {@code by} is the source it authenticated), {@code publisher} (stamped by a gateway's
 * publisher library; {@code by} is its key id), {@code api} (the API's own audit trail; {@code by}
 * is the key id) or {@code kafka} (no valid stamp: anything with produce rights on the topic;
 * {@code by} is null). Decided by the indexer from the record's stamp, never from the event's own
 * fields.
 */
public record Provenance(String kind, String by) {
  public static final String COLLECTOR = "collector";
  public static final String PUBLISHER = "publisher";
  public static final String API = "api";
  public static final String KAFKA = "kafka";

  private static final Provenance UNPROVEN = new Provenance(KAFKA, null);

  public Provenance {
    Objects.requireNonNull(kind, "kind");
  }

  public static Provenance kafka() {
    return UNPROVEN;
  }

  public boolean isCollector() {
    return kind.equals(COLLECTOR);
  }
}
