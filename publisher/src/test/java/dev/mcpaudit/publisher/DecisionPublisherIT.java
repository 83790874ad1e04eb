package dev.mcpaudit.publisher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.mcpaudit.publisher.spool.SpoolFullException;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.validation.EventValidator;
import dev.mcpaudit.schema.validation.InvalidEventException;
import dev.mcpaudit.testkit.KafkaBrokerExtension;
import dev.mcpaudit.testkit.SyntheticEvents;
import dev.mcpaudit.testkit.TopicReader;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The publisher against a real broker that goes away, and a publisher process that gets killed. */
class DecisionPublisherIT {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.dedicated();

  @TempDir Path spoolDir;

  final EventCodec codec = new EventCodec(EventValidator.withSystemClock());

  DecisionPublisher publisher(String topic) {
    return DecisionPublisher.builder()
        .bootstrapServers(KAFKA.bootstrapServers())
        .topic(topic)
        .spoolDirectory(spoolDir)
        .closeTimeout(Duration.ofSeconds(20))
        .build();
  }

  @Test
  void startedWhileTheBrokerIsDownDeliversEverythingOnceAndInOrderPerKey() throws Exception {
    String topic = KafkaBrokerExtension.uniqueTopic("decisions");
    KAFKA.createTopics(4, topic);
    KAFKA.embeddedBroker().stop();
    try {
      SyntheticEvents gen = new SyntheticEvents(11, Instant.now().minus(Duration.ofHours(1)));
      List<AuthzEvent> events = IntStream.range(0, 5_000).mapToObj(i -> gen.next()).toList();
      List<CompletableFuture<Receipt>> futures = new ArrayList<>();
      try (DecisionPublisher p = publisher(topic)) {
        for (AuthzEvent e : events) {
          futures.add(p.publish(e));
        }
        assertThat(p.metrics().spooled()).isEqualTo(5_000);
        assertThat(futures).noneMatch(CompletableFuture::isDone);
        await().atMost(Duration.ofSeconds(20)).until(() -> !p.metrics().kafkaAvailable());

        KAFKA.embeddedBroker().start();
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
        assertThat(futures).allMatch(f -> f.join().delivery() == Receipt.Delivery.ACKNOWLEDGED);
        assertThat(p.metrics().spooled()).isZero();
        assertThat(p.metrics().sent()).isEqualTo(5_000);
        assertThat(p.metrics().sendErrors()).isPositive();
      }

      List<ConsumerRecord<String, byte[]>> records =
          TopicReader.readAll(KAFKA.bootstrapServers(), topic, 5_000, Duration.ofSeconds(60));
      List<AuthzEvent> read = records.stream().map(r -> codec.decodeOrThrow(r.value())).toList();
      assertThat(read).hasSize(5_000);
      assertThat(read.stream().map(AuthzEvent::eventId).collect(Collectors.toSet()))
          .isEqualTo(events.stream().map(AuthzEvent::eventId).collect(Collectors.toSet()));
      assertThat(byKey(read)).isEqualTo(byKey(events));
      assertThat(records)
          .allMatch(r -> r.key().equals(codec.decodeOrThrow(r.value()).partitionKey()));
    } finally {
      KAFKA.embeddedBroker().start();
    }
  }

  @Test
  void aSpoolLeftByAKilledProcessIsDeliveredOnceByTheNextOne() throws Exception {
    String topic = KafkaBrokerExtension.uniqueTopic("decisions");
    KAFKA.createTopics(4, topic);
    int count = 3_000;
    KAFKA.embeddedBroker().stop();
    Process publisher = child("publish", topic, "77", Integer.toString(count));
    try {
      String line = firstLine(publisher);
      assertThat(line).isEqualTo("SPOOLED " + count);
    } finally {
      publisher.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no close()
      assertThat(publisher.waitFor(30, TimeUnit.SECONDS)).isTrue();
      KAFKA.embeddedBroker().start();
    }
    assertThat(publisher.exitValue()).isEqualTo(137);

    Process drain = child("drain", topic);
    assertThat(firstLine(drain)).isEqualTo("DRAINED " + count);
    assertThat(drain.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(drain.exitValue()).isZero();

    List<String> ids =
        TopicReader.readAll(KAFKA.bootstrapServers(), topic, count, Duration.ofSeconds(60)).stream()
            .map(r -> codec.decodeOrThrow(r.value()).eventId())
            .toList();
    Set<String> expected =
        IntStream.range(0, count)
            .mapToObj(i -> "ev-" + Long.toHexString(77) + "-" + i)
            .collect(Collectors.toSet());
    assertThat(ids).hasSize(count);
    assertThat(new HashSet<>(ids)).isEqualTo(expected);
  }

  @Test
  void invalidEventsFailAtOnceWithEveryErrorAndAreNotSpooled() {
    try (DecisionPublisher p = publisher(KafkaBrokerExtension.uniqueTopic("decisions"))) {
      AuthzEvent good = new SyntheticEvents(3, Instant.now()).next();
      AuthzEvent bad =
          AuthzEvent.builder()
              .schema(good.schema())
              .eventId("bad id with spaces")
              .kind(good.kind())
              .occurredAt(good.occurredAt())
              .tenant(good.tenant())
              .decision(good.decision())
              .reasonCode("lowercase")
              .handle(good.handle())
              .actor(good.actor())
              .build();
      CompletableFuture<Receipt> f = p.publish(bad);
      assertThat(f).isCompletedExceptionally();
      ExecutionException e =
          org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, f::get);
      assertThat(((InvalidEventException) e.getCause()).errors())
          .extracting(er -> er.pointer())
          .containsExactlyInAnyOrder("/event_id", "/reason_code", "/tool");
      assertThat(p.metrics().spooled()).isZero();
      assertThat(p.metrics().failed()).isEqualTo(1);
    }
  }

  static AuthzEvent copy(AuthzEvent e, String tenant, Instant occurredAt) {
    return e.toBuilder().occurredAt(occurredAt).receivedAt(null).tenant(tenant).build();
  }

  static List<String> refusal(CompletableFuture<Receipt> f) {
    assertThat(f).isCompletedExceptionally();
    ExecutionException e =
        org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, f::get);
    return ((InvalidEventException) e.getCause())
        .errors().stream().map(er -> er.pointer() + " " + er.rule()).toList();
  }

  @Test
  void theSystemTenantIsWrittenByTheApiAuditTrailAlone() throws Exception {
    String topic = KafkaBrokerExtension.uniqueTopic("decisions");
    KAFKA.createTopics(1, topic);
    AuthzEvent event = new SyntheticEvents(5, Instant.now().minus(Duration.ofMinutes(1))).next();
    assertThatThrownBy(
            () ->
                DecisionPublisher.builder()
                    .bootstrapServers(KAFKA.bootstrapServers())
                    .spoolDirectory(spoolDir)
                    .tenants("acme", "_system")
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("_system is mcp-audit's own audit trail");
    try (DecisionPublisher p = publisher(topic)) {
      assertThat(p.isApiAuditTrail()).isFalse();
      assertThat(refusal(p.publish(copy(event, "_system", event.occurredAt()))))
          .containsExactly("/tenant reserved");
      assertThat(refusal(p.publish(EventCodec.encode(copy(event, "_system", event.occurredAt())))))
          .containsExactly("/tenant reserved");
      assertThat(p.metrics().spooled()).isZero();
    }
    Path apiSpool = spoolDir.resolveSibling(spoolDir.getFileName() + "-api");
    try (DecisionPublisher api =
        DecisionPublisher.builder()
            .apiAuditTrail()
            .bootstrapServers(KAFKA.bootstrapServers())
            .topic(topic)
            .spoolDirectory(apiSpool)
            .build()) {
      assertThat(api.isApiAuditTrail()).isTrue();
      assertThat(refusal(api.publish(copy(event, "acme", event.occurredAt()))))
          .containsExactly("/tenant scope");
      assertThat(
              api.publish(copy(event, "_system", event.occurredAt()))
                  .get(30, TimeUnit.SECONDS)
                  .delivery())
          .isEqualTo(Receipt.Delivery.ACKNOWLEDGED);
    }
  }

  @Test
  void aScopedPublisherWritesItsTenantsOnlyAndNothingFromTooFarAhead() {
    AuthzEvent event = new SyntheticEvents(6, Instant.now()).next();
    String topic = KafkaBrokerExtension.uniqueTopic("decisions");
    KAFKA.createTopics(1, topic);
    try (DecisionPublisher p =
        DecisionPublisher.builder()
            .bootstrapServers(KAFKA.bootstrapServers())
            .topic(topic)
            .spoolDirectory(spoolDir)
            .tenants("acme")
            .build()) {
      Instant now = Instant.now();
      assertThat(refusal(p.publish(copy(event, "globex", now)))).containsExactly("/tenant scope");
      assertThat(refusal(p.publish(copy(event, "acme", now.plus(Duration.ofMinutes(6))))))
          .containsExactly("/occurred_at future");
      assertThat(p.publish(copy(event, "acme", now.plus(Duration.ofMinutes(4)))))
          .isNotCompletedExceptionally();
      assertThat(p.metrics().failed()).isEqualTo(2);
    }
  }

  @Test
  void aFullSpoolFailsFastInsteadOfQueueingWithoutBound() {
    String topic = KafkaBrokerExtension.uniqueTopic("decisions");
    KAFKA.createTopics(1, topic);
    KAFKA.embeddedBroker().stop();
    try (DecisionPublisher p =
        DecisionPublisher.builder()
            .bootstrapServers(KAFKA.bootstrapServers())
            .topic(topic)
            .spoolDirectory(spoolDir)
            .maxSpoolBytes(64 * 1024)
            .segmentBytes(16 * 1024)
            .closeTimeout(Duration.ZERO)
            .build()) {
      SyntheticEvents gen = new SyntheticEvents(5, Instant.now());
      CompletableFuture<Receipt> last = null;
      int accepted = 0;
      for (int i = 0; i < 1_000; i++) {
        last = p.publish(gen.next());
        if (last.isCompletedExceptionally()) {
          break;
        }
        accepted++;
      }
      assertThat(accepted).isBetween(50, 120);
      CompletableFuture<Receipt> refused = last;
      ExecutionException e =
          org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, refused::get);
      assertThat(e.getCause())
          .isInstanceOf(SpoolFullException.class)
          .hasMessageContaining("is full");
    } finally {
      KAFKA.embeddedBroker().start();
    }
  }

  private static Map<String, List<String>> byKey(List<AuthzEvent> events) {
    return events.stream()
        .collect(
            Collectors.groupingBy(
                AuthzEvent::partitionKey,
                LinkedHashMap::new,
                Collectors.mapping(AuthzEvent::eventId, Collectors.toList())));
  }

  private Process child(String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                PublisherProcess.class.getName(),
                args[0],
                KAFKA.bootstrapServers(),
                args[1],
                spoolDir.toString()));
    for (int i = 2; i < args.length; i++) {
      cmd.add(args[i]);
    }
    return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  private static String firstLine(Process p) throws Exception {
    CompletableFuture<String> line =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                // The child's log shares stdout; its answer is the first line starting with a
                // marker.
                for (String l = r.readLine(); l != null; l = r.readLine()) {
                  if (l.startsWith("SPOOLED ") || l.startsWith("DRAINED ")) {
                    return l;
                  }
                }
                return null;
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    return line.get(3, TimeUnit.MINUTES);
  }
}
