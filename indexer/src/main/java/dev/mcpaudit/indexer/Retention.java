package dev.mcpaudit.indexer;

import dev.mcpaudit.indexer.store.EventIndex;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes events older than the retention age (by occurred_at) and gives their disk space back.
 * Deletions become durable with the indexer's next commit, like everything else it writes; with the
 * index sorted by time, old events sit in old segments, which are dropped whole.
 */
public final class Retention {
  private static final Logger log = LoggerFactory.getLogger(Retention.class);

  private final EventIndex index;
  private final Duration maxAge;
  private final Clock clock;
  private final Runnable commit;

  /** {@code commit} asks the owner of the index to commit soon (only it knows the offsets). */
  public Retention(EventIndex index, Duration maxAge, Clock clock, Runnable commit) {
    this.index = index;
    this.maxAge = maxAge;
    this.clock = clock;
    this.commit = commit;
  }

  /** Deletes what is too old; returns how many events left the index. */
  public long run() throws IOException {
    long cutoff = clock.instant().minus(maxAge).toEpochMilli();
    long removed = index.deleteOccurredBefore(cutoff);
    if (removed > 0) {
      index.reclaimDeleted();
      commit.run();
      log.info("retention removed events={} older_than={}", removed, maxAge);
    }
    return removed;
  }

  void runQuietly() {
    try {
      run();
    } catch (IOException | RuntimeException e) {
      log.warn("retention run failed error={}", e.toString());
    }
  }
}
