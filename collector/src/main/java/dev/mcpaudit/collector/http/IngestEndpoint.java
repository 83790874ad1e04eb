package dev.mcpaudit.collector.http;

import dev.mcpaudit.kafka.stamp.StampKind;
import dev.mcpaudit.kafka.stamp.Stamps;
import dev.mcpaudit.runtime.http.Problem;
import dev.mcpaudit.runtime.http.ProblemException;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.topic.Topics;
import dev.mcpaudit.schema.validation.EventValidator;
import dev.mcpaudit.schema.validation.ValidationError;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/decisions}: authenticate the source, read the body within limits, validate each
 * event, stamp the valid ones, and answer only once Kafka acknowledged every record of the batch,
 * the rejected ones included (they go to the dead-letter topic as received, capped by {@link
 * DeadLetter}).
 */
public final class IngestEndpoint {
  public static final String PATH = "/v1/decisions";
  private static final Logger log = LoggerFactory.getLogger(IngestEndpoint.class);
  private static final String RETRY_AFTER_SECONDS = "5";

  /** Unreadable items of one batch kept as a dead letter each; more are kept as one. */
  static final int MAX_UNREADABLE_LETTERS = 100;

  private final SourceTokens tokens;
  private final KafkaGate gate;
  private final Topics topics;
  private final long bodyLimit;
  private final int maxItems;
  private final Clock clock;
  private final EventCodec codec;
  private final CollectorMetrics metrics;
  private final Stamps stamps;

  IngestEndpoint(CollectorConfig config, KafkaGate gate, CollectorMetrics metrics, Clock clock) {
    this.tokens = new SourceTokens(config.sourceTokens());
    this.gate = gate;
    this.topics = config.topics();
    this.bodyLimit = config.bodyLimitBytes();
    this.maxItems = config.maxBatchItems();
    this.clock = clock;
    this.metrics = metrics;
    this.stamps = config.stamps();
    this.codec =
        new EventCodec(
            new EventValidator(clock, EventValidator.MAX_EVENT_BYTES, config.maxFutureSkew()));
  }

  void install(JavalinConfig config) {
    config.routes.post(PATH, this::ingest);
    config.routes.after(PATH, ctx -> metrics.request(ctx.status().getCode()));
  }

  private void ingest(Context ctx) {
    SourceGrant source = tokens.authenticate(ctx.header("Authorization"));
    String principal = source.principal();
    RequestBody.Format format = RequestBody.format(ctx.header("Content-Type"));
    byte[] body =
        RequestBody.read(
            ctx.bodyInputStream(), ctx.header("Content-Encoding"), ctx.contentLength(), bodyLimit);
    Instant now = clock.instant();

    List<BatchItems.Item> items;
    try {
      items = BatchItems.split(format, body, maxItems);
    } catch (BatchItems.MalformedBody e) {
      // Nothing can be rejected item by item, but the body is still kept: nothing is dropped
      // silently.
      send(List.of(DeadLetter.of(topics.deadLetter(), body, e.getMessage(), now, principal)));
      metrics.rejected.increment();
      throw ProblemException.badRequest(e.getMessage());
    }

    List<ProducerRecord<String, byte[]>> records = new ArrayList<>(items.size());
    List<IngestResponse.Rejected> rejected = new ArrayList<>();
    List<IngestResponse.Rejected> unreadable = new ArrayList<>();
    for (BatchItems.Item item : items) {
      EventCodec.Decoded d =
          item.tree() == null
              ? codec.decode(item.raw())
              : codec.decode(item.tree(), item.raw().length);
      // A valid event for a tenant or gateway outside the token's scope is refused like an invalid
      // one.
      List<ValidationError> errors = d.isValid() ? source.scope().check(d.event()) : d.errors();
      if (errors.isEmpty()) {
        AuthzEvent stamped = d.event().stampedByCollector(now, principal);
        byte[] value = EventCodec.encode(stamped);
        ProducerRecord<String, byte[]> record =
            new ProducerRecord<>(topics.decisions(), stamped.partitionKey(), value);
        stamps.stamp(record.headers(), StampKind.COLLECTOR, value);
        records.add(record);
        continue;
      }
      if (d.isValid()) {
        metrics.outOfScope.increment();
      }
      IngestResponse.Rejected refusal = new IngestResponse.Rejected(item.index(), errors);
      rejected.add(refusal);
      if (isUnreadable(errors)) {
        unreadable.add(refusal);
      } else {
        records.add(
            DeadLetter.of(topics.deadLetter(), item.raw(), describe(errors), now, principal));
      }
    }
    if (unreadable.size() <= MAX_UNREADABLE_LETTERS) {
      unreadable.forEach(
          r ->
              records.add(
                  DeadLetter.of(
                      topics.deadLetter(),
                      items.get(r.index()).raw(),
                      describe(r.errors()),
                      now,
                      principal)));
    } else {
      records.add(together(unreadable, items, now, principal));
    }
    send(records);
    int accepted = items.size() - rejected.size();
    metrics.accepted.increment(accepted);
    metrics.rejected.increment(rejected.size());
    ctx.status(202).json(IngestResponse.of(accepted, rejected));
  }

  /** Not JSON, or JSON that is not an object: nothing in it names a field to fix. */
  private static boolean isUnreadable(List<ValidationError> errors) {
    if (errors.size() != 1) {
      return false;
    }
    ValidationError e = errors.get(0);
    return e.rule().equals("json") || (e.pointer().isEmpty() && e.rule().equals("type"));
  }

  /**
   * Items that are not JSON are kept one dead letter each while they are few; past {@link
   * #MAX_UNREADABLE_LETTERS} in one batch they are kept as one dead letter holding them all, one
   * per line, so junk never turns into as many records as it has lines.
   */
  private ProducerRecord<String, byte[]> together(
      List<IngestResponse.Rejected> unreadable,
      List<BatchItems.Item> items,
      Instant now,
      String principal) {
    java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
    for (IngestResponse.Rejected r : unreadable) {
      all.writeBytes(items.get(r.index()).raw());
      all.write('\n');
    }
    String error =
        unreadable.size()
            + " of the batch's "
            + items.size()
            + " items are not JSON objects (items "
            + unreadable.get(0).index()
            + ", "
            + unreadable.get(1).index()
            + ", ...); kept together, one per line";
    return DeadLetter.of(topics.deadLetter(), all.toByteArray(), error, now, principal);
  }

  private static String describe(List<ValidationError> errors) {
    return errors.stream().map(ValidationError::toString).collect(Collectors.joining("; "));
  }

  private void send(List<ProducerRecord<String, byte[]>> records) {
    try {
      gate.sendAll(records);
    } catch (KafkaGate.Unavailable e) {
      metrics.unavailable.increment();
      log.warn(
          "batch not acknowledged by kafka records={} error={}", records.size(), e.getMessage());
      throw new ProblemException(
          Problem.of(
              503,
              "Service Unavailable",
              "Kafka did not acknowledge the batch; nothing in it is acknowledged. Retry the whole batch: "
                  + "event_id makes a retry safe."),
          Map.of("Retry-After", RETRY_AFTER_SECONDS));
    }
  }
}
