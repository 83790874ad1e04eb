package dev.mcpaudit.rules;

import dev.mcpaudit.kafka.client.KafkaClients;
import dev.mcpaudit.kafka.stamp.StampKind;
import dev.mcpaudit.kafka.stamp.Stamps;
import dev.mcpaudit.rules.query.TermPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every rule of the rules topic, read from its start and followed for as long as the role runs
 * (README, "Alert rules"). A record counts only when it is a valid rule, keyed by its id, a newer
 * version than the one held, and, where stamp keys are configured, stamped by the API: a writer
 * that reaches Kafka without the API can neither add a rule, nor change or delete one, nor bring an
 * old version back. Each change read makes a new {@link RuleBook}, handed to {@code onChange} on
 * this feed's thread.
 */
public final class RuleFeed implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RuleFeed.class);

  private final String topic;
  private final Stamps stamps;
  private final TermPolicy policy;
  private final Consumer<RuleBook> onChange;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Map<String, CustomRule> rules = new ConcurrentHashMap<>();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong applied = new AtomicLong();
  private final Object progress = new Object();
  private final Thread thread;
  private volatile RuleBook book = RuleBook.empty();
  private volatile long position = -1;
  private volatile long endAtStart = -1;
  private volatile boolean running = true;

  /** The topic could not be found (yet): nothing to wait for, its rules come once it is. */
  private volatile boolean absent;

  private final KafkaClients kafka;
  private String creator;
  private short replication;

  /**
   * @param clientId the consumer's client id (each role its own)
   * @param stamps the keys that prove a record the API's; with none configured every valid record
   *     counts, and the log says so
   */
  public RuleFeed(
      KafkaClients kafka,
      String topic,
      String clientId,
      Stamps stamps,
      TermPolicy policy,
      Consumer<RuleBook> onChange) {
    this.kafka = kafka;
    this.topic = topic;
    this.stamps = stamps;
    this.policy = policy;
    this.onChange = onChange;
    this.consumer =
        new KafkaConsumer<>(
            kafka.consumer(
                clientId,
                Map.of(
                    ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG,
                    100,
                    ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG,
                    false)),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer());
    if (!stamps.hasKeys()) {
      log.warn(
          "rules topic={} is read without stamp keys: any writer of the topic can change the rules (set stamp.keys)",
          topic);
    }
    this.thread = new Thread(this::run, "rule-feed");
    thread.setDaemon(true);
  }

  /**
   * Creates the topic (compacted, one partition) if it is missing, on the feed's own thread and for
   * as long as Kafka takes to answer: a role whose Kafka is away at start serves everything else.
   *
   * @param role who creates it, for the admin client's id and the log
   */
  public RuleFeed creatingTopic(String role, short replication) {
    this.creator = role;
    this.replication = replication;
    return this;
  }

  public RuleFeed start() {
    thread.start();
    return this;
  }

  /** The live rules as last read. */
  public RuleBook book() {
    return book;
  }

  /** The rule with this id as last read, deletion markers included. */
  public Optional<CustomRule> rule(String id) {
    return Optional.ofNullable(rules.get(id));
  }

  /** Every rule not deleted, by id. */
  public List<CustomRule> rules() {
    List<CustomRule> out = new ArrayList<>();
    for (CustomRule r : rules.values()) {
      if (!r.deleted()) {
        out.add(r);
      }
    }
    out.sort(Comparator.comparing(CustomRule::id));
    return out;
  }

  /** Rule changes (saves and deletions) that counted, since the feed started. */
  public long applied() {
    return applied.get();
  }

  /** Records of the topic that did not count (unstamped, invalid, stale). */
  public long refused() {
    return refused.get();
  }

  /** Whether everything on the topic when the feed started has been read. */
  public boolean caughtUp() {
    return absent || (endAtStart >= 0 && position >= endAtStart);
  }

  /**
   * Waits until everything on the topic when the feed started has been read.
   *
   * @return false when that did not happen within {@code wait}
   */
  public boolean awaitCaughtUp(Duration wait) throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    synchronized (progress) {
      while (!caughtUp()) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !running) {
          return false;
        }
        java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(progress, left);
      }
    }
    return true;
  }

  /**
   * Waits until the record at {@code offset} has been read.
   *
   * @return false when that did not happen within {@code wait}
   */
  public boolean awaitRead(long offset, Duration wait) throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    synchronized (progress) {
      while (position <= offset) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !running) {
          return false;
        }
        java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(progress, left);
      }
    }
    return true;
  }

  private void run() {
    try {
      TopicPartition tp = assign();
      if (tp == null) {
        return;
      }
      consumer.seekToBeginning(List.of(tp));
      endAtStart = consumer.endOffsets(List.of(tp)).get(tp);
      absent = false;
      while (running) {
        boolean changed = false;
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          changed |= apply(r);
        }
        long at = consumer.position(tp);
        if (changed) {
          book = RuleBook.of(rules.values(), policy, why -> log.warn("rule left out {}", why));
          log.info("rules now live={} (topic={} offset={})", book.size(), topic, at);
          onChange.accept(book);
        }
        synchronized (progress) {
          position = at;
          progress.notifyAll();
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      if (running) {
        log.error("rule feed of topic={} stopped: {}", topic, e.toString());
      }
    } finally {
      consumer.close(Duration.ofSeconds(2));
    }
  }

  /** The topic's one partition, once it exists. */
  private TopicPartition assign() {
    long backoff = 500;
    while (creator != null && running) {
      try {
        dev.mcpaudit.kafka.client.CompactedTopic.ensure(
            kafka, creator, topic, replication, "alert rules");
        break;
      } catch (RuntimeException e) {
        log.warn("alert rules wait for Kafka: {}", e.getMessage());
        if (!pause(backoff)) {
          return null;
        }
        backoff = Math.min(backoff * 2, 10_000);
      }
    }
    backoff = 500;
    while (running) {
      try {
        List<PartitionInfo> parts = consumer.partitionsFor(topic, Duration.ofSeconds(5));
        if (parts != null && !parts.isEmpty()) {
          TopicPartition tp = new TopicPartition(topic, 0);
          consumer.assign(List.of(tp));
          return tp;
        }
      } catch (org.apache.kafka.common.errors.AuthorizationException
          | org.apache.kafka.common.errors.TimeoutException e) {
        log.warn(
            "rules topic={} cannot be read yet ({}); going on without its rules",
            topic,
            e.getMessage());
      }
      // Nobody waits for rules that are not there; they are read once the topic is.
      synchronized (progress) {
        absent = true;
        progress.notifyAll();
      }
      // Another role creates the topic: look again, as a consumer's metadata would.
      if (!pause(backoff)) {
        return null;
      }
      backoff = Math.min(backoff * 2, 5_000);
    }
    return null;
  }

  /** Waits {@code ms} unless closed meanwhile; false once closed. */
  private boolean pause(long ms) {
    synchronized (progress) {
      try {
        progress.wait(ms);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return running;
  }

  private boolean apply(ConsumerRecord<byte[], byte[]> r) {
    if (r.value() == null) {
      return false;
    }
    if (stamps.hasKeys()
        && stamps.verify(r.headers(), r.value()).filter(p -> p.kind() == StampKind.API).isEmpty()) {
      return refuse(r, "not stamped by the API");
    }
    CustomRule rule;
    try {
      rule = RuleCodec.fromTopic(r.value(), policy);
    } catch (RuleCodec.Rejected e) {
      return refuse(r, "not a valid rule: " + e.getMessage());
    }
    String key =
        r.key() == null ? "" : new String(r.key(), java.nio.charset.StandardCharsets.UTF_8);
    if (!key.equals(rule.id())) {
      return refuse(r, "keyed other than its id");
    }
    CustomRule held = rules.get(rule.id());
    if (held != null && rule.version() <= held.version()) {
      return refuse(r, "version " + rule.version() + " is not newer than " + held.version());
    }
    rules.put(rule.id(), rule);
    applied.incrementAndGet();
    return true;
  }

  private boolean refuse(ConsumerRecord<byte[], byte[]> r, String why) {
    refused.incrementAndGet();
    log.warn(
        "rules topic={} offset={} skipped: {}",
        topic,
        r.offset(),
        dev.mcpaudit.runtime.http.LogText.of(why, 300));
    return false;
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    synchronized (progress) {
      progress.notifyAll();
    }
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
