package dev.mcpaudit.schema.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The public keys checkpoints are checked against, read from either form the project writes: the
 * answer of {@code GET /api/v1/evidence/keys} ({@code {"keys":[{"vkey":…,"not_before":…,
 * "not_after":…}]}}), or lines of {@code <vkey> [not_before=<instant>] [not_after=<instant>]} as
 * {@code mcp-audit keys new --scope evidence} writes them ({@code #} starts a comment).
 */
public final class KeySet {
  private KeySet() {}

  /**
   * @throws IllegalArgumentException naming the key or line that is out of shape
   */
  public static List<VerifierKey> parse(String text) {
    String t = text.strip();
    List<VerifierKey> keys = new ArrayList<>();
    if (t.startsWith("{")) {
      JsonNode root;
      try {
        root = new ObjectMapper().readTree(t);
      } catch (IOException e) {
        throw new IllegalArgumentException("keys: not JSON: " + e.getMessage());
      }
      int i = 0;
      for (JsonNode k : root.path("keys")) {
        String where = "keys[" + i++ + "]";
        keys.add(
            key(
                where,
                k.path("vkey").asText(""),
                k.path("not_before").textValue(),
                k.path("not_after").textValue()));
      }
    } else {
      int n = 0;
      for (String line : t.split("\n")) {
        n++;
        String l = line.strip();
        if (l.isEmpty() || l.startsWith("#")) {
          continue;
        }
        String[] words = l.split("\\s+");
        String nb = null;
        String na = null;
        for (int w = 1; w < words.length; w++) {
          if (words[w].startsWith("not_before=")) {
            nb = words[w].substring("not_before=".length());
          } else if (words[w].startsWith("not_after=")) {
            na = words[w].substring("not_after=".length());
          } else {
            throw new IllegalArgumentException("line " + n + ": unknown word " + words[w]);
          }
        }
        keys.add(key("line " + n, words[0], nb, na));
      }
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("keys: no key given");
    }
    return List.copyOf(keys);
  }

  private static VerifierKey key(String where, String vkey, String notBefore, String notAfter) {
    try {
      return VerifierKey.parse(vkey, instant(notBefore), instant(notAfter));
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage());
    }
  }

  private static Instant instant(String s) {
    return s == null || s.isEmpty() ? null : Instant.parse(s);
  }

  /** One line of the text form. */
  public static String line(VerifierKey k) {
    return k.text()
        + (k.notBefore() == null ? "" : " not_before=" + k.notBefore())
        + (k.notAfter() == null ? "" : " not_after=" + k.notAfter());
  }
}
