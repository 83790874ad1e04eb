package dev.mcpaudit.schema.evidence;

/**
 * What an offline check concluded: {@link #VERIFIED} (exit 0), {@link #TAMPERED} (exit 1: the
 * message names what does not hold and why) or {@link #UNVERIFIABLE} (exit 2: an unknown key, a
 * missing proof, a file that cannot be read).
 *
 * @param exit the verifier's exit status
 * @param message one line for a person
 * @param keyId the key that signed, when the signature held
 */
public record Verdict(int exit, String message, String keyId) {
  public static final int VERIFIED = 0;
  public static final int TAMPERED = 1;
  public static final int UNVERIFIABLE = 2;

  static Verdict verified(String message, String keyId) {
    return new Verdict(VERIFIED, message, keyId);
  }

  static Verdict tampered(String message) {
    return new Verdict(TAMPERED, message, null);
  }

  static Verdict unverifiable(String message) {
    return new Verdict(UNVERIFIABLE, message, null);
  }

  public String outcome() {
    return switch (exit) {
      case VERIFIED -> "verified";
      case TAMPERED -> "tampered";
      default -> "unverifiable";
    };
  }
}
