package dev.mcpaudit.indexer.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.index.Provenance;
import dev.mcpaudit.kafka.stamp.Stamps;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.event.Tenants;
import org.apache.kafka.common.header.Headers;

/**
 * How a decision record arrived, judged from its stamp alone (docs/provenance.md), and what of it
 * may be stored. The collector's own claims ({@code received_at}, {@code source.authenticated}) are
 * kept only on a record the collector stamped; anyone else's copy of them is removed before the
 * record is compared, indexed or stored, so no search, page or export can show them.
 */
final class Arrival {
  /**
   * @param provenance how it arrived
   * @param tree the event as it will be stored
   * @param value its bytes as they will be stored: the record's own unless a claim was removed
   * @param claimsRemoved whether an unproven collector claim was removed
   * @param refusal why it is not indexed at all, or null
   */
  record Judged(
      Provenance provenance, JsonNode tree, byte[] value, boolean claimsRemoved, String refusal) {}

  static final String SYSTEM_REFUSAL =
      "(event): tenant _system is written only by mcp-audit's API, and this record has no valid"
          + " api stamp (docs/provenance.md)";

  private Arrival() {}

  static Judged judge(Stamps stamps, Headers headers, JsonNode tree, byte[] value) {
    Provenance p =
        stamps
            .verify(headers, value)
            .map(
                proof ->
                    switch (proof.kind()) {
                      case COLLECTOR ->
                          new Provenance(
                              Provenance.COLLECTOR,
                              tree.path("source").path("authenticated").textValue());
                      case PUBLISHER -> new Provenance(Provenance.PUBLISHER, proof.keyId());
                      case API -> new Provenance(Provenance.API, proof.keyId());
                      // An alert's stamp on a decision proves nothing about the decision.
                      case DETECTOR, INDEXER -> Provenance.kafka();
                    })
            .orElse(Provenance.kafka());
    if (Tenants.SYSTEM.equals(tree.path("tenant").textValue())
        && !p.kind().equals(Provenance.API)) {
      return new Judged(p, tree, value, false, SYSTEM_REFUSAL);
    }
    if (p.isCollector() || !(tree instanceof ObjectNode event) || !hasClaims(event)) {
      return new Judged(p, tree, value, false, null);
    }
    event.remove("received_at");
    if (event.get("source") instanceof ObjectNode source) {
      source.remove("authenticated");
      if (source.isEmpty()) {
        event.remove("source"); // it held the claim alone
      }
    }
    try {
      return new Judged(p, event, EventCodec.mapper().writeValueAsBytes(event), true, null);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a parsed event", e);
    }
  }

  private static boolean hasClaims(ObjectNode event) {
    return event.has("received_at") || event.path("source").has("authenticated");
  }
}
