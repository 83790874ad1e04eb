package dev.mcpaudit.schema.evidence;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * The C2SP signed-note envelope: the text, an empty line, then one line per signature, {@code —
 * <key name> <base64(key hash || signature)>}. The text ends with a newline and holds no empty
 * line, so the split is unambiguous.
 *
 * @param text what the signatures cover
 * @param signatures every signature line, as read
 */
public record SignedNote(String text, List<Line> signatures) {
  /** One signature line. */
  public record Line(String name, int keyHash, byte[] signature) {}

  private static final String DASH = "\u2014 ";

  static String format(String text, String name, byte[] keyHash, byte[] signature) {
    byte[] both = Arrays.copyOf(keyHash, keyHash.length + signature.length);
    System.arraycopy(signature, 0, both, keyHash.length, signature.length);
    return text + "\n" + DASH + name + " " + Base64.getEncoder().encodeToString(both) + "\n";
  }

  /**
   * Splits a note.
   *
   * @throws IllegalArgumentException naming what is out of shape
   */
  public static SignedNote parse(String note) {
    int split = note.lastIndexOf("\n\n");
    if (split < 0 || !note.endsWith("\n")) {
      throw new IllegalArgumentException("not a signed note: no empty line before the signatures");
    }
    String text = note.substring(0, split + 1);
    List<Line> lines = new ArrayList<>();
    for (String line : note.substring(split + 2, note.length() - 1).split("\n", -1)) {
      if (!line.startsWith(DASH)) {
        throw new IllegalArgumentException("a signature line does not start with '\u2014 '");
      }
      String[] parts = line.substring(DASH.length()).split(" ", -1);
      byte[] raw;
      try {
        raw = parts.length == 2 ? Base64.getDecoder().decode(parts[1]) : new byte[0];
      } catch (IllegalArgumentException e) {
        raw = new byte[0];
      }
      if (raw.length < 5) {
        throw new IllegalArgumentException("a signature line is out of shape");
      }
      lines.add(
          new Line(
              parts[0],
              ByteBuffer.wrap(raw, 0, 4).getInt(),
              Arrays.copyOfRange(raw, 4, raw.length)));
    }
    return new SignedNote(text, List.copyOf(lines));
  }

  /** The first key of {@code keys} that signed this note, whose signature holds; or null. */
  public VerifierKey signedBy(List<VerifierKey> keys) {
    for (Line l : signatures) {
      for (VerifierKey k : keys) {
        if (k.name().equals(l.name())
            && k.hashValue() == l.keyHash()
            && k.verifies(text, l.signature())) {
          return k;
        }
      }
    }
    return null;
  }

  /** Whether some signature line names a key of {@code keys} (signed by it or not). */
  public boolean namesAny(List<VerifierKey> keys) {
    return signatures.stream()
        .anyMatch(
            l ->
                keys.stream()
                    .anyMatch(k -> k.name().equals(l.name()) && k.hashValue() == l.keyHash()));
  }
}
