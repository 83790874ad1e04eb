package dev.mcpaudit.opensearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpaudit.runtime.config.ConfigException;
import dev.mcpaudit.runtime.config.Settings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cluster settings refuse what would leak a secret or silently do something else. */
class OpenSearchSettingsTest {
  @TempDir Path dir;

  static OpenSearchSettings read(Map<String, String> values) {
    return OpenSearchSettings.from(Settings.of(values));
  }

  @Test
  void defaultsAreOneLocalNodeWithoutCredentials() {
    OpenSearchSettings s = read(Map.of());
    assertThat(s.hosts()).containsExactly(URI.create("http://127.0.0.1:9200"));
    assertThat(s.auth()).isInstanceOf(OpenSearchSettings.Auth.None.class);
    assertThat(s.indexPrefix()).isEqualTo("mcp-audit");
    assertThat(s.shards()).isEqualTo(1);
    assertThat(s.replicas()).isEqualTo(1);
    assertThat(s.summary()).contains("auth=none", "tls=off");
  }

  @Test
  void credentialsGoOnlyOverHttpsOrToThisMachine() throws Exception {
    Path pw = Files.writeString(dir.resolve("pw"), "hunter2");
    Map<String, String> basic =
        Map.of("opensearch.username", "u", "opensearch.password-file", pw.toString());
    assertThatThrownBy(() -> read(with(basic, "opensearch.hosts", "http://search.example:9200")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("credentials go only over https");
    // A name is not resolved to decide it is this machine; only literal loopback and localhost.
    assertThatThrownBy(() -> read(with(basic, "opensearch.hosts", "http://10.0.0.7:9200")))
        .isInstanceOf(ConfigException.class);
    assertThat(read(with(basic, "opensearch.hosts", "http://localhost:9200")).auth())
        .isInstanceOf(OpenSearchSettings.Auth.Basic.class);
    assertThat(
            read(with(basic, "opensearch.hosts", "http://127.0.0.1:9200,https://b:9201")).hosts())
        .containsExactly(URI.create("http://127.0.0.1:9200"), URI.create("https://b:9201"));
    OpenSearchSettings tls = read(with(basic, "opensearch.hosts", "https://search.example"));
    assertThat(tls.hosts()).containsExactly(URI.create("https://search.example:9200"));
    assertThat(tls.summary())
        .contains("auth=basic (user u)", "tls=server ca=jvm")
        .doesNotContain("hunter2");
    assertThat(tls.toString()).doesNotContain("hunter2");
  }

  @Test
  void oneWayToAuthenticateAndEachPartWithItsPartner() throws Exception {
    Path f = Files.writeString(dir.resolve("secret"), "x");
    assertThatThrownBy(
            () ->
                read(
                    Map.of(
                        "opensearch.username", "u",
                        "opensearch.password-file", f.toString(),
                        "opensearch.api-key-file", f.toString())))
        .hasMessageContaining("exclude each other");
    assertThatThrownBy(() -> read(Map.of("opensearch.username", "u")))
        .hasMessageContaining("go together");
    assertThatThrownBy(
            () ->
                read(
                    Map.of("opensearch.username", "a:b", "opensearch.password-file", f.toString())))
        .hasMessageContaining("cannot hold ':'");
    assertThatThrownBy(
            () ->
                read(
                    Map.of(
                        "opensearch.hosts",
                        "https://h:9200",
                        "opensearch.tls.client-cert",
                        f.toString())))
        .hasMessageContaining("go together (mutual TLS)");
    assertThatThrownBy(
            () ->
                read(
                    Map.of("opensearch.hosts", "http://h:9200", "opensearch.tls.ca", f.toString())))
        .hasMessageContaining("plain http, but opensearch.tls.* is set");
    assertThat(read(Map.of("opensearch.api-key-file", f.toString())).auth())
        .isEqualTo(new OpenSearchSettings.Auth.ApiKey(f));
  }

  @Test
  void hostsAndPrefixesThatAreNotWhatTheyLookLikeAreRefused() {
    List<String> accepted = new java.util.ArrayList<>();
    for (String hosts :
        List.of(
            "ftp://h:21",
            "https://user:pw@h:9200",
            "https://h:9200/path",
            "https://h:9200/?q=1",
            "h:9200")) {
      try {
        read(Map.of("opensearch.hosts", hosts));
        accepted.add(hosts);
      } catch (ConfigException e) {
        assertThat(e.getMessage()).doesNotContain("pw@");
      }
    }
    for (String prefix : List.of("Upper", "-lead", "a*b", "a".repeat(41), "x/y")) {
      try {
        read(Map.of("opensearch.index-prefix", prefix));
        accepted.add(prefix);
      } catch (ConfigException e) {
        assertThat(e.getMessage()).contains("opensearch.index-prefix");
      }
    }
    assertThat(accepted).isEmpty();
  }

  @Test
  void theBackendIsLuceneUnlessSaidOtherwise() {
    assertThat(IndexBackend.KEY.from(Settings.of(Map.of()))).isEqualTo(IndexBackend.LUCENE);
    assertThat(IndexBackend.KEY.from(Settings.of(Map.of("index.backend", "OpenSearch"))))
        .isEqualTo(IndexBackend.OPENSEARCH);
    assertThatThrownBy(() -> IndexBackend.KEY.from(Settings.of(Map.of("index.backend", "solr"))))
        .hasMessageContaining("expected lucene or opensearch");
  }

  private static Map<String, String> with(Map<String, String> base, String key, String value) {
    Map<String, String> m = new HashMap<>(base);
    m.put(key, value);
    return m;
  }
}
