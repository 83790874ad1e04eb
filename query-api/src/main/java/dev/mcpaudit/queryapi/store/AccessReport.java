package dev.mcpaudit.queryapi.store;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.mcpaudit.index.IndexSchema;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;

/**
 * "What did this agent (or this user's agents) access?": every decision of an actor, or of the
 * actors acting for a user, in a window, grouped by tool. Field order as in the README's "The query
 * API".
 *
 * @param actor the actor asked about, when the question named one
 * @param onBehalfOf the user asked about, when the question named one
 * @param omitted present only when more distinct tools or handles matched than an answer itemizes
 */
public record AccessReport(
    @JsonInclude(JsonInclude.Include.NON_ABSENT) Optional<String> actor,
    @JsonProperty("on_behalf_of") @JsonInclude(JsonInclude.Include.NON_ABSENT)
        Optional<String> onBehalfOf,
    Instant from,
    Instant to,
    Totals totals,
    List<ToolUse> tools,
    @JsonProperty("deny_reasons") SortedMap<String, Long> denyReasons,
    List<HandleUse> handles,
    @JsonInclude(JsonInclude.Include.NON_ABSENT) Optional<Omitted> omitted) {

  /**
   * At most this many distinct tools and handles are itemized per answer, so an actor with millions
   * of one-shot handles costs bounded memory; decisions past the cap still count in the totals and
   * in {@link Omitted}.
   */
  public static final int DISTINCT_CAP = 10_000;

  /** Resources and handles listed per tool, at most; the counts say how many there are. */
  public static final int MAX_LISTED_PER_TOOL = 100;

  /** Who the summary is about. */
  public enum Subject {
    ACTOR(IndexSchema.ACTOR_ID),
    ON_BEHALF_OF(IndexSchema.ACTOR_ON_BEHALF_OF);

    private final String field;

    Subject(String field) {
      this.field = field;
    }

    /** The indexed field that names the subject. */
    public String field() {
      return field;
    }
  }

  public record Totals(long decisions, long allow, long deny) {}

  /**
   * One tool (server, method, name; the resource stands in for a missing name), most used first.
   */
  public record ToolUse(
      String server,
      String method,
      String name,
      long allow,
      long deny,
      @JsonProperty("first_seen") Instant firstSeen,
      @JsonProperty("last_seen") Instant lastSeen,
      List<String> resources,
      List<String> handles,
      @JsonProperty("resource_count") int resourceCount,
      @JsonProperty("handle_count") int handleCount) {}

  public record HandleUse(
      String id,
      long decisions,
      @JsonProperty("first_seen") Instant firstSeen,
      @JsonProperty("last_seen") Instant lastSeen) {}

  /** Decisions not itemized because more than {@code cap} distinct tools or handles matched. */
  public record Omitted(
      int cap,
      @JsonProperty("tool_decisions") long toolDecisions,
      @JsonProperty("handle_decisions") long handleDecisions) {}
}
