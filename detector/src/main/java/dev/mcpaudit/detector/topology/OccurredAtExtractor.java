package dev.mcpaudit.detector.topology;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.event.Rfc3339;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Event time is {@code occurred_at}, not when Kafka got the record: stream time, window-store
 * retention and the grace period all follow when decisions were made. Reads just that field with
 * the streaming parser (the full event is bound once, later). A record without a readable
 * occurred_at gets the time the stream had reached, so it cannot move event time.
 *
 * <p>No event moves time past the detector's own clock, nor past the time Kafka got its record
 * (when that is earlier), plus {@code detector.max-future-skew}: one record dated an hour ahead
 * would otherwise make every honest event of its partition "late" for that hour, and no rule would
 * see them. Bounding by the record's Kafka timestamp matters when a backlog is worked off: an event
 * published three days ago claiming yesterday is not ahead of the detector's clock, but it is two
 * days ahead of its neighbours, and would make the rest of its partition's backlog late. Such an
 * event is timed where its partition had got to (it does not move stream time) and judged there,
 * see {@code Bind}.
 */
public final class OccurredAtExtractor implements TimestampExtractor {
  private final Clock clock;
  private final long maxFutureSkewMs;

  public OccurredAtExtractor(Clock clock, Duration maxFutureSkew) {
    this.clock = clock;
    this.maxFutureSkewMs = maxFutureSkew.toMillis();
  }

  @Override
  public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
    if (record.value() instanceof byte[] bytes) {
      Optional<Instant> at = occurredAt(bytes);
      if (at.isPresent()) {
        long claimed = at.get().toEpochMilli();
        long received = record.timestamp() >= 0 ? record.timestamp() : Long.MAX_VALUE;
        long bound = Math.min(clock.millis(), received) + maxFutureSkewMs;
        if (claimed <= bound) {
          return claimed;
        }
        // The first record of a partition has no time to fall back on: the bound is the best
        // guess there is.
        return partitionTime >= 0 ? Math.min(partitionTime, bound) : bound;
      }
    }
    // Not moving stream time; before the first event, -1 makes Streams skip the record (with a
    // warning and its dropped-records metric): it is not a contract event, and the indexer
    // dead-letters it.
    return partitionTime;
  }

  static Optional<Instant> occurredAt(byte[] json) {
    try (JsonParser p = EventCodec.mapper().getFactory().createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return Optional.empty();
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if ("occurred_at".equals(name)) {
          return value == JsonToken.VALUE_STRING ? Rfc3339.parse(p.getText()) : Optional.empty();
        }
        p.skipChildren();
      }
      return Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
