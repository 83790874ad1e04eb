package dev.mcpaudit.app.quickstart;

import dev.mcpaudit.app.keys.StampKeyFiles;
import dev.mcpaudit.app.simulate.DemoTraffic;
import dev.mcpaudit.app.simulate.Simulator;
import dev.mcpaudit.collector.http.CollectorConfig;
import dev.mcpaudit.collector.http.CollectorRoutes;
import dev.mcpaudit.detector.DetectorConfig;
import dev.mcpaudit.detector.DetectorService;
import dev.mcpaudit.indexer.IndexerConfig;
import dev.mcpaudit.indexer.IndexerService;
import dev.mcpaudit.kafka.embedded.BrokerSettings;
import dev.mcpaudit.kafka.embedded.DevCertificates;
import dev.mcpaudit.kafka.embedded.EmbeddedKafkaBroker;
import dev.mcpaudit.kafka.embedded.SaslSslListener;
import dev.mcpaudit.queryapi.ApiConfig;
import dev.mcpaudit.queryapi.audit.PublishedAuditTrail;
import dev.mcpaudit.queryapi.http.ApiRoutes;
import dev.mcpaudit.queryapi.store.lucene.LuceneEventStore;
import dev.mcpaudit.queryapi.store.lucene.LuceneEvidence;
import dev.mcpaudit.queryapi.store.lucene.StoreThreads;
import dev.mcpaudit.queryapi.triage.AlertTriage;
import dev.mcpaudit.runtime.auth.TokenDigest;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.runtime.config.SharedKeys;
import dev.mcpaudit.runtime.health.Health;
import dev.mcpaudit.runtime.http.HttpSecurity;
import dev.mcpaudit.runtime.http.HttpServer;
import dev.mcpaudit.runtime.http.TrustedCertificates;
import dev.mcpaudit.schema.topic.Topics;
import dev.mcpaudit.web.WebUi;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root of {@code mcp-audit quickstart}: an embedded broker and every role in one
 * process, one HTTP port for the UI ({@code /}), the API ({@code /api/v1}) and the collector
 * ({@code /v1/decisions}), everything on loopback, data under one directory. Demo traffic goes
 * through the collector over HTTP, the way a gateway's would.
 */
public final class Quickstart implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Quickstart.class);

  /** What the command line chose. */
  public record Options(
      int port,
      int kafkaPort,
      Path dataDir,
      boolean demo,
      double demoRate,
      Duration incidentEvery,
      boolean tls,
      boolean kafkaSasl) {
    /** Plain HTTP (tests, benchmarks). */
    public Options(
        int port,
        int kafkaPort,
        Path dataDir,
        boolean demo,
        double demoRate,
        Duration incidentEvery) {
      this(port, kafkaPort, dataDir, demo, demoRate, incidentEvery, false, false);
    }
  }

  /** A start-up problem the user can fix: the message says how. */
  public static final class StartException extends Exception {
    StartException(String message) {
      super(message);
    }
  }

  private final List<AutoCloseable> opened = new ArrayList<>();
  private final QuickstartTokens tokens;
  private final Path caCertificate;
  private Javalin http;
  private IndexerService indexer;
  private Simulator simulator;

  private Quickstart(Options o) throws StartException, IOException {
    Path data = o.dataDir().toAbsolutePath().normalize();
    checkWritable(data);
    checkPortFree(o.port(), "--port");
    checkPortFree(o.kafkaPort(), "--kafka-port");
    checkPortFree(
        o.kafkaPort() + 1,
        "--kafka-port (its controller uses the next port, " + (o.kafkaPort() + 1) + ")");
    this.tokens = QuickstartTokens.loadOrCreate(data);
    StampKeyFiles.loadOrCreate(data.resolve(STAMP_KEY_FILE), QUICKSTART_KEY_ID);
    StampKeyFiles.evidenceKey(data.resolve(EVIDENCE_KEY_FILE), "mcp-audit-quickstart");
    this.caCertificate = o.tls() ? DevCertificates.in(data.resolve("tls")).caCertificate() : null;
    try {
      startAll(o, data);
    } catch (StartException | IOException | RuntimeException e) {
      close(); // what did start is stopped again, so the error is the only thing left
      throw e;
    }
  }

  private void startAll(Options o, Path data) throws StartException, IOException {
    SaslSslListener sasl = o.kafkaSasl() ? QuickstartKafkaUsers.listener(data) : null;
    BrokerSettings brokerSettings =
        new BrokerSettings(data.resolve("kafka"), o.kafkaPort(), o.kafkaPort() + 1, 3, Map.of());
    EmbeddedKafkaBroker broker =
        new EmbeddedKafkaBroker(sasl == null ? brokerSettings : brokerSettings.withSaslSsl(sasl))
            .start();
    opened.add(broker);
    Topics topics = Topics.defaults();
    broker.createTopics(3, topics.all());

    DevCertificates certs = o.tls() ? DevCertificates.in(data.resolve("tls")) : null;
    Settings settings = settings(data, broker.bootstrapServers(), tokens, certs, sasl);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Clock clock = Clock.systemUTC();
    IndexerConfig indexerConfig = IndexerConfig.from(settings);
    IndexerService indexer = IndexerService.embedded(indexerConfig, registry, clock);
    this.indexer = indexer;
    opened.add(indexer);
    DetectorService detector = DetectorService.embedded(DetectorConfig.from(settings), registry);
    opened.add(detector);
    CollectorConfig collectorConfig = CollectorConfig.from(settings);
    CollectorRoutes collector = new CollectorRoutes(collectorConfig, registry, clock);
    opened.add(collector);
    ApiConfig api = ApiConfig.from(settings);
    PublishedAuditTrail audit =
        new PublishedAuditTrail(
            PublishedAuditTrail.publisher(
                    api.kafka(), topics.decisions(), api.auditSpool(), api.stamps())
                .build(),
            clock,
            "quickstart:" + o.port(),
            api.auditRefusedWindow(),
            api.auditRefusedKeys());
    opened.add(audit);
    StoreThreads storeThreads = StoreThreads.start();
    opened.add(storeThreads);
    ApiRoutes routes =
        ApiRoutes.assemble(
                LuceneEventStore.over(
                    indexer.searchers(), indexer.alertSearchers(), api.limits(), storeThreads),
                api.auth(),
                audit,
                api.limits(),
                api.exportLimits(),
                clock)
            .detection(detector::lag);
    AlertTriage triage =
        new AlertTriage(
            api.kafka(),
            topics.alertChanges(),
            (short) 1,
            api.stamps(),
            audit,
            clock,
            api.limits().timeout());
    opened.add(triage);
    routes.triage(triage);
    dev.mcpaudit.queryapi.rules.RuleRegistry rules =
        new dev.mcpaudit.queryapi.rules.RuleRegistry(
            api.kafka(),
            api.rulesTopic(),
            (short) 1,
            api.stamps(),
            audit,
            clock,
            api.limits().timeout());
    opened.add(rules);
    routes.rules(rules);
    LuceneEvidence evidence = new LuceneEvidence(indexer.index().path());
    opened.add(evidence);
    routes.evidence(evidence, api.evidenceKeys(), api.bundleKey());
    LuceneEvidence alertLogs = new LuceneEvidence(indexerConfig.alertsPath());
    opened.add(alertLogs);
    routes.alertEvidence(alertLogs);
    try {
      this.http =
          HttpServer.start(
              "quickstart",
              "127.0.0.1",
              o.port(),
              HttpSecurity.from(settings),
              registry,
              () -> Health.all(indexer::health, detector::health, collector::health),
              cfg -> {
                cfg.http.maxRequestSize = collectorConfig.bodyLimitBytes();
                cfg.jsonMapper(ApiRoutes.json());
                collector.install(cfg);
                routes.install(cfg);
                WebUi.install(cfg);
              });
    } catch (RuntimeException e) {
      throw new StartException(e.getMessage() + "; choose another with --port");
    }
    opened.add(http::stop);
    if (o.demo()) {
      DemoTraffic traffic =
          new DemoTraffic(
              new java.security.SecureRandom().nextLong(),
              DemoTraffic.agentsFor(o.demoRate()),
              Instant.now().plus(min(Duration.ofSeconds(10), o.incidentEvery())),
              o.incidentEvery());
      simulator =
          new Simulator(
              URI.create(baseUri()),
              tokens.collector(),
              o.demoRate(),
              null,
              traffic,
              clock,
              2,
              certs == null ? null : TrustedCertificates.trusting(certs.caCertificate()));
      Thread.ofPlatform().name("mcp-audit-demo-traffic").daemon(true).start(simulator);
      opened.add(simulator::stop);
    } else {
      simulator = null;
    }
  }

  /** Where the UI, API and collector answer: {@code https://localhost:…} with --tls. */
  public String baseUri() {
    return caCertificate == null
        ? "http://127.0.0.1:" + http.port()
        : "https://localhost:" + http.port();
  }

  /** The CA a client trusts to reach {@link #baseUri()} over HTTPS; null without --tls. */
  public Path caCertificate() {
    return caCertificate;
  }

  /** Starts everything, or closes what it started and says what to fix. */
  public static Quickstart start(Options o) throws StartException, IOException {
    return new Quickstart(o);
  }

  static final String STAMP_KEY_FILE = "quickstart-stamp.key";
  static final String QUICKSTART_KEY_ID = "quickstart";

  /** The quickstart's own evidence key (its public half beside it, {@code .pub}). */
  static final String EVIDENCE_KEY_FILE = "quickstart-evidence.key";

  private static Settings settings(
      Path data,
      String bootstrap,
      QuickstartTokens t,
      DevCertificates certs,
      SaslSslListener sasl) {
    Map<String, String> s = new HashMap<>();
    if (sasl != null) {
      s.putAll(QuickstartKafkaUsers.settings(sasl));
    }
    if (certs != null) {
      s.put(HttpSecurity.KEY_STORE.name(), certs.keyStore().toString());
      s.put(HttpSecurity.KEY_STORE_PASSWORD.name(), certs.password());
    }
    s.put("kafka.bootstrap-servers", bootstrap);
    // The quickstart's own stamp key: every role signs and verifies with it.
    s.put(SharedKeys.STAMP_KEYS + QUICKSTART_KEY_ID, data.resolve(STAMP_KEY_FILE).toString());
    s.put("indexer.data-dir", data.toString());
    // Every record in its tenant's evidence log, checkpointed every few seconds so a proof of
    // what the demo just sent is there soon (README, "Verifiable evidence").
    s.put("evidence.enabled", "true");
    s.put("evidence.signing-key", data.resolve(EVIDENCE_KEY_FILE).toString());
    s.put("evidence.checkpoint-interval", "5s");
    s.put(
        "api.evidence-keys",
        StampKeyFiles.publicKeyFile(data.resolve(EVIDENCE_KEY_FILE)).toString());
    // One process holds every role here, so the one key also signs evidence bundles; a deployment
    // gives the API a key of its own (README, "Evidence bundles").
    s.put("api.bundle-signing-key", data.resolve(EVIDENCE_KEY_FILE).toString());
    s.put("indexer.group-id", "mcp-audit-quickstart-indexer");
    s.put("indexer.instance-id", "quickstart-indexer");
    s.put("detector.state-dir", data.resolve("detector").toString());
    s.put("detector.application-id", "mcp-audit-quickstart-detector");
    s.put("api.audit-spool-dir", data.resolve("api-audit-spool").toString());
    s.put("collector.token.quickstart-demo", TokenDigest.of(t.collector()));
    s.put(
        "collector.token.quickstart-demo.tenants",
        String.join(",", QuickstartTokens.COLLECTOR_TENANTS));
    for (var role :
        List.of(
            Map.entry("analyst", t.analyst()),
            Map.entry("auditor", t.auditor()),
            Map.entry("admin", t.admin()))) {
      s.put("api.token.quickstart-" + role.getKey(), TokenDigest.of(role.getValue()));
      s.put("api.token.quickstart-" + role.getKey() + ".role", role.getKey());
      s.put("api.token.quickstart-" + role.getKey() + ".tenants", "*");
    }
    return Settings.of(s);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static void checkWritable(Path data) throws StartException {
    try {
      Files.createDirectories(data);
      Path probe = Files.createTempFile(data, ".write-check", "");
      Files.delete(probe);
    } catch (IOException | SecurityException e) {
      throw new StartException(
          "the data directory "
              + data
              + " is not writable ("
              + e.getMessage()
              + "); choose another with --data-dir");
    }
  }

  private static void checkPortFree(int port, String option) throws StartException {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
    } catch (IOException e) {
      throw new StartException(
          "port " + port + " on 127.0.0.1 is taken; choose another with " + option);
    }
  }

  public int port() {
    return http.port();
  }

  public QuickstartTokens tokens() {
    return tokens;
  }

  public IndexerService indexer() {
    return indexer;
  }

  public Simulator simulator() {
    return simulator;
  }

  /** Stops in reverse order of starting: traffic, HTTP, roles, then the broker. */
  @Override
  public void close() {
    for (int i = opened.size() - 1; i >= 0; i--) {
      try {
        opened.get(i).close();
      } catch (Exception e) {
        log.warn(
            "quickstart: stopping {} failed error={}",
            opened.get(i).getClass().getSimpleName(),
            e.toString());
      }
    }
    opened.clear();
  }
}
