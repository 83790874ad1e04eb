package dev.mcpaudit.detector.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpaudit.detector.rules.Rules;
import dev.mcpaudit.schema.alert.Alert;
import dev.mcpaudit.schema.alert.AlertType;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.event.EventKind;
import dev.mcpaudit.schema.topic.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every rule of the README's "The detector" on the real topology, judged by occurred_at whatever
 * the arrival order.
 */
class DetectionTopologyTest {
  private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

  /** The detector's wall clock: a day after the events, so none of them is in its future. */
  static final java.time.Clock CLOCK =
      java.time.Clock.fixed(T0.plus(java.time.Duration.ofDays(1)), java.time.ZoneOffset.UTC);

  private static final Topics TOPICS = Topics.defaults();

  @TempDir Path state;
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> decisions;
  private TestOutputTopic<String, Alert> alerts;
  private DetectorMetrics metrics;
  private final java.util.concurrent.atomic.AtomicReference<dev.mcpaudit.rules.RuleBook> book =
      new java.util.concurrent.atomic.AtomicReference<>(dev.mcpaudit.rules.RuleBook.empty());

  /** The rules every case runs with; a subclass runs them all with other state stores. */
  Rules rules() {
    return Rules.defaults();
  }

  @BeforeEach
  void start() {
    startWith(rules());
  }

  private void startWith(Rules rules) {
    if (driver != null) {
      driver.close();
    }
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "detector-test");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    p.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
    metrics = DetectorMetrics.unregistered();
    driver =
        new TopologyTestDriver(
            DetectionTopology.build(
                TOPICS, rules, metrics, CLOCK, dev.mcpaudit.kafka.stamp.Stamps.none(), book::get),
            p,
            Instant.parse("2026-11-26T12:00:00Z"));
    decisions =
        driver.createInputTopic(
            TOPICS.decisions(),
            new StringSerializer(),
            new ByteArraySerializer(),
            CLOCK.instant(),
            java.time.Duration.ZERO);
    alerts =
        driver.createOutputTopic(
            TOPICS.alerts(), new StringDeserializer(), JsonSerde.of(Alert.class).deserializer());
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  private void send(Ev... events) {
    for (Ev e : events) {
      var event = e.event();
      decisions.pipeInput(event.partitionKey(), EventCodec.encode(event));
    }
  }

  /** Records Kafka received at {@code received}, as a backlog published then. */
  private void backlog(Instant received, Ev... events) {
    for (Ev e : events) {
      var event = e.event();
      decisions.pipeInput(event.partitionKey(), EventCodec.encode(event), received);
    }
  }

  private List<Alert> raised() {
    return alerts.readValuesToList();
  }

  private static Instant at(long seconds) {
    return T0.plusSeconds(seconds);
  }

  @Nested
  class HostileInput {
    private final Instant now = CLOCK.instant();

    @Test
    void anEventDatedAnHourAheadDoesNotMakeTheHonestOnesLate() {
      // Alone on the partition, an hour ahead: without a bound, every event after it would be
      // judged an hour late.
      send(Ev.allow("poison", now.plus(java.time.Duration.ofMinutes(55))).nonce("p"));
      send(
          Ev.allow("e1", now.minusSeconds(10)).nonce("nonce-1").worker("w-1"),
          Ev.allow("e2", now.minusSeconds(8)).nonce("nonce-1").worker("w-2"));
      List<Alert> alerts = raised();
      assertThat(alerts)
          .extracting(Alert::type)
          .containsExactlyInAnyOrder(AlertType.REPLAY, AlertType.FUTURE_TIMESTAMP);
      assertThat(alerts)
          .filteredOn(a -> a.type() == AlertType.FUTURE_TIMESTAMP)
          .singleElement()
          .satisfies(
              a -> {
                assertThat(a.subject()).isEqualTo("gw-1/w-1");
                assertThat(a.evidence()).containsExactly("poison");
                assertThat(a.summary()).contains("more than 300 s past the detector's clock");
              });
      assertThat(metrics.futureCount()).isEqualTo(1);
      assertThat(metrics.lateCount()).isZero();
    }

    @Test
    void anOldRecordClaimingADayLaterDoesNotMakeTheRestOfItsBacklogLate() {
      // A backlog published three days ago, worked off now: one event claims a time two days
      // after it reached Kafka. Not ahead of the detector's clock, but far ahead of its
      // neighbours: by the clock alone it would have made the rest of the backlog late.
      Instant published = now.minus(java.time.Duration.ofHours(72));
      backlog(published, Ev.allow("b0", published.minusSeconds(20)).nonce("n-0"));
      backlog(
          published,
          Ev.allow("skewed", published.plus(java.time.Duration.ofHours(48))).worker("w-5"));
      backlog(
          published.plusSeconds(5),
          Ev.allow("b1", published.minusSeconds(10)).nonce("n-1").worker("w-1"),
          Ev.allow("b2", published.minusSeconds(9)).nonce("n-1").worker("w-2"));
      assertThat(raised())
          .extracting(a -> a.type() + " " + a.subject())
          .containsExactlyInAnyOrder("REPLAY n-1", "FUTURE_TIMESTAMP gw-1/w-5");
      assertThat(metrics.lateCount()).isZero();
      assertThat(metrics.futureCount()).isEqualTo(1);
    }

    @Test
    void aFutureDatedSourceIsReportedOncePerSuppressionPeriodWhateverItsPartitions() {
      for (int i = 0; i < 10; i++) {
        send(
            Ev.allow("f" + i, now.plus(java.time.Duration.ofMinutes(30 + i)))
                .handle("h-" + i)
                .worker("w-9"));
      }
      send(Ev.allow("g1", now.plus(java.time.Duration.ofHours(2))).worker("w-8"));
      send(Ev.allow("ok", now.plusSeconds(60)).worker("w-7"));
      assertThat(raised())
          .allSatisfy(a -> assertThat(a.type()).isEqualTo(AlertType.FUTURE_TIMESTAMP))
          .extracting(Alert::subject)
          .containsExactlyInAnyOrder("gw-1/w-9", "gw-1/w-8");
      assertThat(metrics.futureCount()).isEqualTo(11);
    }

    @Test
    void recordsThatSkippedTheCollectorAreCountedAndSkippedNotThrown() {
      Ev allow = Ev.allow("a1", now.minusSeconds(30)).handle("h-1").worker("w-1");
      var valid = allow.event();
      // A deny from another worker without reason_code: JSON, but not a contract event.
      String deny =
          EventCodec.encodeToString(
                  Ev.deny("d1", now.minusSeconds(29)).handle("h-1").worker("w-2").event())
              .replaceFirst("\"reason_code\":\"[^\"]*\",", "");
      assertThat(deny).doesNotContain("reason_code");
      decisions.pipeInput(valid.partitionKey(), EventCodec.encode(valid));
      decisions.pipeInput(
          valid.partitionKey(), deny.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      decisions.pipeInput(
          valid.partitionKey(), "not json".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      decisions.pipeInput(valid.partitionKey(), new byte[0]);
      assertThat(metrics.unreadableCount()).isEqualTo(3);
      send(
          Ev.allow("e1", now.minusSeconds(10)).nonce("nonce-2").worker("w-1"),
          Ev.allow("e2", now.minusSeconds(8)).nonce("nonce-2").worker("w-2"));
      assertThat(raised())
          .singleElement()
          .satisfies(a -> assertThat(a.subject()).isEqualTo("nonce-2"));
    }
  }

  @Nested
  class Replay {
    @Test
    void sameNonceInTwoDecisionsFromDifferentWorkersIsOneReplay() {
      send(
          Ev.allow("e1", at(0)).nonce("nonce-1").worker("w-1"),
          Ev.allow("e2", at(2)).nonce("nonce-1").worker("w-2"));
      List<Alert> out = raised();
      assertThat(out)
          .singleElement()
          .satisfies(
              a -> {
                assertThat(a.type()).isEqualTo(AlertType.REPLAY);
                assertThat(a.subject()).isEqualTo("nonce-1");
                assertThat(a.evidence()).containsExactly("e1", "e2");
                assertThat(a.tenant()).isEqualTo("tenant-a");
                assertThat(a.summary()).contains("gw-1/w-1", "gw-1/w-2");
              });
    }

    @Test
    void theSameEventDeliveredTwiceIsNotAReplay() {
      send(Ev.allow("e1", at(0)).nonce("nonce-1"), Ev.allow("e1", at(0)).nonce("nonce-1"));
      assertThat(raised()).isEmpty();
    }

    @Test
    void sameNonceInTwoTenantsIsNoReplay() {
      send(
          Ev.allow("e1", at(0)).nonce("nonce-1"),
          Ev.allow("e2", at(1)).nonce("nonce-1").tenant("tenant-b"));
      assertThat(raised()).isEmpty();
    }

    @Test
    void furtherUsesWithinTheSuppressionWindowRaiseNothingMoreAndLaterOnesDo() {
      send(
          Ev.allow("e1", at(0)).nonce("n"),
          Ev.allow("e2", at(1)).nonce("n"),
          Ev.allow("e3", at(300)).nonce("n"));
      assertThat(raised()).hasSize(1);
      send(Ev.allow("e4", at(1 + 601)).nonce("n"));
      assertThat(raised())
          .singleElement()
          .satisfies(a -> assertThat(a.evidence()).containsExactly("e1", "e2", "e3", "e4"));
    }
  }

  @Nested
  class RevokedHandle {
    @Test
    void allowAfterRevocationIsCaught() {
      send(Ev.lifecycle("r1", EventKind.HANDLE_REVOKED, at(0)), Ev.allow("e1", at(5)));
      assertThat(raised())
          .singleElement()
          .satisfies(
              a -> {
                assertThat(a.type()).isEqualTo(AlertType.REVOKED_HANDLE_USE);
                assertThat(a.subject()).isEqualTo("h-1");
                assertThat(a.handle()).isEqualTo("h-1");
                assertThat(a.evidence()).containsExactly("r1", "e1");
              });
    }

    @Test
    void denyAfterRevocationAndAllowBeforeItAreFine() {
      send(
          Ev.allow("e0", at(-5)),
          Ev.lifecycle("r1", EventKind.HANDLE_REVOKED, at(0)),
          Ev.deny("e1", at(5)).reason("HANDLE_REVOKED"));
      assertThat(raised()).isEmpty();
    }

    @Test
    void revocationArrivingAfterTheUseItPrecedesIsStillCaught() {
      send(
          Ev.allow("e0", at(-30)),
          Ev.allow("e1", at(10)),
          Ev.lifecycle("r1", EventKind.HANDLE_REVOKED, at(0)));
      assertThat(raised())
          .singleElement()
          .satisfies(
              a -> {
                assertThat(a.type()).isEqualTo(AlertType.REVOKED_HANDLE_USE);
                assertThat(a.evidence()).containsExactly("r1", "e1");
              });
    }

    @Test
    void lateUseInsideTheGracePeriodCounts() {
      send(
          Ev.lifecycle("r1", EventKind.HANDLE_REVOKED, at(0)),
          Ev.deny("e9", at(240)).handle("h-other"),
          Ev.allow("e1", at(10)));
      assertThat(raised()).extracting(Alert::type).containsExactly(AlertType.REVOKED_HANDLE_USE);
    }

    @Test
    void lateUseOutsideTheGracePeriodDoesNot() {
      send(
          Ev.lifecycle("r1", EventKind.HANDLE_REVOKED, at(0)),
          Ev.deny("e9", at(400)).handle("h-other"),
          Ev.allow("e1", at(10)));
      assertThat(raised()).isEmpty();
    }

    @Test
    void lateRevocationOutsideTheGracePeriodIsNotMatchedBackButCatchesLaterUses() {
      send(
          Ev.allow("e1", at(10)),
          Ev.deny("e9", at(400)).handle("h-other"),
          Ev.lifecycle("r1", EventKind.HANDLE_REVOKED, at(0)));
      assertThat(raised()).isEmpty();
      send(Ev.allow("e2", at(401)));
      assertThat(raised())
          .singleElement()
          .satisfies(a -> assertThat(a.evidence()).containsExactly("r1", "e2"));
    }
  }

  @Nested
  class ExpiredHandle {
    @Test
    void allowAfterTheExpiryTheDecisionCarriesIsCaught() {
      send(Ev.allow("e1", at(10)).expires(at(5)));
      assertThat(raised())
          .singleElement()
          .satisfies(
              a -> {
                assertThat(a.type()).isEqualTo(AlertType.EXPIRED_HANDLE_USE);
                assertThat(a.subject()).isEqualTo("h-1");
                assertThat(a.evidence()).containsExactly("e1");
              });
    }

    @Test
    void allowAfterAnExpiredEventIsCaughtWithItAsEvidence() {
      send(Ev.lifecycle("x1", EventKind.HANDLE_EXPIRED, at(0)), Ev.allow("e1", at(3)));
      assertThat(raised())
          .singleElement()
          .satisfies(
              a -> {
                assertThat(a.type()).isEqualTo(AlertType.EXPIRED_HANDLE_USE);
                assertThat(a.evidence()).containsExactly("x1", "e1");
              });
    }

    @Test
    void issuedExpiryArrivingLateIsMatchedAgainstEarlierUses() {
      send(
          Ev.allow("e1", at(100)),
          Ev.lifecycle("i1", EventKind.HANDLE_ISSUED, at(0)).expires(at(60)));
      assertThat(raised())
          .singleElement()
          .satisfies(
              a -> {
                assertThat(a.type()).isEqualTo(AlertType.EXPIRED_HANDLE_USE);
                assertThat(a.evidence()).containsExactly("i1", "e1");
              });
    }

    @Test
    void allowBeforeExpiryIsFine() {
      send(
          Ev.lifecycle("i1", EventKind.HANDLE_ISSUED, at(0)).expires(at(60)),
          Ev.allow("e1", at(59)).expires(at(60)));
      assertThat(raised()).isEmpty();
    }
  }

  @Nested
  class DenyBurst {
    private Ev[] denies(int n, long firstSecond, double spacingSeconds, String prefix) {
      Ev[] out = new Ev[n];
      for (int i = 0; i < n; i++) {
        // Each on its own handle and tool, one worker: only the actor ties them together.
        out[i] =
            Ev.deny(prefix + i, T0.plusMillis((long) ((firstSecond + i * spacingSeconds) * 1000)))
                .handle("h-" + prefix + i);
      }
      return out;
    }

    @Test
    void twentyDeniesWithinSixtySecondsIsABurst() {
      send(denies(20, 0, 3.0, "d")); // 0 s .. 57 s
      assertThat(raised())
          .singleElement()
          .satisfies(
              a -> {
                assertThat(a.type()).isEqualTo(AlertType.DENY_BURST);
                assertThat(a.subject()).isEqualTo("spiffe://ex/agent/a");
                assertThat(a.actor()).isEqualTo("spiffe://ex/agent/a");
                assertThat(a.evidence()).hasSize(20).startsWith("d0").endsWith("d19");
              });
    }

    @Test
    void nineteenIsNotAndTwentySpreadOverMoreThanAWindowIsNot() {
      send(denies(19, 0, 3.0, "d"));
      send(denies(20, 600, 3.2, "x")); // 20 denies over 60.8 s
      assertThat(raised()).isEmpty();
    }

    @Test
    void aLongBurstRaisesOncePerSuppressionWindow() {
      send(denies(200, 0, 1.0, "d")); // 200 s of denies
      assertThat(raised()).hasSize(1);
      send(denies(30, 700, 1.0, "y"));
      assertThat(raised()).hasSize(1);
    }

    @Test
    void outOfOrderDeniesInsideGraceCompleteABurst() {
      Ev[] d = denies(20, 0, 2.0, "d");
      Ev[] reversed = new Ev[d.length];
      for (int i = 0; i < d.length; i++) {
        reversed[i] = d[d.length - 1 - i];
      }
      send(reversed);
      assertThat(raised())
          .singleElement()
          .satisfies(a -> assertThat(a.evidence()).hasSize(20).first().isEqualTo("d0"));
    }

    @Test
    void aTenantsOwnThresholdAppliesToThatTenantAlone() {
      startWith(
          Rules.from(
              dev.mcpaudit.runtime.config.Settings.of(
                  java.util.Map.of(
                      "detector.per-tenant.deny-burst.threshold", "tenant-b=5",
                      "detector.per-tenant.deny-burst.window", "tenant-b=10s"))));
      Ev[] a = denies(5, 0, 1.0, "a");
      Ev[] b = denies(5, 0, 1.0, "b");
      for (int i = 0; i < b.length; i++) {
        b[i] = b[i].tenant("tenant-b");
      }
      send(a);
      send(b);
      assertThat(raised())
          .singleElement()
          .satisfies(
              x -> {
                assertThat(x.tenant()).isEqualTo("tenant-b");
                assertThat(x.summary()).contains("threshold 5");
                assertThat(x.owasp()).containsExactly("ASI02", "ASI10");
              });
      // tenant-a keeps the detector's own threshold (20 within 60 s).
      send(denies(15, 30, 1.0, "a2"));
      assertThat(raised())
          .singleElement()
          .satisfies(x -> assertThat(x.tenant()).isEqualTo("tenant-a"));
    }

    @Test
    void theThresholdIsConfigurable() {
      startWith(rules().withDenyBurst(5, Duration.ofSeconds(10)));
      send(denies(5, 0, 2.0, "d"));
      assertThat(raised()).extracting(Alert::type).containsExactly(AlertType.DENY_BURST);
    }
  }

  @Nested
  class CustomRules {
    private dev.mcpaudit.rules.CustomRule rule(String id, String query, int threshold) {
      return dev.mcpaudit.rules.RuleCodec.fromRequest(
              id,
              dev.mcpaudit.schema.event.EventCodec.mapper()
                  .createObjectNode()
                  .put("name", "rule " + id)
                  .put("tenant", "tenant-a")
                  .put("query", query)
                  .put("threshold", threshold)
                  .put("window_seconds", 600)
                  .put("severity", "high")
                  .set(
                      "group_by",
                      dev.mcpaudit.schema.event.EventCodec.mapper()
                          .createArrayNode()
                          .add("actor.id")),
              dev.mcpaudit.rules.query.TermPolicy.DEFAULT)
          .savedBy("admin", T0, 0);
    }

    private void live(dev.mcpaudit.rules.CustomRule... rules) {
      book.set(
          dev.mcpaudit.rules.RuleBook.of(
              List.of(rules), dev.mcpaudit.rules.query.TermPolicy.DEFAULT, why -> {}));
    }

    private Ev delete(String id, String actor, long second) {
      return Ev.allow(id, at(second)).tool("delete_repo").actor(actor).handle("h-" + id);
    }

    @Test
    void aRuleRaisesOncePerGroupAndNamesItself() {
      live(rule("deletes", "decision:allow AND tool.name:delete_*", 3));
      send(
          delete("a1", "agent-a", 0),
          delete("b1", "agent-b", 1),
          delete("a2", "agent-a", 60),
          Ev.allow("other", at(61)).actor("agent-a"), // not a delete
          Ev.deny("denied", at(62)).tool("delete_repo").actor("agent-a"), // not allowed
          delete("a3", "agent-a", 120),
          delete("a4", "agent-a", 130), // same burst: suppressed
          delete("b2", "agent-b", 700),
          delete("b3", "agent-b", 1300)); // b's three span more than 10 min
      assertThat(raised())
          .singleElement()
          .satisfies(
              a -> {
                assertThat(a.type()).isEqualTo(AlertType.CUSTOM_RULE);
                assertThat(a.subject()).isEqualTo("agent-a");
                assertThat(a.actor()).isEqualTo("agent-a");
                assertThat(a.evidence()).containsExactly("a1", "a2", "a3");
                assertThat(a.rule().id()).isEqualTo("deletes");
                assertThat(a.rule().version()).isEqualTo(1);
                assertThat(a.severity()).isEqualTo(dev.mcpaudit.schema.alert.Severity.HIGH);
                assertThat(a.alertId())
                    .isEqualTo(
                        dev.mcpaudit.schema.alert.AlertIds.of(
                            AlertType.CUSTOM_RULE,
                            "tenant-a",
                            "deletes\u001fagent-a",
                            at(0).toEpochMilli()));
              });
    }

    @Test
    void anEditAppliesToTheNextEventAndADeletionStopsTheRule() {
      live(rule("deletes", "tool.name:delete_*", 3));
      send(delete("a1", "agent-a", 0), delete("a2", "agent-a", 1));
      assertThat(raised()).isEmpty();
      live(rule("deletes", "tool.name:delete_*", 2));
      send(delete("c1", "agent-c", 2), delete("c2", "agent-c", 3));
      assertThat(raised()).extracting(Alert::subject).containsExactly("agent-c");
      live();
      send(delete("d1", "agent-d", 4), delete("d2", "agent-d", 5), delete("d3", "agent-d", 6));
      assertThat(raised()).isEmpty();
    }

    @Test
    void aRuleOfAnotherTenantDoesNotSeeTheseEvents() {
      live(rule("deletes", "tool.name:delete_*", 1));
      send(delete("x1", "agent-a", 0).tenant("tenant-b"));
      assertThat(raised()).isEmpty();
      send(delete("x2", "agent-a", 1));
      assertThat(raised()).extracting(Alert::tenant).containsExactly("tenant-a");
    }
  }

  @Nested
  class Inconsistent {
    @Test
    void allowAndDenyForOneHandleAndToolFromTwoWorkersIsInconsistent() {
      send(Ev.allow("e1", at(0)).worker("w-1"), Ev.deny("e2", at(20)).worker("w-2"));
      assertThat(raised())
          .singleElement()
          .satisfies(
              a -> {
                assertThat(a.type()).isEqualTo(AlertType.INCONSISTENT_DECISION);
                assertThat(a.subject()).isEqualTo("h-1 create_issue");
                assertThat(a.handle()).isEqualTo("h-1");
                assertThat(a.tool()).isEqualTo("create_issue");
                assertThat(a.evidence()).containsExactly("e1", "e2");
              });
    }

    @Test
    void outOfOrderPairIsFoundToo() {
      send(Ev.deny("e2", at(20)).worker("w-2"), Ev.allow("e1", at(0)).worker("w-1"));
      assertThat(raised())
          .singleElement()
          .satisfies(a -> assertThat(a.evidence()).containsExactly("e1", "e2"));
    }

    @Test
    void sameWorkerOtherToolOrFarApartIsConsistent() {
      send(Ev.allow("e1", at(0)).worker("w-1"), Ev.deny("e2", at(10)).worker("w-1"));
      send(
          Ev.allow("e3", at(100)).worker("w-1"),
          Ev.deny("e4", at(110)).worker("w-2").tool("delete_repo"));
      send(Ev.allow("e5", at(300)).worker("w-1"), Ev.deny("e6", at(361)).worker("w-2"));
      assertThat(raised()).isEmpty();
    }

    @Test
    void aDenyExplainedByARevocationInBetweenIsNotInconsistent() {
      send(
          Ev.allow("e1", at(0)).worker("w-1"),
          Ev.lifecycle("r1", EventKind.HANDLE_REVOKED, at(10)),
          Ev.deny("e2", at(20)).worker("w-2").reason("HANDLE_REVOKED"));
      assertThat(raised()).isEmpty();
    }

    @Test
    void aDenyExplainedByARevocationThatArrivesLateInsideGraceIsNotInconsistent() {
      send(
          Ev.allow("e1", at(0)).worker("w-1"),
          Ev.deny("e2", at(20)).worker("w-2").reason("HANDLE_REVOKED"),
          Ev.lifecycle("r1", EventKind.HANDLE_REVOKED, at(10)),
          Ev.deny("e9", at(700)).handle("h-other"));
      assertThat(raised()).isEmpty();
    }

    @Test
    void aDenyClaimingRevocationThatNeverHappenedIsInconsistentOnceGraceHasPassed() {
      send(
          Ev.allow("e1", at(0)).worker("w-1"),
          Ev.deny("e2", at(20)).worker("w-2").reason("HANDLE_REVOKED"));
      assertThat(raised()).isEmpty();
      send(Ev.deny("e9", at(20 + 301)).handle("h-other"));
      assertThat(raised())
          .singleElement()
          .satisfies(
              a -> {
                assertThat(a.type()).isEqualTo(AlertType.INCONSISTENT_DECISION);
                assertThat(a.evidence()).containsExactly("e1", "e2");
              });
    }

    @Test
    void aDenyExplainedByExpiryIsNotInconsistent() {
      send(
          Ev.allow("e1", at(0)).worker("w-1").expires(at(10)),
          Ev.deny("e2", at(20)).worker("w-2").reason("HANDLE_EXPIRED").expires(at(10)));
      assertThat(raised()).isEmpty();
    }

    @Test
    void rateLimitDeniesAreNotPolicyInconsistencies() {
      send(
          Ev.allow("e1", at(0)).worker("w-1"),
          Ev.deny("e2", at(20)).worker("w-2").reason("RATE_LIMITED"));
      assertThat(raised()).isEmpty();
    }
  }

  @Test
  void alertIdsAreTheSameWhenTheSameInputIsProcessedAgain() {
    Ev[] input = {
      Ev.allow("e1", at(0)).nonce("n").worker("w-1"),
      Ev.allow("e2", at(1)).nonce("n").worker("w-2"),
      Ev.lifecycle("r1", EventKind.HANDLE_REVOKED, at(2)),
      Ev.allow("e3", at(3)).worker("w-1")
    };
    send(input);
    List<String> first = raised().stream().map(Alert::alertId).toList();
    driver.close();
    startFresh(); // a new instance with empty state: nothing but the input decides the ids
    send(input);
    assertThat(first).hasSize(2).doesNotHaveDuplicates();
    assertThat(raised().stream().map(Alert::alertId).toList())
        .containsExactlyInAnyOrderElementsOf(first);
  }

  private void startFresh() {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "detector-test-2");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    p.put(StreamsConfig.STATE_DIR_CONFIG, state.resolve("again").toString());
    driver =
        new TopologyTestDriver(
            DetectionTopology.build(TOPICS, rules(), DetectorMetrics.unregistered(), CLOCK), p);
    decisions =
        driver.createInputTopic(
            TOPICS.decisions(),
            new StringSerializer(),
            new ByteArraySerializer(),
            CLOCK.instant(),
            java.time.Duration.ZERO);
    alerts =
        driver.createOutputTopic(
            TOPICS.alerts(), new StringDeserializer(), JsonSerde.of(Alert.class).deserializer());
  }

  @Test
  void unreadableRecordsAreSkippedAndDetectionGoesOn() {
    decisions.pipeInput("k", "not json".getBytes());
    decisions.pipeInput("k", new byte[0]);
    send(Ev.lifecycle("r1", EventKind.HANDLE_REVOKED, at(0)), Ev.allow("e1", at(5)));
    assertThat(raised()).extracting(Alert::type).containsExactly(AlertType.REVOKED_HANDLE_USE);
  }
}
