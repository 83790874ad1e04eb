package dev.mcpaudit.queryapi.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.mcpaudit.kafka.client.GroupLag;
import dev.mcpaudit.queryapi.auth.Role;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code GET /api/v1/detection}: how far the detector is behind the decisions topic, so the UI can
 * say that alerts for recent events may still come. Measured from Kafka ({@link GroupLag}), the
 * same figure as the detector's {@code mcp_audit_detector_lag_*} metrics. Not tenant data: every
 * tenant's decisions share the topic.
 */
final class DetectionEndpoint {
  private final ApiAuth auth;
  private final Supplier<Optional<GroupLag.Snapshot>> lag;

  DetectionEndpoint(ApiAuth auth, Supplier<Optional<GroupLag.Snapshot>> lag) {
    this.auth = auth;
    this.lag = lag;
  }

  /** The answer; everything but {@code known} is absent until the lag was measured. */
  record Detection(
      boolean known,
      @JsonProperty("measured_at") Optional<Instant> measuredAt,
      @JsonProperty("records_behind") Optional<Long> recordsBehind,
      @JsonProperty("seconds_behind") Optional<Double> secondsBehind) {}

  void get(Context ctx) {
    auth.require(ctx, Role.ANALYST, "api.detection");
    Optional<GroupLag.Snapshot> s = lag.get();
    ctx.json(
        new Detection(
            s.isPresent(),
            s.map(GroupLag.Snapshot::at),
            s.map(GroupLag.Snapshot::records),
            s.map(x -> x.behind().toMillis() / 1000.0)));
  }
}
