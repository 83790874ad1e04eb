package dev.mcpaudit.queryapi.http;

import dev.mcpaudit.kafka.client.GroupLag;
import dev.mcpaudit.queryapi.auth.Role;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
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

  void get(Context ctx) {
    auth.require(ctx, Role.ANALYST, "api.detection");
    Map<String, Object> out = new LinkedHashMap<>();
    Optional<GroupLag.Snapshot> s = lag.get();
    out.put("known", s.isPresent());
    out.put("measured_at", s.map(GroupLag.Snapshot::at).orElse(null));
    out.put("records_behind", s.map(GroupLag.Snapshot::records).orElse(null));
    out.put("seconds_behind", s.map(x -> x.behind().toMillis() / 1000.0).orElse(null));
    ctx.json(out);
  }
}
