package dev.mcpaudit.collector.http;

import dev.mcpaudit.kafka.client.KafkaClients;
import dev.mcpaudit.runtime.health.Health;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The collector's way into Kafka: sends a request's records and waits until Kafka acknowledged all
 * of them ({@code acks=all}), so a 202 means the events are replicated. Shared by all requests;
 * holds no per-request state, so any number of collectors can stand behind a plain load balancer.
 */
final class KafkaGate implements AutoCloseable {
  /** Kafka did not take the whole batch in time; the client should retry it. */
  static final class Unavailable extends Exception {
    Unavailable(String message, Throwable cause) {
      super(message, cause, false, false);
    }
  }

  private final Producer<String, byte[]> producer;
  private final Admin admin;
  private final Duration timeout;
  private volatile long readyCheckedAt;
  private volatile Health health = Health.notReady("not checked yet");

  KafkaGate(KafkaClients kafka, String clientId, Duration timeout) {
    this.timeout = timeout;
    long ms = timeout.toMillis();
    Map<String, Object> tuning = new HashMap<>();
    tuning.put(ProducerConfig.LINGER_MS_CONFIG, 1);
    tuning.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    tuning.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 64L << 20);
    tuning.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Math.min(ms, 5_000));
    tuning.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.max(1_000, ms - 100));
    tuning.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(1_200, ms));
    this.producer =
        new KafkaProducer<>(
            kafka.producer(clientId, tuning), new StringSerializer(), new ByteArraySerializer());
    this.admin = Admin.create(kafka.admin(clientId + "-probe"));
  }

  /** Sends every record and returns once all are acknowledged, or throws if any is not in time. */
  List<RecordMetadata> sendAll(List<ProducerRecord<String, byte[]>> records) throws Unavailable {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Future<RecordMetadata>> acks = new ArrayList<>(records.size());
    try {
      for (ProducerRecord<String, byte[]> r : records) {
        acks.add(producer.send(r));
      }
      List<RecordMetadata> out = new ArrayList<>(records.size());
      for (Future<RecordMetadata> ack : acks) {
        long left = Math.max(0, deadline - System.nanoTime());
        out.add(ack.get(left, TimeUnit.NANOSECONDS));
      }
      return out;
    } catch (ExecutionException e) {
      throw new Unavailable("kafka did not acknowledge the batch: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new Unavailable("kafka did not acknowledge the batch within " + timeout, e);
    } catch (KafkaException e) {
      throw new Unavailable("kafka refused the batch: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Unavailable("interrupted while waiting for kafka", e);
    }
  }

  /** Ready when a broker answered within the last two seconds (for /health/ready). */
  Health health() {
    long now = System.nanoTime();
    if (now - readyCheckedAt > 2_000_000_000L) {
      try {
        admin
            .describeCluster(new DescribeClusterOptions().timeoutMs(2_000))
            .nodes()
            .get(3, TimeUnit.SECONDS);
        health = Health.READY;
      } catch (ExecutionException | TimeoutException e) {
        health =
            Health.notReady(
                "kafka unreachable: " + (e.getCause() == null ? e : e.getCause()).getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        health = Health.notReady("interrupted");
      }
      readyCheckedAt = now;
    }
    return health;
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
    admin.close(Duration.ofSeconds(2));
  }
}
