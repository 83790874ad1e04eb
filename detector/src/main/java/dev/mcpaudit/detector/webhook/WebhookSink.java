package dev.mcpaudit.detector.webhook;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.kafka.client.KafkaClients;
import dev.mcpaudit.kafka.stamp.StampKind;
import dev.mcpaudit.kafka.stamp.Stamps;
import dev.mcpaudit.schema.alert.Alert;
import dev.mcpaudit.schema.event.EventCodec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs each alert of the alerts topic to the configured URLs. It reads the topic with its own
 * consumer (read_committed, so only alerts the detector committed) on its own thread: a slow or
 * dead receiver delays webhooks, never detection. Each alert and URL is retried with exponential
 * backoff up to the attempt limit; offsets are committed once a poll's deliveries have all ended,
 * so a crash re-sends at most that poll (receivers can drop repeats by the X-McpAudit-Alert-Id
 * header).
 */
public final class WebhookSink implements Runnable, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WebhookSink.class);

  private final WebhookConfig config;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final String topic;
  private final HttpClient http;
  private final Counter delivered;
  private final Counter retried;
  private final Counter failed;
  private final Counter restarts;
  private final Counter unproven;
  private final Stamps stamps;
  private volatile boolean running = true;
  private final java.util.concurrent.CountDownLatch closed =
      new java.util.concurrent.CountDownLatch(1);
  private final java.util.concurrent.CountDownLatch assigned =
      new java.util.concurrent.CountDownLatch(1);

  public WebhookSink(
      WebhookConfig config,
      KafkaClients kafka,
      String topic,
      String groupId,
      Stamps stamps,
      MeterRegistry registry) {
    this.config = config;
    this.stamps = stamps;
    this.unproven =
        Counter.builder("mcp_audit_webhook_unproven_refused")
            .description(
                "alert-topic records not delivered for want of a valid detector or indexer stamp"
                    + " (docs/provenance.md)")
            .register(registry);
    this.topic = topic;
    Map<String, Object> cfg = new HashMap<>();
    cfg.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    cfg.put(
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
        "latest"); // a new receiver gets new alerts, not history
    cfg.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100);
    // A poll's deliveries may take all their retries before the next poll.
    cfg.put(
        ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG,
        (int) Math.max(300_000, worstCase(config).toMillis() * 2));
    this.consumer =
        new KafkaConsumer<>(
            kafka.consumer("mcp-audit-webhook", cfg),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer());
    this.http = HttpClient.newBuilder().connectTimeout(config.timeout()).build();
    this.delivered = deliveries(registry, "delivered");
    this.retried = deliveries(registry, "retried");
    this.failed = deliveries(registry, "failed");
    this.restarts =
        Counter.builder("mcp_audit_webhook_sink_restarts")
            .description(
                "times the webhook sink failed outside a delivery and started over from the last committed alert")
            .register(registry);
  }

  // One description for the whole family: Prometheus has one HELP per metric name.
  private static Counter deliveries(MeterRegistry registry, String outcome) {
    return Counter.builder("mcp_audit_webhook_deliveries")
        .tag("outcome", outcome)
        .description(
            "webhook attempts by outcome: delivered, retried (will try again), failed (given up after every attempt)")
        .register(registry);
  }

  /**
   * A new sink starts at the end of the topic (a new receiver wants new alerts, not history), so
   * the detector waits for this before it starts detecting: no alert falls in between.
   */
  public boolean awaitAssigned(Duration timeout) throws InterruptedException {
    return assigned.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  static Duration worstCase(WebhookConfig c) {
    Duration total = Duration.ZERO;
    Duration wait = c.initialBackoff();
    for (int i = 0; i < c.maxAttempts(); i++) {
      total = total.plus(c.timeout()).plus(wait);
      wait = min(wait.multipliedBy(2), c.maxBackoff());
    }
    return total;
  }

  /**
   * Delivers until closed. Should anything outside a single delivery fail (a poll, a commit), the
   * failure is logged and counted, and after a backoff the sink starts over from the last committed
   * alert: it never dies silently, and an alert not yet committed is sent again rather than lost.
   */
  @Override
  public void run() {
    Duration wait = config.initialBackoff();
    try {
      while (running) {
        try {
          deliverUntilClosed();
        } catch (WakeupException e) {
          if (!running) {
            return;
          }
          wait = restartAfter(e, wait);
        } catch (RuntimeException e) {
          if (!running) {
            return;
          }
          wait = restartAfter(e, wait);
        }
      }
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private Duration restartAfter(RuntimeException e, Duration wait) {
    restarts.increment();
    log.error("webhook sink failed; starting over in {} ms", wait.toMillis(), e);
    // Forgets the positions past the last commit: the next subscription resumes from it.
    consumer.unsubscribe();
    try {
      closed.await(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      running = false;
    }
    return min(wait.multipliedBy(2), config.maxBackoff());
  }

  private void deliverUntilClosed() {
    consumer.subscribe(
        List.of(topic),
        new org.apache.kafka.clients.consumer.ConsumerRebalanceListener() {
          @Override
          public void onPartitionsRevoked(
              java.util.Collection<org.apache.kafka.common.TopicPartition> partitions) {}

          @Override
          public void onPartitionsAssigned(
              java.util.Collection<org.apache.kafka.common.TopicPartition> partitions) {
            assigned.countDown();
          }
        });
    while (running) {
      ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
      if (records.isEmpty()) {
        continue;
      }
      List<CompletableFuture<Void>> all = new ArrayList<>();
      for (ConsumerRecord<byte[], byte[]> r : records) {
        if (!isStampedAlert(r)) {
          // Signed and delivered, it would carry mcp-audit's webhook signature: never for anyone's.
          unproven.increment();
          log.warn(
              "webhook not delivering a record without a valid detector or indexer stamp"
                  + " partition={} offset={}",
              r.partition(),
              r.offset());
          continue;
        }
        Alert alert;
        try {
          alert = EventCodec.mapper().readValue(r.value(), Alert.class);
        } catch (IOException | RuntimeException e) {
          log.warn(
              "webhook skipping a record that is not an alert offset={} error={}",
              r.offset(),
              e.getMessage());
          continue;
        }
        byte[] body;
        try {
          body = body(alert);
        } catch (RuntimeException e) {
          failed.increment();
          log.warn("webhook cannot render an alert offset={} error={}", r.offset(), e.toString());
          continue;
        }
        String id = headerValue(alert.alertId());
        for (URI url : config.urls()) {
          all.add(deliverSafely(url, id, body));
        }
      }
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
      consumer.commitSync();
    }
  }

  private boolean isStampedAlert(ConsumerRecord<byte[], byte[]> r) {
    return stamps
        .verify(r.headers(), r.value())
        .filter(p -> p.kind() == StampKind.DETECTOR || p.kind() == StampKind.INDEXER)
        .isPresent();
  }

  double unprovenCount() {
    return unproven.count();
  }

  double restartCount() {
    return restarts.count();
  }

  /**
   * One delivery that cannot take the sink down: whatever building or sending throws is logged and
   * counted as a failed delivery, and the next alert is delivered.
   */
  private CompletableFuture<Void> deliverSafely(URI url, String alertId, byte[] body) {
    try {
      return deliver(url, alertId, body, 1, config.initialBackoff())
          .exceptionally(
              e -> {
                deliveryFailed(url, alertId, e);
                return null;
              });
    } catch (RuntimeException e) {
      deliveryFailed(url, alertId, e);
      return CompletableFuture.completedFuture(null);
    }
  }

  private void deliveryFailed(URI url, String alertId, Throwable e) {
    failed.increment();
    log.warn(
        "webhook delivery failed alert_id={} url={} error={}",
        alertId,
        WebhookConfig.redacted(url),
        e.toString());
  }

  /**
   * An alert id as a header value: the ids mcp-audit makes are hex digests, but the alerts topic
   * may hold anything, and a CR or LF in a header would be refused (or worse, split the request).
   * Anything outside a conservative set is percent-encoded; the length is capped.
   */
  static String headerValue(String alertId) {
    if (alertId == null) {
      return "";
    }
    String v = alertId.length() > 200 ? alertId.substring(0, 200) : alertId;
    StringBuilder b = new StringBuilder(v.length());
    for (byte c : v.getBytes(StandardCharsets.UTF_8)) {
      if ((c >= '0' && c <= '9')
          || (c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || c == '-'
          || c == '_'
          || c == '.'
          || c == ':') {
        b.append((char) c);
      } else {
        b.append('%').append(String.format("%02X", c & 0xff));
      }
    }
    return b.toString();
  }

  /**
   * Text for a Slack message with Slack's three control characters escaped ({@code &}, {@code <},
   * {@code >}), so no alert field can mention a channel or a user ({@code <!channel>}) or forge a
   * link.
   */
  static String slackEscaped(String text) {
    if (text == null) {
      return "";
    }
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private CompletableFuture<Void> deliver(
      URI url, String alertId, byte[] body, int attempt, Duration backoff) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(url)
            .timeout(config.timeout())
            .header("Content-Type", "application/json")
            .header("User-Agent", "mcp-audit-detector")
            .header("X-McpAudit-Alert-Id", alertId)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (config.secret() != null) {
      request.header("X-McpAudit-Signature", "sha256=" + hmac(config.secret(), body));
    }
    return http.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding())
        .handle(
            (response, error) -> {
              if (error == null && response.statusCode() / 100 == 2) {
                delivered.increment();
                return CompletableFuture.<Void>completedFuture(null);
              }
              String why =
                  error != null
                      ? error.getClass().getSimpleName()
                      : "HTTP " + response.statusCode();
              if (attempt >= config.maxAttempts() || !running) {
                failed.increment();
                log.warn(
                    "webhook gave up alert_id={} url={} attempts={} last={}",
                    alertId,
                    WebhookConfig.redacted(url),
                    attempt,
                    why);
                return CompletableFuture.<Void>completedFuture(null);
              }
              retried.increment();
              log.info(
                  "webhook retrying alert_id={} url={} attempt={} in={}ms last={}",
                  alertId,
                  WebhookConfig.redacted(url),
                  attempt,
                  backoff.toMillis(),
                  why);
              return CompletableFuture.supplyAsync(
                      () -> null,
                      CompletableFuture.delayedExecutor(backoff.toMillis(), TimeUnit.MILLISECONDS))
                  .thenCompose(
                      x ->
                          deliver(
                              url,
                              alertId,
                              body,
                              attempt + 1,
                              min(backoff.multipliedBy(2), config.maxBackoff())));
            })
        .thenCompose(f -> f);
  }

  private byte[] body(Alert alert) {
    try {
      if (config.format() == WebhookConfig.Format.SLACK) {
        ObjectNode text = EventCodec.mapper().createObjectNode();
        text.put(
            "text",
            slackEscaped(
                "[mcp-audit] "
                    + alert.severity().wire().toUpperCase(java.util.Locale.ROOT)
                    + " "
                    + alert.type()
                    + " tenant="
                    + alert.tenant()
                    + " subject="
                    + alert.subject()
                    + ": "
                    + alert.summary()
                    + " (alert "
                    + alert.alertId()
                    + ")"));
        return EventCodec.mapper().writeValueAsBytes(text);
      }
      return EventCodec.mapper().writeValueAsBytes(alert);
    } catch (IOException e) {
      throw new IllegalStateException("an alert always serializes", e);
    }
  }

  static String hmac(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  @Override
  public void close() {
    running = false;
    closed.countDown();
    consumer.wakeup();
  }
}
