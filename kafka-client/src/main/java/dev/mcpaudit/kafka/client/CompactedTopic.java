package dev.mcpaudit.kafka.client;

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
 * A topic whose every record must stay: compacted (each record has its own key, so compaction only
 * folds repeats of one record) and one partition (one order). Made by the role that writes it when
 * it is missing; an existing one that is not compacted is reported, since its records would expire.
 */
public final class CompactedTopic {
  private static final Logger log = LoggerFactory.getLogger(CompactedTopic.class);

  private CompactedTopic() {}

  /**
   * @param role who asks, for the admin client's id and the log lines
   * @param what what the topic holds, for the messages ("alert changes")
   * @throws IllegalStateException when the topic can be neither checked nor made
   */
  public static void ensure(
      KafkaClients kafka, String role, String topic, short replication, String what) {
    try (Admin admin = Admin.create(kafka.admin("mcp-audit-" + role + "-topic-" + topic))) {
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
          log.info("{} created topic={} compacted partitions=1", role, topic);
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
            "topic={} has cleanup.policy={}: {} expire with it; set it to compact",
            topic,
            policy,
            what);
      }
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException(
          "cannot check or create the topic of "
              + what
              + " "
              + topic
              + ": "
              + kafka.scrub(e.toString()),
          e);
    }
  }
}
