package dev.mcpaudit.schema.evidence;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A public key that checkpoints are checked against, in the signed-note verifier-key form {@code
 * <name>+<hash>+<base64(0x01 || key)>}, where the hash is the first four bytes of {@code
 * SHA-256(name || 0x0A || 0x01 || key)} in hex. {@code notBefore} and {@code notAfter} (either
 * null: open) bound the checkpoint times it vouches for, so a retired key keeps proving what it
 * signed while it was in use and nothing after.
 */
public record VerifierKey(String name, byte[] key, Instant notBefore, Instant notAfter) {
  static final byte ED25519 = 0x01;

  /** X.509 SubjectPublicKeyInfo header of an Ed25519 key (RFC 8410). */
  private static final byte[] X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

  public VerifierKey {
    checkName(name);
    if (key.length != 32) {
      throw new IllegalArgumentException("an Ed25519 public key is 32 bytes");
    }
    key = key.clone();
  }

  public static VerifierKey of(String name, byte[] key, Instant notBefore, Instant notAfter) {
    return new VerifierKey(name, key, notBefore, notAfter);
  }

  @Override
  public byte[] key() {
    return key.clone();
  }

  /**
   * Reads {@code name+hash+key}.
   *
   * @throws IllegalArgumentException when it is not one, or the hash does not match
   */
  public static VerifierKey parse(String vkey, Instant notBefore, Instant notAfter) {
    String[] parts = vkey.strip().split("\\+", 3);
    if (parts.length != 3) {
      throw new IllegalArgumentException("not a verifier key (name+hash+key)");
    }
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(parts[2]);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("verifier key is not base64");
    }
    if (raw.length != 33 || raw[0] != ED25519) {
      throw new IllegalArgumentException("not an Ed25519 verifier key");
    }
    VerifierKey k = new VerifierKey(parts[0], Arrays.copyOfRange(raw, 1, 33), notBefore, notAfter);
    if (!k.hash().equals(parts[1])) {
      throw new IllegalArgumentException("verifier key hash does not match its key");
    }
    return k;
  }

  static void checkName(String name) {
    if (name == null || name.isEmpty() || !name.matches("[\\x21-\\x7e&&[^+]]{1,128}")) {
      throw new IllegalArgumentException(
          "a key name is 1-128 printable ASCII characters without spaces or '+'");
    }
  }

  /** The four-byte key hash, as the signed-note format computes it. */
  byte[] hashBytes() {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(name.getBytes(StandardCharsets.UTF_8));
      d.update((byte) '\n');
      d.update(ED25519);
      d.update(key);
      return Arrays.copyOf(d.digest(), 4);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public String hash() {
    return HexFormat.of().formatHex(hashBytes());
  }

  /** {@code name+hash}: how the API, the verifier and its messages name a key. */
  public String id() {
    return name + "+" + hash();
  }

  /** The verifier-key text form. */
  public String text() {
    byte[] raw = new byte[33];
    raw[0] = ED25519;
    System.arraycopy(key, 0, raw, 1, 32);
    return id() + "+" + Base64.getEncoder().encodeToString(raw);
  }

  /** Whether this key vouched for things at {@code t}. */
  public boolean validAt(Instant t) {
    return (notBefore == null || !t.isBefore(notBefore))
        && (notAfter == null || t.isBefore(notAfter));
  }

  /** Whether {@code signature} is this key's over {@code text}. */
  boolean verifies(String text, byte[] signature) {
    try {
      PublicKey pub =
          KeyFactory.getInstance("Ed25519")
              .generatePublic(new X509EncodedKeySpec(concat(X509_PREFIX, key)));
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify(pub);
      s.update(text.getBytes(StandardCharsets.UTF_8));
      return s.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** The key hash as the signature line carries it. */
  int hashValue() {
    return ByteBuffer.wrap(hashBytes()).getInt();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VerifierKey k && k.name.equals(name) && Arrays.equals(k.key, key);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(key);
  }

  @Override
  public String toString() {
    return id();
  }
}
