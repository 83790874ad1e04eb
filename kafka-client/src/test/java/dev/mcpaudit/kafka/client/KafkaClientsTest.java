package dev.mcpaudit.kafka.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpaudit.kafka.client.KafkaClients.Passthrough;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KafkaClientsTest {
  private static final String JAAS =
      "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"indexer\""
          + " password=\"s3cret-indexer-pw\";";

  private static KafkaClients of(Passthrough... entries) {
    return KafkaClients.of("kafka-1:9093", List.of(entries), Set.of());
  }

  private static Passthrough common(String key, String value) {
    return new Passthrough("kafka.client." + key, key, value);
  }

  @Test
  void securityReachesEveryKindOfClient() {
    KafkaClients k =
        of(
            common("security.protocol", "SASL_SSL"),
            common("sasl.mechanism", "SCRAM-SHA-512"),
            common("sasl.jaas.config", JAAS),
            common("ssl.truststore.location", "/etc/kafka/ca.p12"));
    for (Map<String, Object> p :
        List.of(
            k.producer("p", Map.of()),
            k.consumer("c", Map.of()),
            k.admin("a"),
            k.streams("app", Map.of()))) {
      assertThat(p)
          .containsEntry("security.protocol", "SASL_SSL")
          .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
          .containsEntry("sasl.jaas.config", JAAS)
          .containsEntry("ssl.truststore.location", "/etc/kafka/ca.p12")
          .containsEntry("bootstrap.servers", "kafka-1:9093");
    }
  }

  @Test
  void correctnessSettingsAreSetByTheFactory() {
    KafkaClients k = KafkaClients.plain("127.0.0.1:9092");
    assertThat(k.producer("p", Map.of("linger.ms", 5)))
        .containsEntry("acks", "all")
        .containsEntry("enable.idempotence", true)
        .containsEntry("linger.ms", 5)
        .containsEntry("client.id", "p");
    assertThat(k.consumer("c", Map.of("group.id", "g")))
        .containsEntry("isolation.level", "read_committed")
        .containsEntry("enable.auto.commit", false)
        .containsEntry("group.id", "g");
    assertThat(k.streams("app", Map.of()))
        .containsEntry("processing.guarantee", "exactly_once_v2")
        .containsEntry("application.id", "app");
  }

  @Test
  void aPassthroughThatWeakensAGuaranteeIsRefusedNamingTheKey() {
    assertThatThrownBy(() -> of(common("enable.idempotence", "false")))
        .isInstanceOf(KafkaClientConfigException.class)
        .hasMessageStartingWith("kafka.client.enable.idempotence: must stay true");
    assertThatThrownBy(() -> of(common("acks", "0")))
        .hasMessageStartingWith("kafka.client.acks: must stay all");
    assertThatThrownBy(
            () ->
                of(
                    new Passthrough(
                        "indexer.kafka.client.isolation.level",
                        "isolation_level",
                        "read_uncommitted")))
        .hasMessageStartingWith("indexer.kafka.client.isolation.level: must stay read_committed");
    assertThatThrownBy(() -> of(common("enable.auto.commit", "true")))
        .hasMessageStartingWith("kafka.client.enable.auto.commit:");
    assertThatThrownBy(() -> of(common("group.id", "other")))
        .hasMessageContaining("set by mcp-audit");
    assertThatThrownBy(() -> of(common("bootstrap.servers", "evil:9092")))
        .hasMessageContaining("kafka.bootstrap-servers");
    assertThatThrownBy(() -> of(common("auto.offset.reset", "latest")))
        .hasMessageStartingWith("kafka.client.auto.offset.reset:");
  }

  @Test
  void theSameStrongValueIsAllowed() {
    KafkaClients k = of(common("acks", "all"), common("enable.idempotence", "true"));
    assertThat(k.producer("p", Map.of())).containsEntry("acks", "all");
  }

  @Test
  void anUnknownPropertyIsRefusedWithTheNearestKnownOne() {
    assertThatThrownBy(() -> of(common("sasl.mechanisms", "PLAIN")))
        .isInstanceOf(KafkaClientConfigException.class)
        .hasMessageContaining("kafka.client.sasl.mechanisms: not a Kafka client property")
        .hasMessageContaining("did you mean sasl.mechanism?");
  }

  @Test
  void environmentSpellingMapsOntoKafkaNames() {
    KafkaClients k =
        of(
            new Passthrough("MCP_AUDIT_KAFKA_CLIENT_SASL_JAAS_CONFIG", "sasl_jaas_config", JAAS),
            new Passthrough(
                "MCP_AUDIT_KAFKA_CLIENT_SECURITY_PROTOCOL", "security_protocol", "SSL"));
    assertThat(k.admin("a"))
        .containsEntry("sasl.jaas.config", JAAS)
        .containsEntry("security.protocol", "SSL");
  }

  @Test
  void laterEntriesWinSoARoleCanHaveItsOwnPrincipal() {
    KafkaClients k =
        of(
            common("sasl.jaas.config", "shared"),
            new Passthrough("detector.kafka.client.sasl.jaas.config", "sasl.jaas.config", JAAS));
    assertThat(k.producer("p", Map.of())).containsEntry("sasl.jaas.config", JAAS);
  }

  @Test
  void producerOnlyPropertiesDoNotReachConsumers() {
    KafkaClients k = of(common("linger.ms", "20"), common("fetch.min.bytes", "1024"));
    assertThat(k.producer("p", Map.of()))
        .containsEntry("linger.ms", "20")
        .doesNotContainKey("fetch.min.bytes");
    assertThat(k.consumer("c", Map.of()))
        .containsEntry("fetch.min.bytes", "1024")
        .doesNotContainKey("linger.ms");
    assertThat(k.admin("a")).doesNotContainKeys("linger.ms", "fetch.min.bytes");
  }

  @Test
  void secretsAreHiddenWhereverTheSetupIsShown() {
    KafkaClients k =
        of(
            common("security.protocol", "SASL_SSL"),
            common("sasl.mechanism", "SCRAM-SHA-512"),
            common("sasl.jaas.config", JAAS),
            common("ssl.truststore.password", "trust-pw-123"),
            common("ssl.keystore.key", "-----BEGIN PRIVATE KEY-----abc"),
            common("ssl.truststore.location", "/etc/kafka/ca.p12"));
    assertThat(k.redacted())
        .containsEntry("sasl.jaas.config", KafkaClients.HIDDEN)
        .containsEntry("ssl.truststore.password", KafkaClients.HIDDEN)
        .containsEntry("ssl.keystore.key", KafkaClients.HIDDEN)
        .containsEntry("ssl.truststore.location", "/etc/kafka/ca.p12")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512");
    assertThat(k.summary())
        .isEqualTo("kafka-1:9093 (SASL_SSL, SCRAM-SHA-512)")
        .doesNotContain("s3cret");
    assertThat(k.scrub("login failed for password s3cret-indexer-pw and trust-pw-123"))
        .isEqualTo("login failed for password [hidden] and [hidden]");
  }

  @Test
  void callersCannotSetWhatTheFactoryOwns() {
    KafkaClients k = KafkaClients.plain("127.0.0.1:9092");
    assertThatThrownBy(() -> k.producer("p", Map.of("acks", "1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("acks");
  }

  @Test
  void aMissingBootstrapListIsRefused() {
    assertThatThrownBy(() -> KafkaClients.of(" ", List.of(), Set.of()))
        .hasMessageStartingWith("kafka.bootstrap-servers:");
  }
}
