package dev.mcpaudit.opensearch;

import dev.mcpaudit.runtime.config.ConfigException;
import dev.mcpaudit.runtime.config.ConfigKey;
import java.util.Locale;

/**
 * Where the events and alerts are indexed: the embedded Lucene index beside each indexer (the
 * single-machine default) or an OpenSearch cluster (scale-out; docs/opensearch.md).
 */
public enum IndexBackend {
  LUCENE,
  OPENSEARCH;

  public static final ConfigKey<IndexBackend> KEY =
      ConfigKey.of(
          "index.backend",
          "lucene|opensearch",
          "lucene",
          "where events and alerts are indexed: the embedded Lucene index, or an OpenSearch cluster",
          (name, text) -> {
            try {
              return valueOf(text.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
              throw new ConfigException(name + ": expected lucene or opensearch, got " + text);
            }
          });
}
