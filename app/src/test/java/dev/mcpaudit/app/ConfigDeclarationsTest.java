package dev.mcpaudit.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpaudit.collector.http.CollectorConfig;
import dev.mcpaudit.detector.DetectorConfig;
import dev.mcpaudit.indexer.IndexerConfig;
import dev.mcpaudit.queryapi.ApiConfig;
import dev.mcpaudit.runtime.config.ConfigDef;
import dev.mcpaudit.runtime.config.ConfigKey;
import dev.mcpaudit.runtime.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The declarations are the one place a key, its default and its meaning are written; the example
 * file and the README must agree with them: every key they name is declared, and the example file
 * lists every declared key with its default.
 */
class ConfigDeclarationsTest {
  static final List<ConfigDef> ROLES =
      List.of(CollectorConfig.DEF, IndexerConfig.DEF, DetectorConfig.DEF, ApiConfig.DEF);
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  static boolean declared(String key) {
    return ROLES.stream().anyMatch(d -> d.declared(key));
  }

  static Map<String, String> exampleFile() throws Exception {
    Map<String, String> keys = new LinkedHashMap<>();
    Pattern line = Pattern.compile("^#? ?([a-z][a-z0-9-]*\\.[a-z0-9.-]+)=(.*)$");
    for (String l : Files.readAllLines(ROOT.resolve("config/mcp-audit.example.properties"))) {
      Matcher m = line.matcher(l);
      if (m.matches()) {
        keys.put(m.group(1), m.group(2).strip());
      }
    }
    return keys;
  }

  @Test
  void theExampleFileListsEveryDeclaredKeyWithItsDefaultAndNothingElse() throws Exception {
    Map<String, String> example = exampleFile();
    assertThat(example).hasSizeGreaterThan(60);
    assertThat(example.keySet().stream().filter(k -> !declared(k)).toList())
        .as("keys in the example file no role declares")
        .isEmpty();
    List<String> missing = new ArrayList<>();
    List<String> wrongDefault = new ArrayList<>();
    for (ConfigDef role : ROLES) {
      for (ConfigKey<?> key : role.keys()) {
        String value = example.get(key.name());
        if (value == null) {
          missing.add(role.role() + ": " + key.name());
        } else if (!key.defaultText().isEmpty()
            && !key.from(Settings.of(Map.of(key.name(), value)))
                .equals(key.from(Settings.of(Map.of())))) {
          wrongDefault.add(
              key.name() + " is " + value + " in the file, " + key.defaultText() + " declared");
        }
      }
    }
    assertThat(missing).as("declared keys missing from the example file").isEmpty();
    assertThat(wrongDefault).as("defaults that disagree").isEmpty();
  }

  @Test
  void everyKeyTheReadmeNamesIsDeclared() throws Exception {
    String readme =
        Files.readString(ROOT.resolve("README.md"))
            + Files.readString(ROOT.resolve("docs/architecture.md"));
    Matcher m =
        Pattern.compile(
                "`((?:kafka|topics|validation|collector|indexer|detector|api)\\.[a-z][a-z0-9.-]*[a-z0-9])[`=]")
            .matcher(readme);
    TreeSet<String> named = new TreeSet<>();
    while (m.find()) {
      named.add(m.group(1));
    }
    // Not settings: an operation of the API's audit events, and OCSF fields of the export mapping.
    named.removeAll(
        List.of(
            "api.export", "api.operation", "api.request", "api.request.uid", "api.service.name"));
    assertThat(named).hasSizeGreaterThan(30);
    assertThat(named.stream().filter(k -> !declared(k)).toList())
        .as("keys the docs name that no role declares")
        .isEmpty();
  }
}
