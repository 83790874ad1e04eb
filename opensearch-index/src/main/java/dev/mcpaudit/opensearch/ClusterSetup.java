package dev.mcpaudit.opensearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.index.StoredCompression;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a writer installs on the cluster before its first document, idempotently (every indexer does
 * it at start, in any order): the decisions and alerts index templates and, where the cluster has
 * the Index State Management plugin, the policy that force-merges a day's index once its day is
 * over and deletes it after the retention. Without the plugin the indexers do both themselves
 * (docs/opensearch.md).
 */
public final class ClusterSetup {
  private static final Logger log = LoggerFactory.getLogger(ClusterSetup.class);
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  static final String ISM_PLUGIN = "opensearch-index-management";

  private ClusterSetup() {}

  /** What the cluster manages itself after {@link #install}. */
  public record Installed(boolean ism) {}

  public static Installed install(
      Cluster cluster, StoredCompression compression, Duration retention) {
    IndexNames names = cluster.names();
    OpenSearchSettings s = cluster.settings();
    cluster.call(
        "PUT",
        "/_index_template/" + names.decisionsTemplate(),
        DecisionMapping.decisionsTemplate(names, s, compression));
    cluster.call(
        "PUT",
        "/_index_template/" + names.alertsTemplate(),
        DecisionMapping.alertsTemplate(names, s));
    // Alert indices made before the workflow fields existed take them too (adding fields is the
    // one mapping change an existing index allows).
    com.fasterxml.jackson.databind.node.ObjectNode mapping =
        com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    mapping.set("properties", DecisionMapping.alertStateFields());
    cluster.call(
        "PUT",
        "/" + names.alertsPattern() + "/_mapping?ignore_unavailable=true&allow_no_indices=true",
        mapping);
    // Decision indices made before the evidence log existed take its field too.
    com.fasterxml.jackson.databind.node.ObjectNode evidence =
        com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    evidence.set("properties", DecisionMapping.decisionEvidenceFields());
    cluster.call(
        "PUT",
        "/" + names.decisionsPattern() + "/_mapping?ignore_unavailable=true&allow_no_indices=true",
        evidence);
    // Not waiting for its shard: a node still starting takes the index now and allocates it soon;
    // writes wait for it like for any other shard.
    Cluster.Reply made =
        cluster.send(
            "PUT",
            "/" + names.evidenceIndex() + "?wait_for_active_shards=0",
            DecisionMapping.evidenceIndex(s));
    if (!made.ok() && !made.error().contains("resource_already_exists_exception")) {
      throw new ClusterException("PUT /" + names.evidenceIndex() + " failed: " + made.error());
    }
    boolean ism = hasIsm(cluster);
    if (ism) {
      installPolicy(cluster, policy(names, s.forceMergeAfter(), retention));
    }
    log.info(
        "opensearch templates installed decisions={} alerts={} ism={}",
        names.decisionsPattern(),
        names.alertsPattern(),
        ism ? "policy " + names.policy() : "not installed: the indexers merge and delete");
    return new Installed(ism);
  }

  static boolean hasIsm(Cluster cluster) {
    for (JsonNode p : cluster.call("GET", "/_cat/plugins?format=json", null)) {
      if (ISM_PLUGIN.equals(p.path("component").asText())) {
        return true;
      }
    }
    return false;
  }

  /**
   * The ISM policy: {@code hot} until the index is {@code forceMergeAfter} old, then merged to one
   * segment, then deleted at {@code retention} (never, when it is zero). Its template attaches it
   * to every new daily index.
   */
  public static ObjectNode policy(IndexNames names, Duration forceMergeAfter, Duration retention) {
    ObjectNode policy = F.objectNode();
    ObjectNode p = policy.putObject("policy");
    p.put(
        "description",
        "mcp-audit decisions: force-merge after "
            + age(forceMergeAfter)
            + (retention.isZero() ? ", kept" : ", deleted after " + age(retention)));
    p.put("default_state", "hot");
    var states = p.putArray("states");
    ObjectNode hot = states.addObject().put("name", "hot");
    hot.putArray("actions");
    hot.putArray("transitions")
        .addObject()
        .put("state_name", "merged")
        .putObject("conditions")
        .put("min_index_age", age(forceMergeAfter));
    ObjectNode merged = states.addObject().put("name", "merged");
    merged.putArray("actions").addObject().putObject("force_merge").put("max_num_segments", 1);
    var out = merged.putArray("transitions");
    if (!retention.isZero()) {
      out.addObject()
          .put("state_name", "delete")
          .putObject("conditions")
          .put("min_index_age", age(retention));
      ObjectNode delete = states.addObject().put("name", "delete");
      delete.putArray("actions").addObject().putObject("delete");
      delete.putArray("transitions");
    }
    ObjectNode template = p.putArray("ism_template").addObject();
    template.putArray("index_patterns").add(names.decisionsPattern());
    template.put("priority", 100);
    return policy;
  }

  private static void installPolicy(Cluster cluster, ObjectNode policy) {
    String path = "/_plugins/_ism/policies/" + cluster.names().policy();
    for (int attempt = 0; attempt < 3; attempt++) {
      Cluster.Reply current = cluster.send("GET", path, (byte[]) null);
      if (current.status() == 404) {
        Cluster.Reply put = cluster.send("PUT", path, policy);
        if (put.ok()) {
          return;
        }
        if (put.status() != 409) {
          throw new ClusterException("PUT " + path + " failed: " + put.error());
        }
        continue; // another indexer installed it meanwhile: compare with theirs
      }
      if (!current.ok()) {
        throw new ClusterException("GET " + path + " failed: " + current.error());
      }
      JsonNode installed = current.json().path("policy");
      if (installed.path("states").equals(policy.path("policy").path("states"))
          && installed.path("description").equals(policy.path("policy").path("description"))) {
        return;
      }
      Cluster.Reply put =
          cluster.send(
              "PUT",
              path
                  + "?if_seq_no="
                  + current.json().path("_seq_no").asLong()
                  + "&if_primary_term="
                  + current.json().path("_primary_term").asLong(),
              policy);
      if (put.ok()) {
        return;
      }
      if (put.status() != 409) {
        throw new ClusterException("PUT " + path + " failed: " + put.error());
      }
    }
    throw new ClusterException("the ISM policy " + path + " kept changing under this indexer");
  }

  /** A duration as ISM writes ages: whole days, hours or minutes. */
  static String age(Duration d) {
    if (d.toHours() % 24 == 0 && d.toDays() > 0) {
      return d.toDays() + "d";
    }
    if (d.toMinutes() % 60 == 0 && d.toHours() > 0) {
      return d.toHours() + "h";
    }
    return Math.max(1, d.toMinutes()) + "m";
  }
}
