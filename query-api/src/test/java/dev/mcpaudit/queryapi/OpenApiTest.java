package dev.mcpaudit.queryapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.queryapi.audit.AuditTrail;
import dev.mcpaudit.queryapi.auth.Authenticator;
import dev.mcpaudit.queryapi.auth.StaticTokens;
import dev.mcpaudit.queryapi.http.ApiRoutes;
import dev.mcpaudit.schema.event.EventCodec;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.junit.jupiter.api.Test;

/** The OpenAPI description in schemas/ and the routes the API serves are the same set. */
class OpenApiTest {
  @Test
  void everyRouteIsDescribedAndEveryDescribedRouteExists() throws Exception {
    JsonNode doc;
    try (InputStream in = OpenApiTest.class.getResourceAsStream("/schemas/openapi.v1.json")) {
      doc = EventCodec.mapper().readTree(in);
    }
    assertThat(doc.get("openapi").asText()).isEqualTo("3.1.0");
    Set<String> described = new HashSet<>();
    doc.get("paths")
        .fields()
        .forEachRemaining(
            p ->
                p.getValue()
                    .fieldNames()
                    .forEachRemaining(m -> described.add(m + " " + p.getKey())));

    Set<String> served = new HashSet<>();
    try (ByteBuffersDirectory dir = new ByteBuffersDirectory();
        IndexWriter w = new IndexWriter(dir, new IndexWriterConfig())) {
      w.commit();
      SearcherManager searchers = new SearcherManager(DirectoryReader.open(dir), null);
      new ApiRoutes(
              Authenticator.staticOnly(StaticTokens.of(Map.of())),
              AuditTrail.NONE,
              searchers,
              searchers,
              Duration.ofSeconds(1),
              Clock.systemUTC())
          .routes()
          .forEach(r -> served.add(r.method() + " " + r.path()));
    }
    assertThat(served).isNotEmpty().isEqualTo(described);
    doc.get("paths")
        .forEach(
            p ->
                p.forEach(
                    op -> {
                      assertThat(op.get("summary").asText()).isNotBlank();
                      assertThat(op.get("responses").has("401")).isTrue();
                      assertThat(op.get("security")).isNotEmpty();
                    }));
  }
}
