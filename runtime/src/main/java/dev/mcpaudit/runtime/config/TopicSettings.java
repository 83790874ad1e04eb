package dev.mcpaudit.runtime.config;

import dev.mcpaudit.schema.topic.Topics;

/** The topic names every role reads from the same keys: {@code topics.decisions}, {@code topics.dead-letter}, {@code topics.alerts}. */
public final class TopicSettings {
  private TopicSettings() {}

  public static Topics from(Settings s) {
    return new Topics(
        s.string("topics.decisions", Topics.DEFAULT_DECISIONS),
        s.string("topics.dead-letter", Topics.DEFAULT_DEAD_LETTER),
        s.string("topics.alerts", Topics.DEFAULT_ALERTS));
  }
}
