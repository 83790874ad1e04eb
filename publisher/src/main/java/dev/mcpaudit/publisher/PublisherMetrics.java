package dev.mcpaudit.publisher;

/**
 * A snapshot of a publisher's counters.
 *
 * @param sent events Kafka acknowledged since start
 * @param failed publish calls refused (invalid event, spool full, publisher closed)
 * @param spooled events in the spool that Kafka has not acknowledged yet
 * @param spoolBytes bytes the spool holds on disk
 * @param sendErrors Kafka send failures that made the publisher back off and resend
 * @param kafkaAvailable whether the last send attempt succeeded
 */
public record PublisherMetrics(
    long sent,
    long failed,
    long spooled,
    long spoolBytes,
    long sendErrors,
    boolean kafkaAvailable) {}
