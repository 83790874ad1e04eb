package dev.mcpaudit.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.kafka.client.KafkaClients;
import dev.mcpaudit.queryapi.audit.AuditTrail;
import dev.mcpaudit.queryapi.auth.Authenticator;
import dev.mcpaudit.queryapi.auth.Caller;
import dev.mcpaudit.queryapi.auth.Role;
import dev.mcpaudit.queryapi.auth.StaticTokens;
import dev.mcpaudit.queryapi.export.ExportLimits;
import dev.mcpaudit.queryapi.http.ApiRoutes;
import dev.mcpaudit.queryapi.search.QueryLimits;
import dev.mcpaudit.queryapi.store.EventStore;
import dev.mcpaudit.queryapi.triage.AlertTriage;
import dev.mcpaudit.runtime.auth.TokenDigest;
import dev.mcpaudit.runtime.http.HttpEdge;
import dev.mcpaudit.schema.alert.Alert;
import dev.mcpaudit.schema.alert.AlertType;
import dev.mcpaudit.schema.alert.Severity;
import dev.mcpaudit.schema.event.Actor;
import dev.mcpaudit.schema.event.ActorType;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.Decision;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.event.EventKind;
import dev.mcpaudit.schema.event.RequestInfo;
import dev.mcpaudit.schema.event.Source;
import dev.mcpaudit.schema.event.Tool;
import dev.mcpaudit.testkit.KafkaBrokerExtension;
import dev.mcpaudit.testkit.TestStamps;
import io.javalin.Javalin;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * An analyst works alerts in a real headless Chromium against the real API, indexer and broker:
 * acknowledges, assigns and closes one with a reason and a note, sees the re-raised case flagged,
 * bulk-closes a filtered list and acknowledges a selection. A screenshot of each step goes to
 * {@code web/target/screenshots/alert-workflow-*.png} (with {@code -opensearch} on the second
 * backend).
 */
class AlertWorkflowUiIT {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.shared();
  static final String ANALYST = TokenDigest.newToken();
  static final boolean OPENSEARCH = UiStack.OPENSEARCH;
  static final String SHOT = OPENSEARCH ? "-opensearch" : "";
  static UiStack stack;
  static AlertTriage triage;
  static Javalin app;
  static String base;
  static Path data;

  @BeforeAll
  static void start() throws Exception {
    String topic = KafkaBrokerExtension.uniqueTopic("ui-wf");
    KAFKA.createTopics(1, topic, topic + ".dlq", topic + ".alerts");
    try (KafkaProducer<String, byte[]> p =
        new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()),
            new StringSerializer(),
            new ByteArraySerializer())) {
      for (Alert a : alerts()) {
        // Each alert's evidence is a real event, so the page shows it (and nothing 404s).
        AuthzEvent e = evidence(a);
        p.send(new ProducerRecord<>(topic, e.partitionKey(), EventCodec.encode(e)));
        p.send(
            TestStamps.asDetector(
                new ProducerRecord<>(
                    topic + ".alerts", a.subject(), EventCodec.mapper().writeValueAsBytes(a))));
      }
    }
    data = Files.createTempDirectory("web-wf-it");
    Map<String, String> settings = new HashMap<>();
    settings.put("indexer.data-dir", data.toString());
    settings.put("kafka.bootstrap-servers", KAFKA.bootstrapServers());
    settings.put("topics.decisions", topic);
    settings.put("topics.dead-letter", topic + ".dlq");
    settings.put("topics.alerts", topic + ".alerts");
    settings.put("topics.alert-changes", topic + ".alert-changes");
    settings.put("indexer.group-id", "web-" + topic);
    QueryLimits limits = QueryLimits.defaults(Duration.ofSeconds(10));
    stack = new UiStack(settings, "wf-" + topic, limits);
    EventStore store = stack.store;
    triage =
        new AlertTriage(
            KafkaClients.plain(KAFKA.bootstrapServers()),
            topic + ".alert-changes",
            (short) 1,
            TestStamps.stamps(),
            AuditTrail.NONE,
            Clock.systemUTC(),
            Duration.ofSeconds(10));
    ApiRoutes routes =
        ApiRoutes.assemble(
                store,
                new Authenticator(
                    StaticTokens.of(
                        Map.of(
                            TokenDigest.of(ANALYST),
                            new Caller("ana", Role.ANALYST, Set.of(), true))),
                    Optional.empty()),
                AuditTrail.NONE,
                limits,
                ExportLimits.defaults(),
                Clock.systemUTC())
            .triage(triage);
    app =
        Javalin.create(
                cfg -> {
                  cfg.startup.showJavalinBanner = false;
                  cfg.jsonMapper(ApiRoutes.json());
                  HttpEdge.install(cfg);
                  routes.install(cfg);
                  WebUi.install(cfg);
                })
            .start("127.0.0.1", 0);
    base = "http://127.0.0.1:" + app.port();
    await()
        .atMost(Duration.ofMinutes(1))
        .until(
            () -> {
              stack.refresh();
              HttpResponse<String> r = get("/api/v1/alerts?from=now-2h");
              return r.statusCode() == 200
                  && EventCodec.mapper().readTree(r.body()).get("total").asInt() == alerts().size();
            });
  }

  @AfterAll
  static void stop() throws Exception {
    app.stop();
    triage.close();
    stack.close();
  }

  static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MILLIS);

  /** Six alerts of one tenant; the second re-raises the first's case, three are replays. */
  static List<Alert> alerts() {
    List<Alert> out = new ArrayList<>();
    String agent = "spiffe://acme.example/agent/load-test-1";
    out.add(alert("al-wf-1", AlertType.DENY_BURST, agent, 50, "25 denies within 60 s"));
    out.add(alert("al-wf-2", AlertType.DENY_BURST, agent, 10, "31 denies within 60 s"));
    for (int i = 3; i <= 5; i++) {
      out.add(
          alert("al-wf-" + i, AlertType.REPLAY, "req-" + i, 40 - i, "request replayed at gw-us-1"));
    }
    out.add(
        alert("al-wf-6", AlertType.EXPIRED_HANDLE_USE, "h-exp-6", 20, "expired handle allowed"));
    return out;
  }

  private static AuthzEvent evidence(Alert a) {
    return AuthzEvent.builder()
        .eventId(a.evidence().get(0))
        .kind(EventKind.DECISION)
        .occurredAt(a.detectedAt().minusSeconds(5))
        .tenant(a.tenant())
        .decision(Decision.DENY)
        .reasonCode("POLICY_DENY")
        .actor(new Actor(a.actor(), ActorType.AGENT, "ops@acme.example", null))
        .tool(new Tool("github", "delete_repo", "tools/call", null))
        .request(new RequestInfo("req-" + a.alertId(), "nonce-" + a.alertId(), null, null, null))
        .source(new Source("gw-us-1", "w-1", null, null))
        .build();
  }

  private static Alert alert(
      String id, AlertType type, String subject, int minutesAgo, String summary) {
    return new Alert(
        id,
        type,
        Severity.HIGH,
        "acme",
        NOW.minus(Duration.ofMinutes(minutesAgo)),
        subject,
        "spiffe://acme.example/agent/load-test-1",
        null,
        null,
        List.of("ev-" + id),
        summary);
  }

  @Test
  void anAnalystAcknowledgesAssignsClosesAndBulkClosesAFilteredList() throws Exception {
    try (Browser browser = new Browser(Files.createTempDirectory("wf-downloads"))) {
      // Tall enough that each screenshot holds the list and the opened alert.
      browser.size(1280, 1700);
      WebDriverWait wait = new WebDriverWait(browser.driver, Duration.ofSeconds(20));
      browser.driver.get(base + "/#token=" + URLEncoder.encode(ANALYST, StandardCharsets.UTF_8));
      wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("result-count")));
      browser.driver.get(base + "/#/alerts?from=now-2h");
      wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("alerts")));
      assertThat(rows(browser))
          .containsExactly("al-wf-2", "al-wf-6", "al-wf-5", "al-wf-4", "al-wf-3", "al-wf-1");
      assertThat(browser.driver.findElement(By.name("status")).getAttribute("value"))
          .as("the list opens on the open alerts")
          .isEqualTo("open");
      shot(browser, "1-open");

      browser.driver.findElement(By.cssSelector("#alerts tr[data-alert-id='al-wf-1']")).click();
      wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("act-ack"))).click();
      wait.until(d -> detailStatus(browser).equals("acknowledged"));
      assertThat(rows(browser)).as("no longer open").doesNotContain("al-wf-1");
      shot(browser, "2-acknowledged");

      WebElement who = browser.driver.findElement(By.cssSelector("#workflow input[name=assignee]"));
      who.clear();
      who.sendKeys("alice");
      browser.driver.findElement(By.id("act-assign")).click();
      wait.until(ExpectedConditions.textToBe(By.id("assignee"), "alice"));
      shot(browser, "3-assigned");

      new Select(browser.driver.findElement(By.cssSelector("#workflow select[name=close_reason]")))
          .selectByValue("false_positive");
      browser
          .driver
          .findElement(By.cssSelector("#workflow textarea[name=note]"))
          .sendKeys("the nightly load test; agent load-test-1 is expected to be denied");
      browser.driver.findElement(By.id("act-close")).click();
      wait.until(d -> detailStatus(browser).equals("closed"));
      List<String> history =
          browser.driver.findElements(By.cssSelector("#history li")).stream()
              .map(WebElement::getText)
              .toList();
      assertThat(history).hasSize(3);
      assertThat(history.get(0))
          .contains("ana")
          .contains("acknowledged → closed (false positive)")
          .contains("the nightly load test");
      assertThat(history.get(1)).contains("assigned to alice");
      shot(browser, "4-closed-false-positive");

      // The same case raised again says how the earlier one ended.
      browser.driver.get(base + "/#/alerts?from=now-2h&id=al-wf-2");
      wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("previous-alert")));
      assertThat(browser.driver.findElement(By.id("previous-alert")).getText())
          .contains("al-wf-1")
          .contains("closed as false positive");
      assertThat(
              browser
                  .driver
                  .findElement(By.cssSelector("#alerts tr[data-alert-id='al-wf-2']"))
                  .getText())
          .contains("re-raised after false positive");
      shot(browser, "5-re-raised");

      // Bulk: every open replay, closed as benign with one note.
      browser.driver.get(base + "/#/alerts?from=now-2h&type=REPLAY");
      wait.until(d -> rows(browser).size() == 3);
      browser.driver.findElement(By.id("bulk-all")).click();
      new Select(browser.driver.findElement(By.name("bulk-reason"))).selectByValue("benign");
      browser.driver.findElement(By.name("bulk-note")).sendKeys("replays of the retry test");
      shot(browser, "6-bulk-chosen");
      browser.driver.findElement(By.id("bulk-close")).click();
      wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("bulk-result")));
      assertThat(browser.driver.findElement(By.id("bulk-result")).getText())
          .startsWith("3 of 3 alert(s) changed");
      wait.until(d -> rows(browser).isEmpty());
      shot(browser, "7-bulk-closed");
      browser.driver.get(base + "/#/alerts?from=now-2h&status=closed");
      wait.until(d -> rows(browser).size() == 4);
      assertThat(rows(browser))
          .containsExactlyInAnyOrder("al-wf-1", "al-wf-3", "al-wf-4", "al-wf-5");
      assertThat(browser.driver.findElement(By.cssSelector("#alert-facets")).getText())
          .contains("open 2")
          .contains("closed 4");
      shot(browser, "8-closed-list");

      // Bulk on a selection: one ticked row of the open ones is acknowledged, the other stays.
      browser.driver.get(base + "/#/alerts?from=now-2h");
      wait.until(d -> rows(browser).size() == 2);
      browser.driver.findElement(By.cssSelector("input[data-select='al-wf-6']")).click();
      assertThat(browser.driver.findElement(By.id("bulk-count")).getText()).isEqualTo("1 selected");
      browser.driver.findElement(By.id("bulk-ack")).click();
      wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("bulk-result")));
      assertThat(browser.driver.findElement(By.id("bulk-result")).getText())
          .startsWith("1 of 1 alert(s) changed");
      wait.until(d -> rows(browser).equals(List.of("al-wf-2")));
      shot(browser, "9-selection-acknowledged");
      assertThat(browser.consoleProblems()).isEmpty();
    }
    JsonNode one = EventCodec.mapper().readTree(get("/api/v1/alerts/al-wf-4").body());
    assertThat(one.get("state").get("close_reason").asText()).isEqualTo("benign");
    assertThat(one.get("state").get("history").get(0).get("note").asText())
        .isEqualTo("replays of the retry test");
  }

  private static void shot(Browser browser, String step) throws Exception {
    System.out.println("screenshot " + browser.screenshot("alert-workflow-" + step + SHOT));
  }

  private static String detailStatus(Browser browser) {
    List<WebElement> s =
        browser.driver.findElements(By.cssSelector("#workflow .badge[data-status]"));
    return s.isEmpty() ? "" : s.get(0).getAttribute("data-status");
  }

  private static List<String> rows(Browser browser) {
    return browser.driver.findElements(By.cssSelector("#alerts tr[data-alert-id]")).stream()
        .map(e -> e.getAttribute("data-alert-id"))
        .toList();
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + ANALYST)
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }
}
