package dev.mcpaudit.schema.evidence;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * The indexer's Ed25519 key for signing checkpoints, in the signed-note form of Go's {@code
 * golang.org/x/mod/sumdb/note} that transparency-log witnesses read: {@code
 * PRIVATE+KEY+<name>+<hash>+<base64(0x01 || seed)>}. Its public half is a {@link VerifierKey}.
 * {@link #toString} never shows the key.
 */
public final class SigningKey {
  private final String name;
  private final PrivateKey key;
  private final VerifierKey verifier;

  private SigningKey(String name, byte[] seed) {
    this.name = name;
    try {
      this.key =
          KeyFactory.getInstance("Ed25519")
              .generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, seed));
      // The JDK derives the public key only while generating: hand it the seed as its randomness.
      KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
      g.initialize(NamedParameterSpec.ED25519, new FixedSeed(seed));
      byte[] x509 = g.generateKeyPair().getPublic().getEncoded();
      this.verifier =
          VerifierKey.of(name, Arrays.copyOfRange(x509, x509.length - 32, x509.length), null, null);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has Ed25519", e);
    }
  }

  /** A new random key named {@code name} (no whitespace, no '+'). */
  public static SigningKey generate(String name) {
    VerifierKey.checkName(name);
    byte[] seed = new byte[32];
    new SecureRandom().nextBytes(seed);
    return new SigningKey(name, seed);
  }

  /**
   * Reads the private key's text form.
   *
   * @throws IllegalArgumentException when it is not one, or its hash does not match its key
   */
  public static SigningKey parse(String text) {
    String[] parts = text.strip().split("\\+", 5);
    if (parts.length != 5 || !parts[0].equals("PRIVATE") || !parts[1].equals("KEY")) {
      throw new IllegalArgumentException(
          "not a signed-note private key (PRIVATE+KEY+name+hash+key)");
    }
    VerifierKey.checkName(parts[2]);
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(parts[4]);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("private key is not base64");
    }
    if (raw.length != 33 || raw[0] != VerifierKey.ED25519) {
      throw new IllegalArgumentException("not an Ed25519 private key");
    }
    SigningKey k = new SigningKey(parts[2], Arrays.copyOfRange(raw, 1, 33));
    if (!k.verifier.hash().equals(parts[3])) {
      throw new IllegalArgumentException("private key hash does not match the key");
    }
    return k;
  }

  /** The text form: a secret, written to a file its owner alone reads. */
  public String text() {
    byte[] seed = ((EdECPrivateKey) key).getBytes().orElseThrow();
    byte[] raw = new byte[33];
    raw[0] = VerifierKey.ED25519;
    System.arraycopy(seed, 0, raw, 1, 32);
    return "PRIVATE+KEY+"
        + name
        + "+"
        + verifier.hash()
        + "+"
        + Base64.getEncoder().encodeToString(raw);
  }

  public String name() {
    return name;
  }

  public VerifierKey verifier() {
    return verifier;
  }

  /** Signs {@code text} (the note text, ending in a newline) and returns the signed note. */
  public String sign(String text) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(key);
      s.update(text.getBytes(StandardCharsets.UTF_8));
      return SignedNote.format(text, name, verifier.hashBytes(), s.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 signing failed", e);
    }
  }

  @Override
  public String toString() {
    return "SigningKey[" + verifier.id() + "]";
  }

  /** Randomness that is one given seed: how the JDK is asked for the public key of a seed. */
  private static final class FixedSeed extends SecureRandom {
    private final byte[] seed;

    FixedSeed(byte[] seed) {
      this.seed = seed.clone();
    }

    @Override
    public void nextBytes(byte[] bytes) {
      if (bytes.length != seed.length) {
        throw new IllegalStateException("Ed25519 asked for " + bytes.length + " random bytes");
      }
      System.arraycopy(seed, 0, bytes, 0, bytes.length);
    }
  }
}
