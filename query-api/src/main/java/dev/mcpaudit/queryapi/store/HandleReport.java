package dev.mcpaudit.queryapi.store;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * "What happened to this handle?": issued, every use, revoked or expired, and the uses after that,
 * judged by occurred_at (not arrival). Counts cover every event of the handle; {@code events} lists
 * the first {@link #MAX_EVENTS} in time order.
 *
 * @param issued the earliest issue (or rotation) event, when there is one
 * @param revoked the earliest revocation event, when there is one
 * @param expiresAt the earlier of the expiry the issue event announced and the first expiry event
 * @param actors the first {@link #MAX_LISTED} actors, sorted; {@code actorCount} counts them all
 * @param tools the first {@link #MAX_LISTED} tools (name, or resource without one), sorted
 */
public record HandleReport(
    String id,
    Optional<JsonNode> issued,
    Optional<JsonNode> revoked,
    @JsonProperty("revoked_at") Optional<Instant> revokedAt,
    @JsonProperty("expires_at") Optional<Instant> expiresAt,
    long decisions,
    long allow,
    long deny,
    @JsonProperty("allowed_after_revocation") long allowedAfterRevocation,
    @JsonProperty("attempts_after_revocation") long attemptsAfterRevocation,
    @JsonProperty("allowed_after_expiry") long allowedAfterExpiry,
    @JsonProperty("attempts_after_expiry") long attemptsAfterExpiry,
    List<String> actors,
    @JsonProperty("actor_count") int actorCount,
    List<String> tools,
    @JsonProperty("tool_count") int toolCount,
    List<JsonNode> events) {

  public static final int MAX_EVENTS = 1000;

  /**
   * Actors and tools listed, at most: a hostile writer can give one handle any number of each, and
   * the answer's size must not grow with the data.
   */
  public static final int MAX_LISTED = 1000;
}
