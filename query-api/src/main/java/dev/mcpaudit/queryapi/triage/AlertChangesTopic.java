package dev.mcpaudit.queryapi.triage;

import dev.mcpaudit.kafka.client.KafkaClients;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alert-changes topic (docs/alerts.md, "The topic"): compacted, so no retention ever drops a
 * change (every change has its own key; compaction only folds repeats of one change), and one
 * partition, so the whole history is in one order. Created by the API if missing; an existing topic
 * that is not compacted is reported, since its changes would expire.
 */
final class AlertChangesTopic {
  private static final Logger log = LoggerFactory.getLogger(AlertChangesTopic.class);

  private AlertChangesTopic() {}

  static void ensure(KafkaClients kafka, String topic, short replication) {
    try (Admin admin = Admin.create(kafka.admin("mcp-audit-api-alert-changes-topic"))) {
      if (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic)) {
        try {
          admin
              .createTopics(
                  List.of(
                      new NewTopic(topic, 1, replication)
                          .configs(
                              Map.of(
                                  TopicConfig.CLEANUP_POLICY_CONFIG,
                                  TopicConfig.CLEANUP_POLICY_COMPACT,
                                  TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG,
                                  replication > 1 ? "2" : "1"))))
              .all()
              .get(30, TimeUnit.SECONDS);
          log.info("api created topic={} compacted partitions=1", topic);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
        return;
      }
      ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
      Config c = admin.describeConfigs(List.of(r)).all().get(30, TimeUnit.SECONDS).get(r);
      String policy = c.get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
      if (!policy.contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
        log.warn(
            "topic={} has cleanup.policy={}: alert changes expire with it; set it to compact",
            topic,
            policy);
      }
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException(
          "cannot check or create the alert-changes topic "
              + topic
              + ": "
              + kafka.scrub(e.toString()),
          e);
    }
  }
}
