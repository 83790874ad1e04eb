package dev.mcpaudit.kafka.stamp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A secret that stamps records: an id (named in every stamp, so keys can rotate), a scope (what it
 * may vouch for) and 32 random bytes. Read from a file written by {@code mcp-audit keys new}; its
 * {@link #toString()} never shows the secret.
 *
 * <p>File format, one line: {@code mcp-audit-stamp-key v1 <id> <scope> <base64url secret>}; lines
 * starting with {@code #} are comments.
 */
public final class StampKey {
  /** What a key may vouch for. */
  public enum Scope {
    /** mcp-audit's own roles: collector, API audit trail, detector and indexer alerts. */
    ROLES,
    /** One gateway's publisher library: its records are {@code publisher}, nothing else. */
    PUBLISHER;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Scope parse(String s) {
      for (Scope v : values()) {
        if (v.wire().equals(s)) {
          return v;
        }
      }
      throw new IllegalArgumentException("scope must be roles or publisher, not '" + s + "'");
    }
  }

  static final String MAGIC = "mcp-audit-stamp-key";
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final int SECRET_BYTES = 32;

  private final String id;
  private final Scope scope;
  private final byte[] secret;

  private StampKey(String id, Scope scope, byte[] secret) {
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException(
          "key id must be 1-64 characters of letters, digits, '.', '_' or '-'");
    }
    if (secret.length < SECRET_BYTES) {
      throw new IllegalArgumentException("a stamp key needs at least 32 bytes of secret");
    }
    this.id = id;
    this.scope = scope;
    this.secret = secret.clone();
  }

  public static StampKey generate(String id, Scope scope) {
    byte[] secret = new byte[SECRET_BYTES];
    new SecureRandom().nextBytes(secret);
    return new StampKey(id, scope, secret);
  }

  /** Reads a key file; the message of a failure names the file, never its content. */
  public static StampKey read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read stamp key file " + file + ": " + e, e);
    }
    return parse(text, file.toString());
  }

  static StampKey parse(String text, String where) {
    for (String line : text.split("\n")) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      String[] parts = l.split(" ");
      if (parts.length != 5 || !parts[0].equals(MAGIC) || !parts[1].equals("v1")) {
        break;
      }
      byte[] secret;
      try {
        secret = Base64.getUrlDecoder().decode(parts[4]);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + ": the secret is not base64url");
      }
      try {
        return new StampKey(parts[2], Scope.parse(parts[3]), secret);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + ": " + e.getMessage());
      }
    }
    throw new IllegalArgumentException(
        where
            + " is not a stamp key file (expected '"
            + MAGIC
            + " v1 <id> <scope> <secret>'; make one with mcp-audit keys new)");
  }

  /** The file's content. */
  public String encode() {
    return "# mcp-audit stamp key: keep it secret, readable only by the roles that use it\n"
        + MAGIC
        + " v1 "
        + id
        + " "
        + scope.wire()
        + " "
        + Base64.getUrlEncoder().withoutPadding().encodeToString(secret)
        + "\n";
  }

  public String id() {
    return id;
  }

  public Scope scope() {
    return scope;
  }

  byte[] secret() {
    return secret;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StampKey k
        && k.id.equals(id)
        && k.scope == scope
        && java.security.MessageDigest.isEqual(k.secret, secret);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(id, scope);
  }

  @Override
  public String toString() {
    return "StampKey[id=" + id + ", scope=" + scope.wire() + "]";
  }
}
