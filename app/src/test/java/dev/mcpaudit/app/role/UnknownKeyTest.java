package dev.mcpaudit.app.role;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpaudit.app.McpAudit;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** A misspelt key stops every role before it starts anything, naming the key it probably meant. */
class UnknownKeyTest {
  record Run(int exit, String err) {}

  static Run run(String... args) {
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new McpAudit());
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(args);
    return new Run(exit, err.toString());
  }

  @Test
  void eachRoleRefusesAKeyNoDeclarationKnows() {
    Run indexer = run("indexer", "--set", "indexer.refesh-interval=1s");
    assertThat(indexer.exit()).isEqualTo(2);
    assertThat(indexer.err())
        .contains(
            "mcp-audit indexer: unknown key indexer.refesh-interval (did you mean indexer.refresh-interval?)");

    Run detector = run("detector", "--set", "detector.deny-burst.treshold=5");
    assertThat(detector.exit()).isEqualTo(2);
    assertThat(detector.err())
        .contains(
            "unknown key detector.deny-burst.treshold (did you mean detector.deny-burst.threshold?)");

    Run api = run("api", "--set", "api.query-timout=5s");
    assertThat(api.exit()).isEqualTo(2);
    assertThat(api.err())
        .contains("unknown key api.query-timout (did you mean api.query-timeout?)");

    Run collector = run("collector", "--set", "kafka.bootstrap-server=k:9092");
    assertThat(collector.exit()).isEqualTo(2);
    assertThat(collector.err())
        .contains("unknown key kafka.bootstrap-server (did you mean kafka.bootstrap-servers?)");
  }

  @Test
  void aPassthroughThatWeakensDeliveryStopsTheRoleNamingTheKey() {
    Run collector = run("collector", "--set", "kafka.client.enable.idempotence=false");
    assertThat(collector.exit()).isEqualTo(2);
    assertThat(collector.err())
        .contains("mcp-audit collector: kafka.client.enable.idempotence: must stay true");

    Run indexer = run("indexer", "--set", "indexer.kafka.client.acks=0");
    assertThat(indexer.exit()).isEqualTo(2);
    assertThat(indexer.err())
        .contains("mcp-audit indexer: indexer.kafka.client.acks: must stay all");

    Run detector =
        run("detector", "--set", "detector.kafka.client.processing.guarantee=at_least_once");
    assertThat(detector.exit()).isEqualTo(2);
    assertThat(detector.err())
        .contains("detector.kafka.client.processing.guarantee: must stay exactly_once_v2");

    Run api = run("api", "--set", "kafka.client.sasl.mechanisms=PLAIN");
    assertThat(api.exit()).isEqualTo(2);
    assertThat(api.err())
        .contains("kafka.client.sasl.mechanisms: not a Kafka client property")
        .contains("did you mean sasl.mechanism?");
  }
}
