package dev.mcpaudit.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The test kit's OpenSearch node is a real one: it starts from the Maven artifacts alone, keeps a
 * strict mapping, refuses a second {@code create} of the same id (what write-once into OpenSearch
 * rests on), and stops when closed.
 */
class OpenSearchNodeIT {
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void aRealNodeAnswersKeepsStrictMappingsAndRefusesASecondCreate(@TempDir Path home)
      throws Exception {
    String url;
    try (OpenSearchNode node = OpenSearchNode.start(home)) {
      url = node.url();
      HttpResponse<String> root = send("GET", url + "/", null);
      assertThat(root.statusCode()).isEqualTo(200);
      assertThat(root.body())
          .contains("\"distribution\" : \"opensearch\"")
          .contains("\"number\" : \"3.4.0\"");

      assertThat(
              send(
                      "PUT",
                      url + "/probe",
                      "{\"mappings\":{\"dynamic\":\"strict\",\"properties\":{\"tenant\":{\"type\":\"keyword\"}}}}")
                  .statusCode())
          .isEqualTo(200);
      assertThat(
              send("PUT", url + "/probe/_create/t1-e1?refresh=true", "{\"tenant\":\"t1\"}")
                  .statusCode())
          .isEqualTo(201);
      assertThat(
              send("PUT", url + "/probe/_create/t1-e1?refresh=true", "{\"tenant\":\"t2\"}")
                  .statusCode())
          .as("a second create of one id is a conflict, never an overwrite")
          .isEqualTo(409);
      assertThat(send("PUT", url + "/probe/_create/t1-e2", "{\"unknown\":1}").statusCode())
          .as("a field the strict mapping does not name")
          .isEqualTo(400);
      HttpResponse<String> count = send("GET", url + "/probe/_count?q=tenant:t1", null);
      assertThat(count.body()).contains("\"count\":1");
    }
    HttpResponse<String> after;
    try {
      after = send("GET", url + "/", null);
    } catch (java.io.IOException stopped) {
      after = null;
    }
    assertThat(after).as("the node stopped with close()").isNull();
  }

  private HttpResponse<String> send(String method, String url, String json) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json");
    b.method(
        method,
        json == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(json));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
