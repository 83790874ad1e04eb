package dev.mcpaudit.queryapi.search;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The key that seals cursors ({@code api.cursor-key}). Random per process unless configured; set
 * the same value on every API replica behind one load balancer so each accepts the others' cursors.
 * Never printed: {@link #toString} shows only whether it was configured.
 */
public final class CursorKey {
  /**
   * Shortest configured key accepted: 32 characters, about as strong as the 256-bit random default.
   */
  public static final int MIN_LENGTH = 32;

  private final byte[] bytes;
  private final boolean configured;

  private CursorKey(byte[] bytes, boolean configured) {
    this.bytes = bytes;
    this.configured = configured;
  }

  public static CursorKey random() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return new CursorKey(b, false);
  }

  /** A configured key; blank means a random one. */
  public static CursorKey of(String text) {
    if (text == null || text.isBlank()) {
      return random();
    }
    if (text.strip().length() < MIN_LENGTH) {
      throw new IllegalArgumentException(
          "api.cursor-key: at least "
              + MIN_LENGTH
              + " characters (e.g. `openssl rand -base64 32`)");
    }
    return new CursorKey(text.strip().getBytes(StandardCharsets.UTF_8), true);
  }

  byte[] bytes() {
    return Arrays.copyOf(bytes, bytes.length);
  }

  @Override
  public String toString() {
    return configured ? "CursorKey[configured]" : "CursorKey[random per process]";
  }
}
