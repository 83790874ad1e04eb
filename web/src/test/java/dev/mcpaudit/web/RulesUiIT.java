package dev.mcpaudit.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mcpaudit.detector.DetectorConfig;
import dev.mcpaudit.detector.DetectorService;
import dev.mcpaudit.kafka.client.KafkaClients;
import dev.mcpaudit.queryapi.audit.AuditTrail;
import dev.mcpaudit.queryapi.auth.Authenticator;
import dev.mcpaudit.queryapi.auth.Caller;
import dev.mcpaudit.queryapi.auth.Role;
import dev.mcpaudit.queryapi.auth.StaticTokens;
import dev.mcpaudit.queryapi.export.ExportLimits;
import dev.mcpaudit.queryapi.http.ApiRoutes;
import dev.mcpaudit.queryapi.rules.RuleRegistry;
import dev.mcpaudit.queryapi.search.QueryLimits;
import dev.mcpaudit.runtime.auth.TokenDigest;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.runtime.http.HttpEdge;
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
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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
 * An admin makes an alert rule from a search in a real headless Chromium: the editor opens on the
 * search's query, the preview over the stored events names the actor that would have been alerted,
 * the rule is saved, and the running detector raises its alert on new traffic, shown on the Alerts
 * page with the rule and its OWASP identifier. Screenshots go to {@code
 * web/target/screenshots/rule-*.png}.
 */
class RulesUiIT {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.shared();
  static final String ADMIN = TokenDigest.newToken();
  static final String QUERY = "decision:allow AND tool.name:delete_*";
  static UiStack stack;
  static DetectorService detector;
  static SimpleMeterRegistry metrics = new SimpleMeterRegistry();
  static RuleRegistry rules;
  static Javalin app;
  static String base;
  static String topic;
  static int sequence;
  static int looks;

  @BeforeAll
  static void start() throws Exception {
    topic = KafkaBrokerExtension.uniqueTopic("ui-rules");
    KAFKA.createTopics(1, topic, topic + ".dlq", topic + ".alerts");
    Path data = Files.createTempDirectory("web-rules-it");
    Map<String, String> settings = new HashMap<>();
    settings.put("indexer.data-dir", data.resolve("index").toString());
    settings.put("kafka.bootstrap-servers", KAFKA.bootstrapServers());
    settings.put("topics.decisions", topic);
    settings.put("topics.dead-letter", topic + ".dlq");
    settings.put("topics.alerts", topic + ".alerts");
    settings.put("topics.alert-changes", topic + ".alert-changes");
    settings.put("topics.rules", topic + ".rules");
    settings.put("indexer.group-id", "web-" + topic);
    settings.put("detector.state-dir", data.resolve("detector").toString());
    settings.put("detector.application-id", "web-detector-" + topic);
    settings = TestStamps.with(settings);
    // Earlier traffic: agent-x deleted three times in five minutes, agent-y once.
    Instant earlier = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(240);
    send(
        List.of(
            delete("agent-x", earlier),
            delete("agent-y", earlier.plusSeconds(30)),
            delete("agent-x", earlier.plusSeconds(60)),
            delete("agent-x", earlier.plusSeconds(120))));
    QueryLimits limits = QueryLimits.defaults(Duration.ofSeconds(10));
    stack = new UiStack(settings, "rules-" + topic, limits);
    detector = DetectorService.embedded(DetectorConfig.from(Settings.of(settings)), metrics);
    rules =
        new RuleRegistry(
            KafkaClients.plain(KAFKA.bootstrapServers()),
            topic + ".rules",
            (short) 1,
            TestStamps.stamps(),
            AuditTrail.NONE,
            Clock.systemUTC(),
            Duration.ofSeconds(10));
    ApiRoutes routes =
        ApiRoutes.assemble(
                stack.store,
                new Authenticator(
                    StaticTokens.of(
                        Map.of(
                            TokenDigest.of(ADMIN), new Caller("root", Role.ADMIN, Set.of(), true))),
                    Optional.empty()),
                AuditTrail.NONE,
                limits,
                ExportLimits.defaults(),
                Clock.systemUTC())
            .rules(rules);
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
  }

  @AfterAll
  static void stop() throws Exception {
    app.stop();
    rules.close();
    detector.close();
    stack.close();
  }

  @Test
  void anAdminMakesARuleFromASearchPreviewsItSavesItAndSeesItsAlert() throws Exception {
    try (Browser browser = new Browser(Files.createTempDirectory("rules-downloads"))) {
      browser.size(1280, 1300);
      WebDriverWait wait = new WebDriverWait(browser.driver, Duration.ofSeconds(30));
      browser.driver.get(base + "/#token=" + URLEncoder.encode(ADMIN, StandardCharsets.UTF_8));
      wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("result-count")));
      // The search the rule comes from, once the earlier traffic is indexed.
      await()
          .atMost(Duration.ofMinutes(1))
          .until(
              () -> {
                stack.refresh();
                browser.driver.get(
                    base
                        + "/#/search?from=now-1h&look="
                        + (looks++)
                        + "&q="
                        + URLEncoder.encode(QUERY, StandardCharsets.UTF_8));
                WebElement count =
                    wait.until(
                        ExpectedConditions.visibilityOfElementLocated(By.id("result-count")));
                return "4".equals(count.getAttribute("data-total"));
              });
      browser.screenshot("rule-from-search" + (UiStack.OPENSEARCH ? "-opensearch" : ""));
      browser.driver.findElement(By.id("create-rule")).click();

      // The editor holds the search's query; the admin names it and sets its threshold.
      WebElement query =
          wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("rule-query")));
      assertThat(query.getAttribute("value")).isEqualTo("(" + QUERY + ")");
      browser.driver.findElement(By.id("rule-name")).sendKeys("Allowed deletes");
      assertThat(browser.driver.findElement(By.id("rule-id")).getAttribute("value"))
          .isEqualTo("allowed-deletes");
      browser.driver.findElement(By.id("rule-tenant")).clear();
      browser.driver.findElement(By.id("rule-tenant")).sendKeys("acme");
      new Select(browser.driver.findElement(By.cssSelector("select[data-group='0']")))
          .selectByValue("actor.id");
      set(browser, "rule-threshold", "3");
      set(browser, "rule-window", "600");
      new Select(browser.driver.findElement(By.id("rule-severity"))).selectByValue("high");
      browser.driver.findElement(By.cssSelector("input[name='owasp'][value='ASI02']")).click();
      new Select(browser.driver.findElement(By.name("range"))).selectByValue("now-1h");

      // The preview names agent-x (three deletes), not agent-y (one).
      browser.driver.findElement(By.id("rule-preview")).click();
      WebElement summary =
          wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("preview-summary")));
      assertThat(summary.getAttribute("data-raised")).isEqualTo("1");
      assertThat(summary.getAttribute("data-events")).isEqualTo("4");
      assertThat(
              browser.driver.findElements(By.cssSelector("#preview tbody tr")).stream()
                  .map(WebElement::getText)
                  .toList())
          .singleElement()
          .asString()
          .contains("spiffe://acme.example/agent/agent-x");
      browser.screenshot("rule-preview" + (UiStack.OPENSEARCH ? "-opensearch" : ""));

      // Saved: listed, and live in the detector within seconds.
      browser.driver.findElement(By.id("rule-save")).click();
      wait.until(
          ExpectedConditions.visibilityOfElementLocated(
              By.cssSelector("#rules tr[data-rule-id='allowed-deletes']")));
      assertThat(browser.driver.findElement(By.id("rules")).getText())
          .contains("Allowed deletes", "≥ 3 in 10 min", "ASI02");
      browser.screenshot("rule-list" + (UiStack.OPENSEARCH ? "-opensearch" : ""));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> metrics.get("mcp_audit_detector_rule_changes_applied").gauge().value() >= 1);

      // New traffic: agent-z deletes three times; its alert appears with the rule and OWASP id.
      Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(20);
      send(
          List.of(
              delete("agent-z", now),
              delete("agent-z", now.plusSeconds(5)),
              delete("agent-z", now.plusSeconds(10))));
      await()
          .atMost(Duration.ofMinutes(1))
          .until(
              () -> {
                stack.refresh();
                // Another hash each time, so the page is shown again (the same one is not).
                browser.driver.get(
                    base + "/#/alerts?from=now-1h&type=CUSTOM_RULE&look=" + (looks++));
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("alert-count")));
                return !browser.driver.findElements(By.cssSelector("#alerts tbody tr")).isEmpty();
              });
      List<WebElement> rows = browser.driver.findElements(By.cssSelector("#alerts tbody tr"));
      assertThat(rows).hasSize(1);
      assertThat(rows.get(0).getText())
          .contains("rule: Allowed deletes", "ASI02", "spiffe://acme.example/agent/agent-z");
      rows.get(0).click();
      WebElement detail =
          wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("alert-owasp")));
      assertThat(detail.getText()).contains("ASI02 Tool Misuse and Exploitation");
      assertThat(browser.driver.findElement(By.id("alert-rule")).getText())
          .contains("allowed-deletes", "version 1");
      assertThat(browser.driver.findElements(By.cssSelector("#evidence tbody tr"))).hasSize(3);
      browser.screenshot("rule-alert" + (UiStack.OPENSEARCH ? "-opensearch" : ""));
      assertThat(browser.consoleProblems()).isEmpty();
    }
  }

  private static void set(Browser browser, String id, String value) {
    WebElement e = browser.driver.findElement(By.id(id));
    e.clear();
    e.sendKeys(value);
  }

  private static AuthzEvent delete(String agent, Instant at) {
    int n = sequence++;
    return AuthzEvent.builder()
        .eventId("ui-rule-" + n)
        .kind(EventKind.DECISION)
        .occurredAt(at)
        .tenant("acme")
        .decision(Decision.ALLOW)
        .reasonCode("ALLOWED")
        .actor(
            new Actor(
                "spiffe://acme.example/agent/" + agent, ActorType.AGENT, "ops@acme.example", null))
        .tool(new Tool("github", "delete_repo", "tools/call", null))
        .request(new RequestInfo("req-ui-" + n, "nonce-ui-" + n, null, null, null))
        .source(new Source("gw-us-1", "w-1", null, null))
        .build();
  }

  private static void send(List<AuthzEvent> events) throws Exception {
    try (KafkaProducer<String, byte[]> p =
        new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()),
            new StringSerializer(),
            new ByteArraySerializer())) {
      for (AuthzEvent e : events) {
        p.send(new ProducerRecord<>(topic, e.partitionKey(), EventCodec.encode(e))).get();
      }
    }
  }
}
