package dev.mcpaudit.schema.evidence;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;

/**
 * A log's tree head in the C2SP tlog-checkpoint form: the origin (which log), the tree size, the
 * root hash, and one extension line with the time the indexer made it:
 *
 * <pre>
 * mcp-audit/acme/3
 * 41872
 * 4n3K…=
 * time 2026-12-07T10:15:30.123Z
 * </pre>
 *
 * The text every signature covers ({@link SignedNote}).
 */
public record Checkpoint(String origin, long size, byte[] root, Instant time) {
  public Checkpoint {
    if (origin.isEmpty() || origin.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("an origin is one non-empty line");
    }
    if (size < 0 || root.length != MerkleHash.SIZE) {
      throw new IllegalArgumentException("size or root out of shape");
    }
    root = root.clone();
  }

  @Override
  public byte[] root() {
    return root.clone();
  }

  public String text() {
    return origin
        + "\n"
        + size
        + "\n"
        + Base64.getEncoder().encodeToString(root)
        + "\ntime "
        + time
        + "\n";
  }

  /**
   * Reads the text of a checkpoint.
   *
   * @throws IllegalArgumentException naming what is out of shape
   */
  public static Checkpoint parse(String text) {
    if (!text.endsWith("\n")) {
      throw new IllegalArgumentException("checkpoint text does not end with a newline");
    }
    String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
    if (lines.length < 3) {
      throw new IllegalArgumentException("checkpoint has fewer than three lines");
    }
    long size;
    if (!lines[1].matches("0|[1-9][0-9]{0,18}")) {
      throw new IllegalArgumentException("checkpoint tree size is not a decimal number");
    }
    size = Long.parseLong(lines[1]);
    byte[] root;
    try {
      root = Base64.getDecoder().decode(lines[2]);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("checkpoint root hash is not base64");
    }
    if (root.length != MerkleHash.SIZE) {
      throw new IllegalArgumentException("checkpoint root hash is not 32 bytes");
    }
    Instant time = null;
    for (int i = 3; i < lines.length; i++) {
      if (lines[i].startsWith("time ")) {
        try {
          time = Instant.parse(lines[i].substring(5));
        } catch (DateTimeParseException e) {
          throw new IllegalArgumentException("checkpoint time is not an RFC 3339 instant");
        }
      }
    }
    if (time == null) {
      throw new IllegalArgumentException("checkpoint has no time line");
    }
    return new Checkpoint(lines[0], size, root, time);
  }
}
