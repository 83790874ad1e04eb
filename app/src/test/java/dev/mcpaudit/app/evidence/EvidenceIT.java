package dev.mcpaudit.app.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.app.simulate.BatchSender;
import dev.mcpaudit.collector.http.CollectorConfig;
import dev.mcpaudit.collector.http.CollectorServer;
import dev.mcpaudit.indexer.IndexerConfig;
import dev.mcpaudit.indexer.IndexerService;
import dev.mcpaudit.indexer.store.EventIndex;
import dev.mcpaudit.queryapi.ApiConfig;
import dev.mcpaudit.queryapi.ApiServer;
import dev.mcpaudit.runtime.auth.TokenDigest;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.evidence.Checkpoint;
import dev.mcpaudit.schema.evidence.KeySet;
import dev.mcpaudit.schema.evidence.SignedNote;
import dev.mcpaudit.schema.evidence.SigningKey;
import dev.mcpaudit.testkit.KafkaBrokerExtension;
import dev.mcpaudit.testkit.SyntheticEvents;
import dev.mcpaudit.testkit.TestStamps;
import dev.mcpaudit.testkit.TopicReader;
import java.io.ByteArrayOutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Verifiable evidence through the whole pipeline: 100,000 events of two tenants through the real
 * collector into Kafka, the real indexer keeping each tenant's logs and signing checkpoints, the
 * real API answering proofs. A proof of a record of each tenant verifies in a separate JVM given
 * nothing but the proof file and the public key file; one byte changed in the record is exit 1
 * naming the record; a checkpoint signed by a key the auditor does not know is exit 2; two
 * checkpoints of a log are consistent. Proofs are for auditors of the record's tenant only.
 */
class EvidenceIT {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.shared();
  static final int EVENTS = 100_000;
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private final String auditor = TokenDigest.newToken();
  private final String analyst = TokenDigest.newToken();
  private final String globexAuditor = TokenDigest.newToken();
  private int apiPort;

  @Test
  void aRecordOfEachTenantIsProvenOfflineAndEveryAlterationIsCaught() throws Exception {
    String decisions = KafkaBrokerExtension.uniqueTopic("ev-decisions");
    KAFKA.createTopics(3, decisions, decisions + ".dlq", decisions + ".alerts");
    Path keyFile = dir.resolve("keys").resolve("evidence.key");
    Process keys =
        cli(
            dir,
            "keys",
            "new",
            "--scope",
            "evidence",
            "--id",
            "mcp-audit-it",
            "--out",
            keyFile.toString());
    assertThat(keys.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(keys.exitValue()).as(out(keys)).isZero();
    Path pub = keyFile.resolveSibling("evidence.key.pub");
    assertThat(Files.readString(pub)).contains("mcp-audit-it+");
    assertThat(Files.readString(pub)).doesNotContain(Files.readString(keyFile).strip());

    String source = TokenDigest.newToken();
    Map<String, String> s = new HashMap<>();
    s.put("kafka.bootstrap-servers", KAFKA.bootstrapServers());
    s.put("topics.decisions", decisions);
    s.put("topics.dead-letter", decisions + ".dlq");
    s.put("topics.alerts", decisions + ".alerts");
    s.put("topics.checkpoints", decisions + ".checkpoints");
    s.put("collector.port", "0");
    s.put("collector.token.gw", TokenDigest.of(source));
    s.put("collector.token.gw.tenants", "acme,globex");
    s.put("indexer.port", Integer.toString(freePort()));
    s.put("indexer.data-dir", dir.resolve("data").toString());
    s.put("indexer.commit-interval", "300ms");
    s.put("indexer.group-id", KafkaBrokerExtension.uniqueTopic("ev-indexer"));
    s.put("evidence.enabled", "true");
    s.put("evidence.signing-key", keyFile.toString());
    s.put("evidence.checkpoint-interval", "1s");
    s.put("api.port", "0");
    s.put("api.index-dir", dir.resolve("data").resolve("index").toString());
    s.put("api.audit", "false");
    s.put("api.reopen-interval", "100ms");
    s.put("api.evidence-keys", pub.toString());
    SigningKey bundleKey = SigningKey.generate("mcp-audit-it-bundles");
    Path bundleKeyFile =
        Files.writeString(dir.resolve("keys").resolve("bundles.key"), bundleKey.text());
    s.put("api.bundle-signing-key", bundleKeyFile.toString());
    // What an auditor is given: the checkpoints' key and the API's bundle key, public halves only.
    Path auditorKeys =
        Files.writeString(
            dir.resolve("keys").resolve("auditor.pub"),
            Files.readString(pub).strip() + "\n" + KeySet.line(bundleKey.verifier()) + "\n");
    token(s, "ada", auditor, "auditor", "*");
    token(s, "ana", analyst, "analyst", "*");
    token(s, "gil", globexAuditor, "auditor", "globex");
    Settings settings = Settings.of(TestStamps.with(s));

    try (CollectorServer collector = CollectorServer.start(CollectorConfig.from(settings));
        IndexerService indexer = IndexerService.start(IndexerConfig.from(settings));
        ApiServer api = ApiServer.start(ApiConfig.from(settings))) {
      apiPort = api.port();
      send(collector.port(), source);
      Map<String, Long> ends = TopicReader.endOffsets(KAFKA.bootstrapServers(), decisions);
      await()
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () ->
                  EventIndex.committedOffsetsOrEmpty(dir.resolve("data").resolve("index"))
                      .equals(ends));
      for (String tenant : List.of("acme", "globex")) {
        await() // each log's latest checkpoint covers the whole log
            .atMost(Duration.ofSeconds(60))
            .until(
                () -> {
                  JsonNode logs = get(auditor, "/api/v1/evidence/logs?tenant=" + tenant);
                  long total = 0;
                  for (JsonNode l : logs.get("logs")) {
                    if (l.get("latest").isNull()
                        || l.get("latest").get("size").asLong() != l.get("size").asLong()) {
                      return false;
                    }
                    total += l.get("size").asLong();
                  }
                  return logs.get("logs").size() == 3 && total == EVENTS / 2;
                });
      }

      for (String tenant : List.of("acme", "globex")) {
        String id =
            get(analyst, "/api/v1/decisions?tenant=" + tenant + "&from=now-3d&limit=1")
                .get("events")
                .get(0)
                .get("event_id")
                .asText();
        JsonNode meta = get(analyst, "/api/v1/decisions/" + id).get("_meta").get("evidence");
        assertThat(meta.get("leaf_index").asLong()).isNotNegative();
        assertThat(meta.get("checkpoint").get("size").asLong())
            .isGreaterThan(meta.get("leaf_index").asLong());

        HttpResponse<String> proof = request(auditor, "/api/v1/evidence/proof/" + id);
        assertThat(proof.statusCode()).as(proof.body()).isEqualTo(200);
        Path proofFile =
            Files.createDirectories(dir.resolve("auditor-" + tenant)).resolve("proof.json");
        Files.writeString(proofFile, proof.body());
        Path keysCopy = Files.copy(pub, proofFile.resolveSibling("evidence.pub"));
        JsonNode p = JSON.readTree(proof.body());

        Process ok =
            cli(proofFile.getParent(), "verify", "proof", "proof.json", "--keys", "evidence.pub");
        assertThat(ok.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String said = out(ok);
        assertThat(ok.exitValue()).as(said).isZero();
        assertThat(said)
            .contains(
                "record "
                    + id
                    + " verified at "
                    + tenant
                    + " "
                    + p.get("leaf_index").asLong()
                    + "/"
                    + p.get("tree_size").asLong()
                    + " against checkpoint signed by mcp-audit-it+");

        if (tenant.equals("globex")) {
          continue; // the attacks below once are enough
        }
        // One byte of the record changed (a letter of its decision: allow to Allow, deny to Deny).
        String record = p.get("record").asText();
        int at = record.indexOf("\"decision\":\"") + "\"decision\":\"".length();
        ObjectNode flipped = p.deepCopy();
        flipped.put(
            "record",
            record.substring(0, at)
                + Character.toUpperCase(record.charAt(at))
                + record.substring(at + 1));
        Files.writeString(
            proofFile.resolveSibling("flipped.json"), JSON.writeValueAsString(flipped));
        Process bad =
            cli(proofFile.getParent(), "verify", "proof", "flipped.json", "--keys", "evidence.pub");
        assertThat(bad.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String why = out(bad);
        assertThat(bad.exitValue()).as(why).isEqualTo(1);
        assertThat(why).contains("record " + id + " was altered");

        // The same checkpoint, signed by a key the auditor was never given.
        Checkpoint cp = Checkpoint.parse(SignedNote.parse(p.get("checkpoint").asText()).text());
        ObjectNode foreign = p.deepCopy();
        foreign.put("checkpoint", SigningKey.generate("someone-else").sign(cp.text()));
        Files.writeString(
            proofFile.resolveSibling("foreign.json"), JSON.writeValueAsString(foreign));
        Process unknown =
            cli(
                proofFile.getParent(),
                "verify",
                "proof",
                "foreign.json",
                "--keys",
                "evidence.pub",
                "--json");
        assertThat(unknown.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String verdict = out(unknown);
        assertThat(unknown.exitValue()).as(verdict).isEqualTo(2);
        JsonNode v = JSON.readTree(verdict.substring(verdict.indexOf('{')));
        assertThat(v.get("outcome").asText()).isEqualTo("unverifiable");
        assertThat(v.get("message").asText()).contains("unknown key").contains("someone-else");
        assertThat(keysCopy).exists();
      }

      // Two checkpoints of one log: the consistency proof from the API, checked offline.
      JsonNode logs = get(auditor, "/api/v1/evidence/logs?tenant=acme");
      JsonNode log = logs.get("logs").get(0);
      long to = log.get("size").asLong();
      long from = Math.max(1, to / 3);
      HttpResponse<String> cons =
          request(
              auditor,
              "/api/v1/evidence/consistency?tenant=acme&partition="
                  + log.get("partition").asInt()
                  + "&from_size="
                  + from
                  + "&to_size="
                  + to);
      assertThat(cons.statusCode()).as(cons.body()).isEqualTo(200);
      Path cdir = Files.createDirectories(dir.resolve("consistency"));
      Files.writeString(cdir.resolve("latest.json"), log.toString());
      Files.writeString(cdir.resolve("proof.json"), cons.body());
      // The older checkpoint is one the log kept at that size, if any; else the newest before.
      String older = JSON.readTree(cons.body()).path("from_checkpoint").asText(null);
      if (older != null) {
        Files.writeString(cdir.resolve("old.note"), older);
        Process c =
            cli(
                cdir,
                "verify",
                "consistency",
                "old.note",
                "latest.json",
                "--proof",
                "proof.json",
                "--keys",
                pub.toString());
        assertThat(c.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(c.exitValue()).as(out(c)).isZero();
      }

      // Auditors of the record's tenant only; analysts see keys, not proofs.
      String acmeId =
          get(analyst, "/api/v1/decisions?tenant=acme&from=now-3d&limit=1")
              .get("events")
              .get(0)
              .get("event_id")
              .asText();
      assertThat(request(analyst, "/api/v1/evidence/proof/" + acmeId).statusCode()).isEqualTo(403);
      assertThat(request(globexAuditor, "/api/v1/evidence/proof/" + acmeId).statusCode())
          .isEqualTo(404);
      assertThat(request(globexAuditor, "/api/v1/evidence/logs?tenant=acme").statusCode())
          .isEqualTo(403);
      assertThat(request(analyst, "/api/v1/evidence/keys").statusCode()).isEqualTo(200);
      assertThat(request(null, "/api/v1/evidence/keys").statusCode()).isEqualTo(401);
      // Hostile parameters: named, never a 500.
      for (String q :
          List.of(
              "partition=-1&from_size=1&to_size=2",
              "partition=0&from_size=0&to_size=2",
              "partition=0&from_size=5&to_size=2",
              "partition=0&from_size=1&to_size=99999999999999999999",
              "partition=0&from_size=1",
              "partition=0&from_size=1&to_size=" + (to + 1))) {
        HttpResponse<String> r = request(auditor, "/api/v1/evidence/consistency?tenant=acme&" + q);
        assertThat(r.statusCode()).as(q + " " + r.body()).isIn(400, 404);
        assertThat(r.body()).containsAnyOf("partition", "from_size", "to_size");
      }
      assertThat(request(auditor, "/api/v1/evidence/proof/%3Cscript%3E").statusCode())
          .isEqualTo(400);

      bundles(auditorKeys);
    }
  }

  /**
   * Evidence bundles: a filtered and a range bundle of each tenant verify in a separate JVM given
   * only the bundle and the public keys; one byte changed is exit 1 naming the record, one record
   * dropped from a range is exit 1 (incomplete); a tenant's bundle holds nothing of the other's.
   */
  private void bundles(Path auditorKeys) throws Exception {
    for (String tenant : List.of("acme", "globex")) {
      Path d = Files.createDirectories(dir.resolve("bundles-" + tenant));
      long denies =
          get(
                  auditor,
                  "/api/v1/decisions?tenant=" + tenant + "&from=now-3d&limit=1&q=decision:deny")
              .get("total")
              .asLong();
      Path filtered =
          download(
              "/api/v1/evidence/export?tenant=" + tenant + "&from=now-3d&q=decision:deny",
              d.resolve("filtered.zip"));
      Path range =
          download(
              "/api/v1/evidence/export?tenant=" + tenant + "&kind=range&from=now-3d",
              d.resolve("range.zip"));
      Files.copy(auditorKeys, d.resolve("keys.pub"));

      String said = verify(d, 0, "filtered.zip", "--keys", "keys.pub");
      assertThat(said).contains("records verified against checkpoint " + tenant + "/");
      assertThat(said).contains(denies + " records of tenant " + tenant + " in a filtered bundle");
      said = verify(d, 0, "range.zip", "--keys", "keys.pub");
      assertThat(said.split("range complete: leaves 0\\.\\.")).hasSize(4); // each of the 3 logs
      assertThat(said)
          .contains((EVENTS / 2) + " records of tenant " + tenant + " in a range bundle");
      if (tenant.equals("acme")) {
        String machine = verify(d, 0, "range.zip", "--keys", "keys.pub", "--json");
        JsonNode v = JSON.readTree(machine.substring(machine.indexOf('{')));
        assertThat(v.get("records").asLong()).isEqualTo(EVENTS / 2);
        assertThat(v.get("kind").asText()).isEqualTo("range");
      }

      // Nothing of the other tenant: not its name, and no size or leaf beyond this tenant's own
      // logs (Kafka offsets, which count every tenant's records, are not in a bundle).
      String other = tenant.equals("acme") ? "globex" : "acme";
      Map<String, String> files = unzip(range);
      files.forEach(
          (name, text) -> {
            if (!name.equals("proofs.ndjson") && !name.equals("range.json")) { // base64 hashes
              assertThat(text).as(name).doesNotContain(other);
            }
          });
      for (String name : List.of("manifest.json", "checkpoints.ndjson")) {
        assertThat(files.get(name)).as(name).doesNotContain("offset");
      }
      for (String line : files.get("proofs.ndjson").split("\n")) {
        JsonNode p = JSON.readTree(line);
        List<String> fields = new ArrayList<>();
        p.fieldNames().forEachRemaining(fields::add);
        assertThat(fields)
            .isSubsetOf("partition", "leaf_index", "provenance", "inclusion", "stored");
        assertThat(p.get("provenance").toString()).doesNotContain(other);
      }
      long sizes = 0;
      for (String line : files.get("checkpoints.ndjson").split("\n")) {
        sizes += JSON.readTree(line).get("size").asLong();
      }
      assertThat(sizes).isEqualTo(EVENTS / 2);

      if (tenant.equals("globex")) {
        continue;
      }
      // Between two checkpoints of one log.
      JsonNode log = get(auditor, "/api/v1/evidence/logs?tenant=acme").get("logs").get(1);
      long to = log.get("latest").get("size").asLong();
      download(
          "/api/v1/evidence/export?tenant=acme&kind=range&partition="
              + log.get("partition").asInt()
              + "&from_size=0&to_size="
              + to,
          d.resolve("between.zip"));
      assertThat(verify(d, 0, "between.zip", "--keys", "keys.pub"))
          .contains("range complete: leaves 0.." + (to - 1));

      // One byte of one record changed: exit 1 naming it.
      Map<String, String> f = unzip(filtered);
      String[] lines = f.get("records.ndjson").split("\n");
      String victim = JSON.readTree(lines[lines.length / 2]).get("event_id").asText();
      String changed =
          lines[lines.length / 2].replace("\"decision\":\"deny\"", "\"decision\":\"Deny\"");
      assertThat(changed).isNotEqualTo(lines[lines.length / 2]);
      lines[lines.length / 2] = changed;
      f.put("records.ndjson", String.join("\n", lines) + "\n");
      zip(f, d.resolve("flipped.zip"));
      assertThat(verify(d, 1, "flipped.zip", "--keys", "keys.pub"))
          .contains("record " + victim + " (line " + (lines.length / 2 + 1) + ") was altered");

      // One record dropped from a range: exit 1, incomplete.
      Map<String, String> r = unzip(range);
      r.put("records.ndjson", drop(r.get("records.ndjson"), 1000));
      r.put("proofs.ndjson", drop(r.get("proofs.ndjson"), 1000));
      zip(r, d.resolve("dropped.zip"));
      assertThat(verify(d, 1, "dropped.zip", "--keys", "keys.pub")).contains("range incomplete");

      // A stranger's keys: exit 2.
      Files.writeString(
          d.resolve("stranger.pub"), KeySet.line(SigningKey.generate("stranger").verifier()));
      assertThat(verify(d, 2, "range.zip", "--keys", "stranger.pub")).contains("unknown key");
    }

    // Who may ask, and hostile parameters: named, never a 500.
    assertThat(request(analyst, "/api/v1/evidence/export?tenant=acme").statusCode()).isEqualTo(403);
    assertThat(request(globexAuditor, "/api/v1/evidence/export?tenant=acme").statusCode())
        .isEqualTo(403);
    assertThat(request(null, "/api/v1/evidence/export?tenant=acme").statusCode()).isEqualTo(401);
    for (String q :
        List.of(
            "",
            "tenant=acme&kind=bogus",
            "tenant=acme&kind=range&q=decision:deny",
            "tenant=acme&kind=range&partition=0&from_size=9&to_size=3",
            "tenant=acme&kind=range&partition=0&from_size=1&to_size=3",
            "tenant=acme&kind=range&partition=x&to_size=3",
            "tenant=acme&q=decision:(",
            "tenant=acme&from=2999-01-01T00:00:00Z",
            "tenant=acme&alert=%3Cscript%3E",
            "tenant=acme&alert=",
            "tenant=acme&alert=no-such-alert",
            "tenant=acme&alert=al-1&kind=range",
            "tenant=acme&alert=al-1&q=decision:deny")) {
      HttpResponse<String> r = request(auditor, "/api/v1/evidence/export?" + q);
      assertThat(r.statusCode()).as(q + " " + r.body()).isIn(400, 404);
      assertThat(r.headers().firstValue("Content-Type").orElse("")).contains("problem+json");
    }
  }

  private Path download(String path, Path to) throws Exception {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + path))
            .header("Authorization", "Bearer " + auditor)
            .build();
    HttpResponse<Path> r = http.send(req, HttpResponse.BodyHandlers.ofFile(to));
    if (r.statusCode() != 200) {
      throw new AssertionError(path + " answered " + r.statusCode() + ": " + Files.readString(to));
    }
    assertThat(r.headers().firstValue("Content-Type").orElse("")).isEqualTo("application/zip");
    return to;
  }

  /**
   * {@code mcp-audit verify} in its own JVM in {@code cwd}; its exit status must be {@code exit}.
   */
  private static String verify(Path cwd, int exit, String... args) throws Exception {
    List<String> a = new ArrayList<>(List.of("verify"));
    a.addAll(List.of(args));
    Process p = cli(cwd, a.toArray(String[]::new));
    String said = out(p);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(said).isEqualTo(exit);
    System.out.println("mcp-audit " + String.join(" ", a) + " -> exit " + exit + "\n" + said);
    return said;
  }

  private static Map<String, String> unzip(Path zip) throws Exception {
    Map<String, String> files = new java.util.LinkedHashMap<>();
    try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(zip.toFile())) {
      for (var e = z.entries(); e.hasMoreElements(); ) {
        var entry = e.nextElement();
        files.put(
            entry.getName(),
            new String(z.getInputStream(entry).readAllBytes(), StandardCharsets.UTF_8));
      }
    }
    return files;
  }

  private static void zip(Map<String, String> files, Path to) throws Exception {
    try (var z = new java.util.zip.ZipOutputStream(Files.newOutputStream(to))) {
      for (Map.Entry<String, String> e : files.entrySet()) {
        z.putNextEntry(new java.util.zip.ZipEntry(e.getKey()));
        z.write(e.getValue().getBytes(StandardCharsets.UTF_8));
        z.closeEntry();
      }
    }
  }

  private static String drop(String text, int line) {
    List<String> lines = new ArrayList<>(List.of(text.split("\n")));
    lines.remove(line);
    return String.join("\n", lines) + "\n";
  }

  /** Sends the events through the collector, half to each tenant. */
  private static void send(int collectorPort, String source) throws Exception {
    SyntheticEvents gen = new SyntheticEvents(42, Instant.now().minus(Duration.ofDays(1)));
    try (BatchSender sender =
        new BatchSender(
            URI.create("http://127.0.0.1:" + collectorPort + "/v1/decisions"), source, 4, null)) {
      for (int b = 0; b < EVENTS / 1000; b++) {
        List<AuthzEvent> batch = new ArrayList<>(1000);
        for (int i = 0; i < 1000; i++) {
          AuthzEvent e = gen.next();
          batch.add(e.toBuilder().tenant(i % 2 == 0 ? "acme" : "globex").build());
        }
        sender.submit(
            batch.size(),
            () -> {
              ByteArrayOutputStream body = new ByteArrayOutputStream(1000 * 800);
              for (AuthzEvent e : batch) {
                body.writeBytes(EventCodec.encode(e));
                body.write('\n');
              }
              return body.toByteArray();
            });
      }
      sender.close(Duration.ofMinutes(2));
      assertThat(sender.counts().accepted())
          .as(String.valueOf(sender.lastError()))
          .isEqualTo(EVENTS);
    }
  }

  /** {@code mcp-audit} in a JVM of its own, in {@code cwd}. */
  private static Process cli(Path cwd, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-jar");
    cmd.add(Path.of("target", "mcp-audit.jar").toAbsolutePath().toString());
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
  }

  private static String out(Process p) throws Exception {
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }

  private JsonNode get(String token, String path) throws Exception {
    HttpResponse<String> r = request(token, path);
    assertThat(r.statusCode()).as(path + " " + r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private HttpResponse<String> request(String token, String path) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + path));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void token(
      Map<String, String> s, String who, String token, String role, String tenants) {
    s.put("api.token." + who, TokenDigest.of(token));
    s.put("api.token." + who + ".role", role);
    s.put("api.token." + who + ".tenants", tenants);
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
