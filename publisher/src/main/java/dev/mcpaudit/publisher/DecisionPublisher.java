package dev.mcpaudit.publisher;

import dev.mcpaudit.kafka.client.KafkaClients;
import dev.mcpaudit.kafka.client.KafkaClients.Passthrough;
import dev.mcpaudit.kafka.stamp.StampKey;
import dev.mcpaudit.kafka.stamp.StampKind;
import dev.mcpaudit.kafka.stamp.Stamps;
import dev.mcpaudit.publisher.spool.FsyncPolicy;
import dev.mcpaudit.publisher.spool.Spool;
import dev.mcpaudit.publisher.spool.SpoolFullException;
import dev.mcpaudit.publisher.spool.SpoolRecord;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.topic.Topics;
import dev.mcpaudit.schema.validation.EventValidator;
import dev.mcpaudit.schema.validation.InvalidEventException;
import dev.mcpaudit.schema.validation.SourceScope;
import dev.mcpaudit.schema.validation.ValidationError;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes authorization decisions from a Java MCP server or gateway to Kafka without losing any.
 * Each event is validated, then appended to a local spool (a write-ahead log) and sent from there
 * in order by one sender thread; the future completes when Kafka acknowledged it ({@code
 * acks=all}). When Kafka is unreachable the spool simply grows, up to its limit, and is drained in
 * order when Kafka returns, also by the next process on the same spool directory. A crash may
 * resend the last few hundred milliseconds of acknowledged events; consumers dedupe on {@code
 * event_id}, the contract's dedupe key.
 *
 * <pre>{@code
 * try (DecisionPublisher publisher = DecisionPublisher.builder()
 *     .bootstrapServers("kafka-1:9092")
 *     .spoolDirectory(Path.of("/var/lib/my-gateway/mcp-audit-spool"))
 *     .build()) {
 *   publisher.publish(event).whenComplete((receipt, error) -> ...);
 * }
 * }</pre>
 */
public final class DecisionPublisher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DecisionPublisher.class);

  private final String topic;
  private final Spool spool;
  private final EventCodec codec;
  private final SourceScope scope;
  private final Map<String, Object> producerConfig;
  private final int maxInFlight;
  private final long fsyncIntervalNanos;
  private final Duration closeTimeout;
  private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong sendErrors = new AtomicLong();
  private final Thread sender;
  private volatile boolean kafkaAvailable = true;
  private volatile boolean closed;
  private volatile boolean stopping;
  private volatile boolean giveUp;
  private volatile long generation;
  private Producer<String, byte[]> producer;
  private final Stamps stamps;
  private final StampKind stampKind;

  private record Pending(String eventId, CompletableFuture<Receipt> future) {}

  private DecisionPublisher(Builder b) {
    this.topic = b.topic;
    this.spool = Spool.open(b.spoolDirectory, b.maxSpoolBytes, b.segmentBytes, b.fsync);
    this.codec =
        new EventCodec(
            new EventValidator(b.clock, EventValidator.MAX_EVENT_BYTES, b.maxFutureSkew));
    this.scope = b.scope;
    this.stamps = new Stamps(List.of(), b.stampKey);
    this.stampKind = b.apiAuditTrail ? StampKind.API : StampKind.PUBLISHER;
    this.maxInFlight = b.maxInFlight;
    this.fsyncIntervalNanos = b.fsyncInterval.toNanos();
    this.closeTimeout = b.closeTimeout;
    Map<String, Object> cfg = new HashMap<>();
    cfg.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    cfg.put(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
    // Fail fast into the resend loop instead of blocking: the spool is the buffer, not the
    // producer.
    cfg.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2_000);
    cfg.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    cfg.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
    cfg.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
    this.producerConfig = Map.copyOf(b.kafka.producer(b.clientId, cfg));
    this.sender =
        Thread.ofPlatform()
            .name("mcp-audit-publisher-" + b.clientId)
            .daemon(true)
            .unstarted(this::runSender);
    sender.start();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Validates and publishes one event. The future completes with a receipt once Kafka acknowledged
   * it, or fails at once with {@link InvalidEventException} (every field error), {@link
   * SpoolFullException} (Kafka away for too long), or {@link IllegalStateException} (closed).
   */
  public CompletableFuture<Receipt> publish(AuthzEvent event) {
    byte[] bytes = EventCodec.encode(event);
    List<ValidationError> errors = codec.check(bytes);
    if (errors.isEmpty()) {
      errors = scope.check(event);
    }
    if (!errors.isEmpty()) {
      failed.incrementAndGet();
      return CompletableFuture.failedFuture(new InvalidEventException(errors));
    }
    return enqueue(event.eventId(), event.partitionKey(), bytes);
  }

  /** Publishes an event given as JSON bytes; it is validated and sent in canonical form. */
  public CompletableFuture<Receipt> publish(byte[] json) {
    EventCodec.Decoded d = codec.decode(json);
    List<ValidationError> errors = d.isValid() ? scope.check(d.event()) : d.errors();
    if (!errors.isEmpty()) {
      failed.incrementAndGet();
      return CompletableFuture.failedFuture(new InvalidEventException(errors));
    }
    return enqueue(d.event().eventId(), d.event().partitionKey(), EventCodec.encode(d.event()));
  }

  private CompletableFuture<Receipt> enqueue(String eventId, String key, byte[] value) {
    if (closed) {
      failed.incrementAndGet();
      return CompletableFuture.failedFuture(new IllegalStateException("publisher is closed"));
    }
    CompletableFuture<Receipt> future = new CompletableFuture<>();
    // The future is registered under the sequence before the record exists, so an ack that
    // races this thread always finds it.
    synchronized (spool) {
      long seq = spool.nextSeq();
      pending.put(seq, new Pending(eventId, future));
      try {
        spool.append(key, value);
      } catch (RuntimeException e) {
        pending.remove(seq);
        failed.incrementAndGet();
        return CompletableFuture.failedFuture(e);
      }
    }
    LockSupport.unpark(sender);
    return future;
  }

  /** Whether this is mcp-audit's API audit publisher, the one writer of tenant {@code _system}. */
  public boolean isApiAuditTrail() {
    return scope.writesSystemTenant();
  }

  public PublisherMetrics metrics() {
    return new PublisherMetrics(
        sent.get(),
        failed.get(),
        spool.pendingRecords(),
        spool.bytes(),
        sendErrors.get(),
        kafkaAvailable);
  }

  /**
   * Stops accepting events, waits (up to the close timeout, and only while Kafka answers) until
   * everything spooled is acknowledged, then closes. Events still spooled stay on disk; their
   * futures complete with {@link Receipt.Delivery#SPOOLED}.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    stopping = true;
    long deadline = System.nanoTime() + closeTimeout.toNanos();
    while (sender.isAlive() && System.nanoTime() < deadline && kafkaAvailable) {
      LockSupport.unpark(sender);
      join(Duration.ofMillis(50));
    }
    giveUp = true;
    LockSupport.unpark(sender);
    join(Duration.ofSeconds(15));
    spool.close();
    pending.forEach((seq, p) -> p.future().complete(Receipt.spooled(p.eventId())));
    pending.clear();
    log.info("publisher closed sent={} still_spooled={}", sent.get(), spool.pendingRecords());
  }

  private void join(Duration d) {
    try {
      sender.join(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void runSender() {
    Spool.Cursor cursor = new Spool.Cursor();
    long readSeq = spool.firstUnacked();
    long backoffMs = 100;
    try {
      while (!giveUp && !(stopping && spool.pendingRecords() == 0)) {
        spool.maybeForce(fsyncIntervalNanos);
        Throwable f = failure.getAndSet(null);
        if (f != null) {
          sendErrors.incrementAndGet();
          kafkaAvailable = false;
          abortProducer();
          readSeq = spool.firstUnacked();
          cursor = new Spool.Cursor();
          log.warn(
              "kafka send failed; resending from the spool in {} ms pending={} error={}",
              backoffMs,
              spool.pendingRecords(),
              f.toString());
          LockSupport.parkNanos(Duration.ofMillis(backoffMs).toNanos());
          backoffMs = Math.min(backoffMs * 2, 5_000);
          continue;
        }
        if (producer == null) {
          producer =
              new KafkaProducer<>(
                  producerConfig, new StringSerializer(), new ByteArraySerializer());
          generation++;
        }
        if (inFlight.get() >= maxInFlight) {
          LockSupport.parkNanos(1_000_000);
          continue;
        }
        SpoolRecord r = spool.read(readSeq, cursor);
        if (r == null) {
          if (inFlight.get() == 0) {
            spool.checkpoint();
          }
          LockSupport.parkNanos(20_000_000);
          continue;
        }
        readSeq = r.seq() + 1;
        if (spool.isAcked(r.seq())) {
          continue;
        }
        long gen = generation;
        inFlight.incrementAndGet();
        try {
          ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, r.key(), r.value());
          // Stamped as it is sent, not as it is spooled: the spool holds the event alone.
          stamps.stamp(record.headers(), stampKind, r.value());
          producer.send(record, (md, ex) -> completed(gen, r.seq(), md, ex));
        } catch (KafkaException | IllegalStateException e) {
          inFlight.decrementAndGet();
          failure.compareAndSet(null, e);
        }
        if (kafkaAvailable) {
          backoffMs = 100;
        }
      }
    } catch (RuntimeException e) {
      log.error("publisher sender stopped; events stay in the spool", e);
    } finally {
      closeProducer();
    }
  }

  private void completed(long gen, long seq, RecordMetadata md, Exception ex) {
    if (ex == null) {
      spool.ack(seq);
      sent.incrementAndGet();
      kafkaAvailable = true;
      Pending p = pending.remove(seq);
      if (p != null) {
        p.future()
            .complete(
                new Receipt(
                    p.eventId(), Receipt.Delivery.ACKNOWLEDGED, md.partition(), md.offset()));
      }
    } else if (gen == generation) {
      failure.compareAndSet(null, ex);
    }
    if (gen == generation) {
      inFlight.decrementAndGet();
    }
  }

  private void abortProducer() {
    if (producer != null) {
      generation++; // callbacks of the aborted producer no longer count as in flight
      producer.close(Duration.ZERO);
      producer = null;
    }
    inFlight.set(0);
  }

  private void closeProducer() {
    if (producer != null) {
      producer.close(giveUp ? Duration.ZERO : Duration.ofSeconds(5));
      producer = null;
    }
  }

  /**
   * Settings of a publisher; every one has a default except the servers and the spool directory.
   */
  public static final class Builder {
    private String bootstrapServers;
    private String topic = Topics.DEFAULT_DECISIONS;
    private String clientId = "mcp-audit-publisher";
    private Path spoolDirectory;
    private long maxSpoolBytes = 256L << 20;
    private long segmentBytes = 16L << 20;
    private FsyncPolicy fsync = FsyncPolicy.INTERVAL;
    private Duration fsyncInterval = Duration.ofMillis(200);
    private int maxInFlight = 10_000;
    private Duration closeTimeout = Duration.ofSeconds(30);
    private Clock clock = Clock.systemUTC();
    private Duration maxFutureSkew = EventValidator.DEFAULT_MAX_FUTURE_SKEW;
    private List<String> tenants = List.of(SourceScope.EVERY_TENANT);
    private boolean apiAuditTrail;
    private SourceScope scope;
    private final List<Passthrough> producerProperties = new ArrayList<>();
    private KafkaClients kafka;
    private StampKey stampKey;

    /** Kafka's bootstrap list, for a plaintext cluster; see {@link #kafka} for anything else. */
    public Builder bootstrapServers(String servers) {
      this.bootstrapServers = servers;
      return this;
    }

    /**
     * How to reach Kafka: bootstrap list and client properties (TLS, SASL), as every mcp-audit role
     * reaches it. Replaces {@link #bootstrapServers}.
     */
    public Builder kafka(KafkaClients clients) {
      this.kafka = clients;
      return this;
    }

    public Builder topic(String topic) {
      this.topic = topic;
      return this;
    }

    public Builder clientId(String clientId) {
      this.clientId = clientId;
      return this;
    }

    /**
     * Where the spool lives; one publisher per directory (it is locked by use, not by a file lock).
     */
    public Builder spoolDirectory(Path dir) {
      this.spoolDirectory = dir;
      return this;
    }

    /** Most bytes the spool may hold before publish fails fast (default 256 MiB). */
    public Builder maxSpoolBytes(long bytes) {
      this.maxSpoolBytes = bytes;
      return this;
    }

    /** Size of one spool segment file; whole segments are deleted once sent (default 16 MiB). */
    public Builder segmentBytes(long bytes) {
      this.segmentBytes = bytes;
      return this;
    }

    public Builder fsync(FsyncPolicy policy, Duration interval) {
      this.fsync = policy;
      this.fsyncInterval = interval;
      return this;
    }

    /** Records sent but not yet acknowledged, at most (default 10,000). */
    public Builder maxInFlight(int records) {
      this.maxInFlight = records;
      return this;
    }

    /** How long close() waits for Kafka to acknowledge what is spooled (default 30 s). */
    public Builder closeTimeout(Duration timeout) {
      this.closeTimeout = timeout;
      return this;
    }

    /** The clock the validator judges occurred_at against (tests). */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /**
     * How far occurred_at may be ahead of the clock (default 5 minutes, as the collector's {@code
     * validation.max-future-skew}).
     */
    public Builder maxFutureSkew(Duration skew) {
      this.maxFutureSkew = skew;
      return this;
    }

    /**
     * The tenants this publisher writes (default every tenant but {@code _system}); an event for
     * another tenant fails with an {@link InvalidEventException} at {@code /tenant}. Naming {@code
     * _system} makes {@link #build()} refuse: that tenant is mcp-audit's own audit trail.
     */
    public Builder tenants(String... tenants) {
      this.tenants = List.of(tenants);
      return this;
    }

    /**
     * Makes this the publisher of mcp-audit's API audit trail, the one writer of tenant {@code
     * _system}, and of nothing else. A gateway never calls this; the indexer will not take a
     * gateway's word for it (docs/architecture.md, "Sources and their scope").
     */
    public Builder apiAuditTrail() {
      this.apiAuditTrail = true;
      return this;
    }

    /**
     * One more Kafka client property (security, timeouts) on top of {@link #bootstrapServers}. A
     * setting that would weaken delivery ({@code acks=0}, {@code enable.idempotence=false}) makes
     * {@link #build()} refuse, naming it.
     */
    public Builder producerProperty(String key, String value) {
      producerProperties.add(new Passthrough("producerProperty " + key, key, value));
      return this;
    }

    /**
     * The key this publisher stamps its records with ({@code mcp-audit keys new --scope publisher},
     * read with {@link StampKey#read}); the indexer, configured with the same key, stores them as
     * provenance {@code publisher} with the key's id. Without a key the records are
     * indistinguishable from anything else produced to the topic: provenance {@code kafka}. The
     * API's audit publisher takes a {@code roles} key instead.
     */
    public Builder stampKey(StampKey key) {
      this.stampKey = key;
      return this;
    }

    public DecisionPublisher build() {
      Objects.requireNonNull(spoolDirectory, "spoolDirectory");
      if (kafka == null) {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        kafka = KafkaClients.of(bootstrapServers, producerProperties, java.util.Set.of());
      } else if (!producerProperties.isEmpty() || bootstrapServers != null) {
        throw new IllegalArgumentException(
            "kafka(...) already says where Kafka is and how to reach it; drop bootstrapServers and producerProperty");
      }
      if (maxInFlight < 1) {
        throw new IllegalArgumentException("maxInFlight must be >= 1");
      }
      if (maxFutureSkew.isNegative()) {
        throw new IllegalArgumentException("maxFutureSkew must not be negative");
      }
      try {
        scope = apiAuditTrail ? SourceScope.apiAuditTrail() : SourceScope.of(tenants, List.of());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("tenants: " + e.getMessage(), e);
      }
      StampKind kind = apiAuditTrail ? StampKind.API : StampKind.PUBLISHER;
      if (stampKey != null && !kind.allowedFor(stampKey.scope())) {
        throw new IllegalArgumentException(
            "stampKey: key "
                + stampKey.id()
                + " has scope "
                + stampKey.scope().wire()
                + ", which cannot stamp "
                + kind.wire()
                + " records");
      }
      return new DecisionPublisher(this);
    }
  }
}
