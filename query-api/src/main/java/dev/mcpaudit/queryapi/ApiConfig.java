package dev.mcpaudit.queryapi;

import dev.mcpaudit.queryapi.auth.Authenticator;
import dev.mcpaudit.queryapi.auth.OidcTokens;
import dev.mcpaudit.queryapi.auth.StaticTokens;
import dev.mcpaudit.queryapi.export.ExportLimits;
import dev.mcpaudit.queryapi.search.CursorKey;
import dev.mcpaudit.queryapi.search.QueryLimits;
import dev.mcpaudit.queryapi.search.SearchGate;
import dev.mcpaudit.queryapi.search.TermPolicy;
import dev.mcpaudit.runtime.config.ConfigException;
import dev.mcpaudit.runtime.config.Settings;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of the api role.
 *
 * @param host listen address ({@code api.host}, default 127.0.0.1)
 * @param port listen port ({@code api.port}, default 8080; 0 picks one)
 * @param indexPath the index to serve when running alone ({@code api.index-dir}, default ./data/index);
 *     reopened as the indexer commits
 * @param alertsPath the alerts index the indexer keeps beside it ({@code api.alerts-dir},
 *     default: {@code alerts} beside the index directory, where the indexer puts it)
 * @param limits query timeout ({@code api.query-timeout}, 10s: past it, 503), most clauses
 *     ({@code api.max-clauses}, 1024: past it, 400), the term policy ({@code api.query.min-prefix} 3,
 *     {@code api.leading-wildcards}, {@code api.query.regexp}, {@code api.query.fuzzy} and {@code api.query.open-ranges} false;
 *     see {@link TermPolicy}), the cursor key ({@code api.cursor-key}, random per process) and search admission
 *     ({@code api.search.max-concurrent}, {@code api.search.max-per-caller}, {@code api.search.max-queued-per-caller};
 *     see {@link SearchGate}); see {@link QueryLimits}
 * @param reopenInterval how often a standalone api looks for a newer commit ({@code api.reopen-interval}, default 1s)
 * @param audit whether the API publishes its own authorization decisions ({@code api.audit}, default true)
 * @param bootstrapServers Kafka for the audit trail ({@code kafka.bootstrap-servers})
 * @param decisionsTopic where audit events go ({@code topics.decisions})
 * @param auditSpool the audit publisher's spool ({@code api.audit-spool-dir}, default ./data/api-audit-spool)
 * @param auth static tokens ({@code api.token.*}, digests with role and tenants) and, if
 *     {@code api.oidc.issuer} is set, OIDC JWTs ({@code api.oidc.*})
 * @param exportLimits exports running at once ({@code api.export.max-concurrent}, 4;
 *     {@code api.export.max-per-caller}, 2; past either, 429) and the longest one
 *     ({@code api.export.timeout}, 1h); see {@link ExportLimits}
 * @param auditRefusedWindow requests refused before authentication are counted this long and
 *     published as one audit event per source address, operation and reason
 *     ({@code api.audit.refused-window}, 1m)
 * @param auditRefusedKeys most such keys per window; more are counted in an overflow bucket
 *     ({@code api.audit.refused-max-keys}, 1000)
 */
public record ApiConfig(String host, int port, Path indexPath, Path alertsPath, QueryLimits limits, Duration reopenInterval,
    boolean audit, String bootstrapServers, String decisionsTopic, Path auditSpool, Authenticator auth,
    ExportLimits exportLimits, Duration auditRefusedWindow, int auditRefusedKeys) {

  public static ApiConfig from(Settings s) {
    Path index = Path.of(s.string("api.index-dir", "./data/index"));
    return new ApiConfig(
        s.string("api.host", "127.0.0.1"),
        s.integer("api.port", 8080, 0, 65535),
        index,
        Path.of(s.string("api.alerts-dir", index.toAbsolutePath().resolveSibling("alerts").toString())),
        new QueryLimits(s.duration("api.query-timeout", Duration.ofSeconds(10)),
            s.integer("api.max-clauses", 1024, 16, 1 << 20),
            new TermPolicy(s.integer("api.query.min-prefix", TermPolicy.DEFAULT.minPrefix(), 0, 64),
                s.bool("api.leading-wildcards", false), s.bool("api.query.regexp", false), s.bool("api.query.fuzzy", false),
                s.bool("api.query.open-ranges", false)),
            cursorKey(s), admission(s)),
        s.duration("api.reopen-interval", Duration.ofSeconds(1)),
        s.bool("api.audit", true),
        s.string("kafka.bootstrap-servers", "127.0.0.1:9092"),
        s.string("topics.decisions", dev.mcpaudit.schema.topic.Topics.DEFAULT_DECISIONS),
        Path.of(s.string("api.audit-spool-dir", "./data/api-audit-spool")),
        new Authenticator(StaticTokens.from(s), OidcTokens.from(s)),
        new ExportLimits(s.integer("api.export.max-concurrent", 4, 1, 1024), s.integer("api.export.max-per-caller", 2, 1, 1024),
            positive("api.export.timeout", s.duration("api.export.timeout", Duration.ofHours(1)))),
        positive("api.audit.refused-window", s.duration("api.audit.refused-window", Duration.ofMinutes(1))),
        s.integer("api.audit.refused-max-keys", 1000, 1, 1_000_000));
  }

  private static SearchGate.Limits admission(Settings s) {
    SearchGate.Limits d = SearchGate.Limits.forThisMachine();
    return new SearchGate.Limits(s.integer("api.search.max-concurrent", d.maxConcurrent(), 1, 1024),
        s.integer("api.search.max-per-caller", d.maxPerCaller(), 1, 1024),
        s.integer("api.search.max-queued-per-caller", d.maxQueuedPerCaller(), 0, 1024));
  }

  private static Duration positive(String key, Duration d) {
    if (d.isNegative() || d.isZero()) {
      throw new ConfigException(key + ": must be longer than zero, got " + d);
    }
    return d;
  }

  /** The configured cursor key, or a random one; a key too short to be one is a configuration error. */
  private static CursorKey cursorKey(Settings s) {
    try {
      return CursorKey.of(s.string("api.cursor-key", ""));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }
}
