package dev.mcpaudit.runtime.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Bearer tokens are stored and compared as SHA-256 digests ({@code sha256:<64 hex>}), never as the
 * token itself: a leaked config file or heap dump does not leak a credential. Tokens are 256 random
 * bits, so a plain (unsalted) digest is not guessable.
 */
public final class TokenDigest {
  public static final String PREFIX = "sha256:";
  private static final Pattern FORMAT = Pattern.compile("^sha256:[0-9a-f]{64}$");
  private static final SecureRandom RANDOM = new SecureRandom();

  private TokenDigest() {}

  public static String of(String token) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
      return PREFIX + HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  public static boolean isDigest(String value) {
    return FORMAT.matcher(value).matches();
  }

  /** A new random token: {@code mcpa_} + 43 url-safe characters (256 bits). */
  public static String newToken() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return "mcpa_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
