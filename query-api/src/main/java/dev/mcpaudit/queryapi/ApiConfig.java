package dev.mcpaudit.queryapi;

import dev.mcpaudit.kafka.client.KafkaClients;
import dev.mcpaudit.kafka.stamp.Stamps;
import dev.mcpaudit.opensearch.IndexBackend;
import dev.mcpaudit.opensearch.OpenSearchSettings;
import dev.mcpaudit.queryapi.auth.Authenticator;
import dev.mcpaudit.queryapi.auth.OidcTokens;
import dev.mcpaudit.queryapi.auth.StaticTokens;
import dev.mcpaudit.queryapi.export.ExportLimits;
import dev.mcpaudit.queryapi.search.CursorKey;
import dev.mcpaudit.queryapi.search.QueryLimits;
import dev.mcpaudit.queryapi.search.SearchGate;
import dev.mcpaudit.rules.query.TermPolicy;
import dev.mcpaudit.runtime.config.ConfigDef;
import dev.mcpaudit.runtime.config.ConfigException;
import dev.mcpaudit.runtime.config.ConfigKey;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.runtime.config.SharedKeys;
import dev.mcpaudit.runtime.http.HttpSecurity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Settings of the api role. Each key, its default and its checks are declared once, in the {@code
 * ConfigKey} constants below ({@link #DEF} lists them; {@link OidcTokens#KEYS} the OIDC ones).
 *
 * @param host listen address ({@code api.host})
 * @param port listen port ({@code api.port})
 * @param indexPath the index to serve when running alone ({@code api.index-dir}); reopened as the
 *     indexer commits
 * @param alertsPath the alerts index the indexer keeps beside it ({@code api.alerts-dir})
 * @param limits query timeout, clause limit, term policy ({@link TermPolicy}), cursor key and
 *     search admission ({@link SearchGate}); see {@link QueryLimits}
 * @param reopenInterval how often a standalone api looks for a newer commit ({@code
 *     api.reopen-interval})
 * @param audit whether the API publishes its own authorization decisions ({@code api.audit})
 * @param kafka where Kafka is and how to reach it ({@code kafka.bootstrap-servers}, {@code
 *     kafka.client.*}, {@code api.kafka.client.*})
 * @param http HTTPS for the listener ({@code http.tls.*}), or plain HTTP where allowed
 * @param decisionsTopic where audit events go ({@code topics.decisions})
 * @param auditSpool the audit publisher's spool ({@code api.audit-spool-dir})
 * @param stamps the key the audit trail is stamped with ({@code stamp.keys.*}); without one the
 *     indexer refuses the audit events (docs/provenance.md)
 * @param auth static tokens ({@code api.token.*}, digests with role and tenants) and, if {@code
 *     api.oidc.issuer} is set, OIDC JWTs ({@code api.oidc.*})
 * @param exportLimits exports at once, in all and per principal, and the longest one; see {@link
 *     ExportLimits}
 * @param auditRefusedWindow how long requests refused before authentication are counted before one
 *     audit event per source address, operation and reason is published ({@code
 *     api.audit.refused-window})
 * @param auditRefusedKeys most such keys per window; more are counted in an overflow bucket ({@code
 *     api.audit.refused-max-keys})
 * @param backend where the events are read ({@code index.backend}): the Lucene index at {@code
 *     indexPath}, or the OpenSearch cluster the indexers write (docs/opensearch.md)
 * @param openSearch the cluster ({@code opensearch.*}) when the backend is OpenSearch, else null
 * @param evidenceKeys the public keys the evidence log's checkpoints are signed with; empty: the
 *     evidence routes are off ({@code api.evidence-keys}; README, "Verifiable evidence")
 * @param bundleKey the key evidence bundles' manifests are signed with, or null: no bundles ({@code
 *     api.bundle-signing-key}; README, "Evidence bundles")
 * @param alertChangesTopic where analysts' changes to alerts go ({@code topics.alert-changes},
 *     docs/alerts.md); created compacted if missing, with {@code topics.replication-factor}
 * @param rulesTopic the analysts' alert rules ({@code topics.rules}, README "Alert rules"); created
 *     compacted if missing
 */
public record ApiConfig(
    String host,
    int port,
    Path indexPath,
    Path alertsPath,
    QueryLimits limits,
    Duration reopenInterval,
    boolean audit,
    KafkaClients kafka,
    HttpSecurity http,
    String decisionsTopic,
    Path auditSpool,
    Authenticator auth,
    ExportLimits exportLimits,
    Duration auditRefusedWindow,
    int auditRefusedKeys,
    String detectorApplicationId,
    Stamps stamps,
    IndexBackend backend,
    OpenSearchSettings openSearch,
    String alertChangesTopic,
    short replicationFactor,
    List<dev.mcpaudit.schema.evidence.VerifierKey> evidenceKeys,
    dev.mcpaudit.schema.evidence.SigningKey bundleKey,
    String rulesTopic) {

  static final ConfigKey<String> HOST = ConfigKey.string("api.host", "127.0.0.1", "listen address");
  static final ConfigKey<Integer> PORT =
      ConfigKey.integer("api.port", 8080, 0, 65535, "listen port (0 picks one)");
  static final ConfigKey<String> INDEX_DIR =
      ConfigKey.string(
          "api.index-dir",
          "./data/index",
          "the index the api serves when it runs alone; reopened as the indexer commits");
  static final ConfigKey<String> ALERTS_DIR =
      ConfigKey.string(
          "api.alerts-dir",
          null,
          "the alerts index (default: alerts beside api.index-dir, where the indexer puts it)");
  static final ConfigKey<Duration> REOPEN_INTERVAL =
      ConfigKey.duration(
          "api.reopen-interval",
          Duration.ofSeconds(1),
          "how often a standalone api looks for a newer commit");
  static final ConfigKey<Duration> QUERY_TIMEOUT =
      ConfigKey.duration(
          "api.query-timeout",
          Duration.ofSeconds(10),
          "a query running longer than this, counted from the request's arrival, is answered 503");
  static final ConfigKey<Integer> MAX_CLAUSES =
      ConfigKey.integer(
          "api.max-clauses",
          1024,
          16,
          1 << 20,
          "most boolean clauses a query may have once expanded (more: 400)");
  static final ConfigKey<Integer> MIN_PREFIX =
      ConfigKey.integer(
          "api.query.min-prefix",
          TermPolicy.DEFAULT.minPrefix(),
          0,
          64,
          "literal characters a wildcard, prefix, fuzzy term, regexp or keyword range must start with (0: off)");
  static final ConfigKey<Boolean> LEADING_WILDCARDS =
      ConfigKey.bool(
          "api.leading-wildcards",
          false,
          "wildcard and prefix terms may start with fewer characters, even with *");
  static final ConfigKey<Boolean> REGEXP =
      ConfigKey.bool("api.query.regexp", false, "regular expressions in q");
  static final ConfigKey<Boolean> FUZZY =
      ConfigKey.bool(
          "api.query.fuzzy",
          false,
          "fuzzy terms in q (they rank every tenant's values: only where every caller sees every tenant)");
  static final ConfigKey<Boolean> OPEN_RANGES =
      ConfigKey.bool("api.query.open-ranges", false, "ranges with an open end on keyword fields");
  static final ConfigKey<String> CURSOR_KEY =
      ConfigKey.string(
          "api.cursor-key",
          "",
          "seals next_cursor; empty: a random key per process; the same value on every replica behind one load balancer");
  static final ConfigKey<Integer> SEARCH_MAX_CONCURRENT =
      ConfigKey.integer(
          "api.search.max-concurrent",
          () -> SearchGate.Limits.forThisMachine().maxConcurrent(),
          1,
          1024,
          "search threads (default: the cores)");
  static final ConfigKey<Integer> SEARCH_MAX_PER_CALLER =
      ConfigKey.integer(
          "api.search.max-per-caller",
          () -> SearchGate.Limits.forThisMachine().maxPerCaller(),
          1,
          1024,
          "searches one principal runs at once (default: half the cores, at least 1)");
  static final ConfigKey<Integer> SEARCH_MAX_QUEUED =
      ConfigKey.integer(
          "api.search.max-queued-per-caller",
          SearchGate.Limits.forThisMachine().maxQueuedPerCaller(),
          0,
          1024,
          "more searches of one principal that may wait (past that, 429)");
  static final ConfigKey<Integer> EXPORT_MAX_CONCURRENT =
      ConfigKey.integer(
          "api.export.max-concurrent", 4, 1, 1024, "exports running at once (past it, 429)");
  static final ConfigKey<Integer> EXPORT_MAX_PER_CALLER =
      ConfigKey.integer(
          "api.export.max-per-caller",
          2,
          1,
          1024,
          "exports one principal runs at once (past it, 429)");
  static final ConfigKey<Duration> EXPORT_TIMEOUT =
      positive(
          ConfigKey.duration(
              "api.export.timeout",
              Duration.ofHours(1),
              "the longest an export may stream (past it the transfer is cut)"));
  static final ConfigKey<Boolean> AUDIT =
      ConfigKey.bool(
          "api.audit", true, "the API publishes its own authorization decisions (tenant _system)");
  static final ConfigKey<String> AUDIT_SPOOL_DIR =
      ConfigKey.string(
          "api.audit-spool-dir", "./data/api-audit-spool", "the audit publisher's spool");
  static final ConfigKey<Duration> AUDIT_REFUSED_WINDOW =
      positive(
          ConfigKey.duration(
              "api.audit.refused-window",
              Duration.ofMinutes(1),
              "requests refused before authentication are counted this long, then published as one event per key"));
  static final ConfigKey<Integer> AUDIT_REFUSED_KEYS =
      ConfigKey.integer(
          "api.audit.refused-max-keys",
          1000,
          1,
          1_000_000,
          "most keys held per window; more are counted in one overflow bucket per reason");

  static final ConfigKey<String> DETECTOR_APPLICATION_ID =
      ConfigKey.string(
          "api.detector-application-id",
          "mcp-audit-detector",
          "the detector's application id, whose lag behind the decisions topic /api/v1/detection reports (empty: not measured)");

  static final ConfigKey<String> EVIDENCE_KEYS =
      ConfigKey.string(
          "api.evidence-keys",
          "",
          "file of the public keys checkpoints are signed with (mcp-audit keys new --scope"
              + " evidence writes one; several lines while rotating); empty: no evidence routes");

  static final ConfigKey<String> BUNDLE_KEY =
      ConfigKey.string(
          "api.bundle-signing-key",
          "",
          "file with the Ed25519 key evidence bundles' manifests are signed with (mcp-audit keys"
              + " new --scope evidence; give the API its own, and auditors its public half beside"
              + " the checkpoints' keys); empty: no bundles");

  /**
   * Every key the api reads; {@code api.token.<principal>} (and its .role, .tenants) is the token
   * table.
   */
  public static final ConfigDef DEF =
      ConfigDef.of(
          "api",
          java.util.stream.Stream.concat(
                  java.util.stream.Stream.of("api."), OpenSearchSettings.PREFIXES.stream())
              .toList(),
          keys(),
          "api.token.");

  private static List<ConfigKey<?>> keys() {
    List<ConfigKey<?>> all =
        new ArrayList<>(
            List.of(
                HOST,
                PORT,
                INDEX_DIR,
                ALERTS_DIR,
                REOPEN_INTERVAL,
                QUERY_TIMEOUT,
                MAX_CLAUSES,
                MIN_PREFIX,
                LEADING_WILDCARDS,
                REGEXP,
                FUZZY,
                OPEN_RANGES,
                CURSOR_KEY,
                SEARCH_MAX_CONCURRENT,
                SEARCH_MAX_PER_CALLER,
                SEARCH_MAX_QUEUED,
                EXPORT_MAX_CONCURRENT,
                EXPORT_MAX_PER_CALLER,
                EXPORT_TIMEOUT,
                AUDIT,
                AUDIT_SPOOL_DIR,
                AUDIT_REFUSED_WINDOW,
                AUDIT_REFUSED_KEYS,
                DETECTOR_APPLICATION_ID,
                EVIDENCE_KEYS,
                BUNDLE_KEY));
    all.addAll(OidcTokens.KEYS);
    all.addAll(OpenSearchSettings.KEYS);
    return all;
  }

  /** Kafka's bootstrap list, for messages and tests. */
  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  public static ApiConfig from(Settings s) {
    DEF.check(s);
    IndexBackend backend = IndexBackend.KEY.from(s);
    Path index = Path.of(INDEX_DIR.from(s));
    String alerts = ALERTS_DIR.from(s);
    return new ApiConfig(
        HOST.from(s),
        PORT.from(s),
        index,
        alerts == null ? index.toAbsolutePath().resolveSibling("alerts") : Path.of(alerts),
        new QueryLimits(
            QUERY_TIMEOUT.from(s),
            MAX_CLAUSES.from(s),
            new TermPolicy(
                MIN_PREFIX.from(s),
                LEADING_WILDCARDS.from(s),
                REGEXP.from(s),
                FUZZY.from(s),
                OPEN_RANGES.from(s)),
            cursorKey(s),
            new SearchGate.Limits(
                SEARCH_MAX_CONCURRENT.from(s),
                SEARCH_MAX_PER_CALLER.from(s),
                SEARCH_MAX_QUEUED.from(s))),
        REOPEN_INTERVAL.from(s),
        AUDIT.from(s),
        SharedKeys.kafkaClients(s, "api"),
        HttpSecurity.from(s),
        SharedKeys.DECISIONS.from(s),
        Path.of(AUDIT_SPOOL_DIR.from(s)),
        new Authenticator(StaticTokens.from(s), OidcTokens.from(s)),
        new ExportLimits(
            EXPORT_MAX_CONCURRENT.from(s), EXPORT_MAX_PER_CALLER.from(s), EXPORT_TIMEOUT.from(s)),
        AUDIT_REFUSED_WINDOW.from(s),
        AUDIT_REFUSED_KEYS.from(s),
        DETECTOR_APPLICATION_ID.from(s),
        SharedKeys.stamps(s),
        backend,
        backend == IndexBackend.OPENSEARCH ? OpenSearchSettings.from(s) : null,
        SharedKeys.ALERT_CHANGES.from(s),
        SharedKeys.REPLICATION_FACTOR.from(s).shortValue(),
        evidenceKeys(EVIDENCE_KEYS.from(s)),
        bundleKey(BUNDLE_KEY.from(s)),
        SharedKeys.RULES.from(s));
  }

  private static dev.mcpaudit.schema.evidence.SigningKey bundleKey(String file) {
    return file.isBlank()
        ? null
        : keyFile(BUNDLE_KEY, file, dev.mcpaudit.schema.evidence.SigningKey::parse);
  }

  private static List<dev.mcpaudit.schema.evidence.VerifierKey> evidenceKeys(String file) {
    return file.isBlank()
        ? List.of()
        : keyFile(EVIDENCE_KEYS, file, dev.mcpaudit.schema.evidence.KeySet::parse);
  }

  /** A key file read and parsed, or a configuration error naming the setting and the file. */
  private static <T> T keyFile(
      ConfigKey<String> setting, String file, java.util.function.Function<String, T> parse) {
    try {
      return parse.apply(java.nio.file.Files.readString(Path.of(file)));
    } catch (java.io.IOException e) {
      throw new dev.mcpaudit.runtime.config.ConfigException(
          setting.name() + ": cannot read " + file + ": " + e);
    } catch (IllegalArgumentException e) {
      throw new dev.mcpaudit.runtime.config.ConfigException(
          setting.name() + ": " + file + ": " + e.getMessage());
    }
  }

  private static ConfigKey<Duration> positive(ConfigKey<Duration> key) {
    return key.check(d -> !d.isNegative() && !d.isZero(), "must be longer than zero");
  }

  /**
   * The configured cursor key, or a random one; a key too short to be one is a configuration error.
   */
  private static CursorKey cursorKey(Settings s) {
    try {
      return CursorKey.of(CURSOR_KEY.from(s));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }
}
