package dev.mcpaudit.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.index.StoredEvents;
import dev.mcpaudit.index.evidence.Committed;
import dev.mcpaudit.index.evidence.LogFiles;
import dev.mcpaudit.index.evidence.LogId;
import dev.mcpaudit.schema.evidence.Checkpoint;
import dev.mcpaudit.schema.evidence.CompactRange;
import dev.mcpaudit.schema.evidence.EvidenceCheck;
import dev.mcpaudit.schema.evidence.LeafForm;
import dev.mcpaudit.schema.evidence.SignedNote;
import dev.mcpaudit.schema.evidence.SigningKey;
import dev.mcpaudit.schema.evidence.TreeProofs;
import dev.mcpaudit.schema.evidence.Verdict;
import dev.mcpaudit.testkit.TopicReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.Bits;

/**
 * What the evidence log must show after an indexer was killed mid-stream: the committed logs are
 * the trees of the stored records in Kafka order per tenant and partition, leaf for leaf; every
 * checkpoint ever published has that tree's root at its size, and is consistent with its log's
 * latest checkpoint (checked by the verifier's own code, {@code EvidenceCheck}; one pair also by
 * {@code mcp-audit verify consistency} in a JVM of its own).
 */
final class CrashEvidence {
  private CrashEvidence() {}

  /** The indexer's arguments that turn the evidence log on, for the crash ITs' processes. */
  /**
   * {@code mcp-audit.jar indexer} in a process of its own (what SIGKILL stops), with the evidence
   * log on, its output in {@code <data>/indexer-<run>.log}; {@code extra} are more settings.
   */
  static Process startIndexer(
      Path data, String bootstrap, String topic, String group, int run, List<String> extra)
      throws java.io.IOException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "--add-modules",
                "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED",
                "-jar",
                "target/mcp-audit.jar",
                "indexer"));
    List<String> settings =
        new ArrayList<>(
            List.of(
                "indexer.data-dir=" + data,
                "kafka.bootstrap-servers=" + bootstrap,
                "topics.decisions=" + topic,
                "topics.dead-letter=" + topic + ".dlq",
                "topics.alerts=" + topic + ".alerts",
                "indexer.group-id=" + group,
                "indexer.port=0",
                "indexer.commit-interval=1s"));
    settings.addAll(extra);
    for (String s : settings) {
      cmd.add("--set");
      cmd.add(s);
    }
    cmd.addAll(indexerSettings(topic, data.resolve("evidence.key")));
    return new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(data.resolve("indexer-" + run + ".log").toFile())
        .start();
  }

  static List<String> indexerSettings(String topic, Path keyFile) {
    return List.of(
        "--set",
        "topics.checkpoints=" + topic + ".checkpoints",
        "--set",
        "evidence.enabled=true",
        "--set",
        "evidence.signing-key=" + keyFile,
        "--set",
        "evidence.checkpoint-every=20000",
        "--set",
        "evidence.checkpoint-interval=1s");
  }

  /** A stored record's place and leaf hash. */
  private record Row(long offset, long leaf, byte[] hash) {}

  /** Checks everything; returns how many checkpoint pairs were found consistent. */
  static int checkAll(Path index, String bootstrap, String topic, SigningKey key, Path work)
      throws Exception {
    Map<LogId, List<Row>> byLog = new TreeMap<>();
    Map<LogId, Committed> committed;
    try (Directory dir = FSDirectory.open(index);
        DirectoryReader reader = DirectoryReader.open(dir)) {
      committed = Committed.read(reader.getIndexCommit().getUserData().entrySet());
      for (LeafReaderContext leaf : reader.leaves()) {
        Bits live = leaf.reader().getLiveDocs();
        org.apache.lucene.index.SortedDocValues tenants =
            leaf.reader().getSortedDocValues(IndexSchema.TENANT);
        // One reader of stored fields per segment, in doc order: each compressed block once.
        org.apache.lucene.index.StoredFields stored = leaf.reader().storedFields();
        for (int doc = 0; doc < leaf.reader().maxDoc(); doc++) {
          if (live == null || live.get(doc)) {
            Document d = stored.document(doc);
            assertThat(tenants.advanceExact(doc)).isTrue();
            String tenant = tenants.lookupOrd(tenants.ordValue()).utf8ToString();
            byLog
                .computeIfAbsent(
                    new LogId(
                        tenant, d.getField(IndexSchema.KAFKA_PARTITION).numericValue().intValue()),
                    k -> new ArrayList<>())
                .add(
                    new Row(
                        d.getField(IndexSchema.KAFKA_OFFSET).numericValue().longValue(),
                        d.getField(IndexSchema.EVIDENCE_LEAF).numericValue().longValue(),
                        LeafForm.hash(
                            StoredEvents.bytes(d),
                            d.get(IndexSchema.PROVENANCE),
                            d.get(IndexSchema.PROVENANCE_BY))));
          }
        }
      }
    }
    assertThat(committed.keySet()).isEqualTo(byLog.keySet());
    Map<String, List<String>> published = published(bootstrap, topic, byLog.size());

    // The reference: each log's tree rebuilt from its stored records in Kafka order, its root
    // taken at every size a checkpoint was published for.
    Map<LogId, Map<Long, byte[]>> roots = new TreeMap<>();
    for (Map.Entry<LogId, List<Row>> e : byLog.entrySet()) {
      e.getValue().sort(Comparator.comparingLong(Row::offset));
      java.util.Set<Long> sizes = new java.util.HashSet<>();
      for (String n : published.getOrDefault(e.getKey().origin("mcp-audit"), List.of())) {
        sizes.add(Checkpoint.parse(SignedNote.parse(n).text()).size());
      }
      CompactRange tree = new CompactRange();
      List<CompactRange.Node> done = new ArrayList<>();
      Map<Long, byte[]> at = new HashMap<>();
      for (Row r : e.getValue()) {
        assertThat(r.leaf())
            .as("leaf of %s offset %s", e.getKey(), r.offset())
            .isEqualTo(tree.size());
        done.clear();
        tree.append(r.hash(), done);
        if (sizes.contains(tree.size())) {
          at.put(tree.size(), tree.root());
        }
      }
      assertThat(committed.get(e.getKey()).size()).isEqualTo(tree.size());
      roots.put(e.getKey(), at);
    }

    int pairs = 0;
    boolean cliChecked = false;
    for (Map.Entry<LogId, Map<Long, byte[]>> log : roots.entrySet()) {
      List<String> notes = published.get(log.getKey().origin("mcp-audit"));
      assertThat(notes).as("checkpoints of %s", log.getKey()).isNotNull();
      String latest = notes.getLast();
      Checkpoint last = Checkpoint.parse(SignedNote.parse(latest).text());
      TreeProofs disk =
          new TreeProofs(
              LogFiles.reader(log.getKey().dir(index), committed.get(log.getKey()).size()));
      ObjectNode firstProof = null;
      String firstNote = null;
      for (String note : notes) {
        Checkpoint cp = Checkpoint.parse(SignedNote.parse(note).text());
        assertThat(cp.root())
            .as("%s at %s: the root of the stored records", cp.origin(), cp.size())
            .isEqualTo(log.getValue().get(cp.size()));
        ObjectNode proof = consistencyAnswer(disk, cp.size(), last.size());
        Verdict v = EvidenceCheck.consistency(note, latest, proof, List.of(key.verifier()));
        assertThat(v.exit()).as(v.message()).isZero();
        if (firstProof == null && cp.size() < last.size()) {
          firstProof = proof;
          firstNote = note;
        }
        pairs++;
      }
      if (firstProof != null && !cliChecked) {
        cliChecked = true;
        Path dir =
            Files.createDirectories(
                work.resolve("verify-" + log.getKey().partition() + "-" + pairs));
        Files.writeString(dir.resolve("old.note"), firstNote);
        Files.writeString(dir.resolve("new.note"), latest);
        Files.writeString(dir.resolve("proof.json"), firstProof.toString());
        Files.writeString(dir.resolve("keys.pub"), key.verifier().text() + "\n");
        Process p =
            new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-jar",
                    Path.of("target", "mcp-audit.jar").toAbsolutePath().toString(),
                    "verify",
                    "consistency",
                    "old.note",
                    "new.note",
                    "--proof",
                    "proof.json",
                    "--keys",
                    "keys.pub")
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("consistent");
      }
    }
    assertThat(cliChecked).isTrue();
    return pairs;
  }

  /**
   * The same on a cluster: every record in its log once, in offset order; every published
   * checkpoint consistent with its log's latest, by proofs the API's reader builds from the
   * cluster; and proofs of sampled records, answered by a real API over the cluster, verify.
   *
   * @return how many checkpoint pairs were found consistent
   */
  static int checkCluster(
      dev.mcpaudit.opensearch.Cluster cluster,
      String bootstrap,
      String topic,
      SigningKey key,
      dev.mcpaudit.opensearch.OpenSearchSettings os,
      List<dev.mcpaudit.schema.event.AuthzEvent> records,
      Path work)
      throws Exception {
    var names = cluster.names();
    cluster.call("POST", "/" + names.decisionsPattern() + "/_refresh", null);
    cluster.call("POST", "/" + names.evidenceIndex() + "/_refresh", null);
    Map<LogId, List<long[]>> leaves = new TreeMap<>();
    com.fasterxml.jackson.databind.JsonNode after = null;
    while (true) {
      ObjectNode body = new ObjectMapper().createObjectNode();
      body.put("size", 10_000);
      body.putArray("_source").add("kafka").add("evidence").add(IndexSchema.TENANT);
      var sort = body.putArray("sort");
      sort.addObject().put(IndexSchema.EVENT_ID, "asc");
      sort.addObject().put(IndexSchema.TENANT, "asc");
      if (after != null) {
        body.set("search_after", after);
      }
      var hits =
          cluster
              .call("POST", "/" + names.decisionsPattern() + "/_search", body)
              .path("hits")
              .path("hits");
      if (hits.isEmpty()) {
        break;
      }
      for (var h : hits) {
        var src = h.path("_source");
        var leaf =
            src.has("evidence.leaf") ? src.get("evidence.leaf") : src.path("evidence").path("leaf");
        assertThat(leaf.isNumber()).as("record %s has a leaf", h.path("_id").asText()).isTrue();
        leaves
            .computeIfAbsent(
                new LogId(
                    src.path(IndexSchema.TENANT).asText(),
                    dotted(src, "kafka.partition").asInt(-1)),
                k -> new ArrayList<>())
            .add(new long[] {dotted(src, "kafka.offset").asLong(-1), leaf.asLong()});
        after = h.path("sort");
      }
    }
    var reader = new dev.mcpaudit.queryapi.store.cluster.ClusterEvidence(cluster);
    long total = 0;
    for (Map.Entry<LogId, List<long[]>> log : leaves.entrySet()) {
      log.getValue().sort(Comparator.comparingLong(o -> o[0]));
      for (int i = 0; i < log.getValue().size(); i++) {
        assertThat(log.getValue().get(i)[1])
            .as("leaf of %s offset %s", log.getKey(), log.getValue().get(i)[0])
            .isEqualTo(i);
      }
      assertThat(reader.size(log.getKey()))
          .as("size of %s", log.getKey())
          .isEqualTo(log.getValue().size());
      total += log.getValue().size();
    }
    assertThat(total).isEqualTo(records.size());

    Map<String, List<String>> published = published(bootstrap, topic, leaves.size());
    int pairs = 0;
    for (LogId log : leaves.keySet()) {
      List<String> notes = published.get(log.origin("mcp-audit"));
      assertThat(notes).as("checkpoints of %s", log).isNotNull();
      String latest = notes.getLast();
      Checkpoint last = Checkpoint.parse(SignedNote.parse(latest).text());
      // A proof from the cluster reads its tiles one request each: the first checkpoint (from
      // before the kills), one in the middle and the last are checked, not all.
      for (int n = 0; n < notes.size(); n++) {
        if (n != 0 && n != notes.size() / 2 && n != notes.size() - 1) {
          continue;
        }
        String note = notes.get(n);
        Checkpoint cp = Checkpoint.parse(SignedNote.parse(note).text());
        ObjectNode a = new ObjectMapper().createObjectNode();
        a.put("format", EvidenceCheck.CONSISTENCY_FORMAT)
            .put("from_size", cp.size())
            .put("to_size", last.size());
        var proof = a.putArray("proof");
        if (cp.size() < last.size()) {
          reader
              .consistency(log, cp.size(), last.size())
              .forEach(h -> proof.add(Base64.getEncoder().encodeToString(h)));
        }
        Verdict v = EvidenceCheck.consistency(note, latest, a, List.of(key.verifier()));
        assertThat(v.exit()).as(v.message()).isZero();
        pairs++;
      }
    }

    // Proofs of sampled records from a real API over the cluster, checked offline.
    Path keys = Files.writeString(work.resolve("cluster-keys.pub"), key.verifier().text() + "\n");
    String token = dev.mcpaudit.runtime.auth.TokenDigest.newToken();
    Map<String, String> s = new java.util.HashMap<>();
    s.put("index.backend", "opensearch");
    s.put(
        "opensearch.hosts",
        String.join(",", os.hosts().stream().map(java.net.URI::toString).toList()));
    s.put("opensearch.index-prefix", os.indexPrefix());
    s.put("api.port", "0");
    s.put("api.audit", "false");
    s.put("api.evidence-keys", keys.toString());
    SigningKey bundleKey = SigningKey.generate("mcp-audit-crash-bundles");
    s.put(
        "api.bundle-signing-key",
        Files.writeString(work.resolve("bundles.key"), bundleKey.text()).toString());
    s.put("api.token.ada", dev.mcpaudit.runtime.auth.TokenDigest.of(token));
    s.put("api.token.ada.role", "auditor");
    s.put("api.token.ada.tenants", "*");
    s.put("kafka.bootstrap-servers", bootstrap);
    int verified = 0;
    try (var api =
        dev.mcpaudit.queryapi.ApiServer.start(
            dev.mcpaudit.queryapi.ApiConfig.from(dev.mcpaudit.runtime.config.Settings.of(s)))) {
      var http = java.net.http.HttpClient.newHttpClient();
      java.util.SplittableRandom random = new java.util.SplittableRandom(5);
      for (int i = 0; i < 16; i++) {
        var e = records.get(random.nextInt(records.size()));
        var r =
            get(
                http,
                api.port(),
                token,
                "/api/v1/evidence/proof/" + e.eventId() + "?tenant=" + encoded(e.tenant()),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 409) {
          continue; // after the last checkpoint: nothing covers it yet
        }
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        Verdict v =
            EvidenceCheck.proof(
                new ObjectMapper().readTree(r.body()),
                dev.mcpaudit.schema.evidence.KeySet.parse(Files.readString(keys)));
        assertThat(v.exit()).as(v.message()).isZero();
        verified++;
      }
      // A range bundle from the cluster between two checkpoints of one log (the closest pair, so
      // the test reads few tiles): complete by the verifier's own fold, both roots checked.
      LogId log = null;
      long from = 0;
      long to = 0;
      for (LogId l : leaves.keySet()) {
        List<Long> sizes =
            reader.checkpoints(l).stream().map(k -> k.checkpoint().size()).distinct().toList();
        for (int i = 0; i + 1 < sizes.size(); i++) {
          if (log == null || sizes.get(i + 1) - sizes.get(i) < to - from) {
            log = l;
            from = sizes.get(i);
            to = sizes.get(i + 1);
          }
        }
      }
      assertThat(log).as("a log with two checkpoints").isNotNull();
      Path bundle = work.resolve("cluster-range.zip");
      var r =
          get(
              http,
              api.port(),
              token,
              "/api/v1/evidence/export?kind=range&partition="
                  + log.partition()
                  + "&from_size="
                  + from
                  + "&to_size="
                  + to
                  + "&tenant="
                  + encoded(log.tenant()),
              java.net.http.HttpResponse.BodyHandlers.ofFile(bundle));
      assertThat(r.statusCode())
          .as(() -> Files.exists(bundle) ? readQuietly(bundle) : "")
          .isEqualTo(200);
      List<dev.mcpaudit.schema.evidence.VerifierKey> all =
          List.of(key.verifier(), bundleKey.verifier());
      var report = dev.mcpaudit.schema.evidence.BundleCheck.check(bundle, all);
      assertThat(report.verdict().exit()).as(report.verdict().message()).isZero();
      assertThat(report.records()).isEqualTo(to - from);
      assertThat(report.lines())
          .contains(
              "range complete: leaves "
                  + from
                  + ".."
                  + (to - 1)
                  + " of "
                  + log.origin("mcp-audit")
                  + ", between the checkpoints of "
                  + from
                  + " and "
                  + to
                  + ": every record the log holds there");
    }
    assertThat(verified).isGreaterThan(8);
    return pairs;
  }

  private static <T> java.net.http.HttpResponse<T> get(
      java.net.http.HttpClient http,
      int port,
      String token,
      String path,
      java.net.http.HttpResponse.BodyHandler<T> body)
      throws Exception {
    return http.send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + path))
            .header("Authorization", "Bearer " + token)
            .build(),
        body);
  }

  private static String encoded(String s) {
    return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String readQuietly(Path file) {
    try {
      return Files.readString(file);
    } catch (java.io.IOException | java.io.UncheckedIOException e) {
      return "(not text)";
    }
  }

  /** Every checkpoint on the topic, by the origin of its log, sorted by size. */
  private static Map<String, List<String>> published(String bootstrap, String topic, int atLeast) {
    Map<String, List<String>> published = new TreeMap<>();
    for (ConsumerRecord<String, byte[]> r :
        TopicReader.readAll(bootstrap, topic, atLeast, Duration.ofSeconds(30))) {
      String note = new String(r.value(), StandardCharsets.UTF_8);
      published
          .computeIfAbsent(
              Checkpoint.parse(SignedNote.parse(note).text()).origin(), o -> new ArrayList<>())
          .add(note);
    }
    published
        .values()
        .forEach(
            notes ->
                notes.sort(
                    Comparator.comparingLong(
                        n -> Checkpoint.parse(SignedNote.parse(n).text()).size())));
    return published;
  }

  /** A value of a cluster document by its dotted name, as written, or by its object path. */
  private static com.fasterxml.jackson.databind.JsonNode dotted(
      com.fasterxml.jackson.databind.JsonNode source, String path) {
    if (source.has(path)) {
      return source.get(path);
    }
    com.fasterxml.jackson.databind.JsonNode at = source;
    for (String part : path.split("\\.")) {
      at = at.path(part);
    }
    return at;
  }

  private static ObjectNode consistencyAnswer(TreeProofs disk, long from, long to) {
    ObjectNode a = new ObjectMapper().createObjectNode();
    a.put("format", EvidenceCheck.CONSISTENCY_FORMAT).put("from_size", from).put("to_size", to);
    var proof = a.putArray("proof");
    if (from < to) {
      disk.consistency(from, to).forEach(h -> proof.add(Base64.getEncoder().encodeToString(h)));
    }
    return a;
  }
}
