package dev.mcpaudit.kafka.stamp;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Stamps that prove who wrote a Kafka record: an HMAC-SHA256 over the kind, the key id and the
 * record's value, in the {@value #HEADER} header as {@code v1 <kind> <key id> <base64url mac>}.
 * Whoever holds a key can stamp, so a key is given only to the writers it names (its {@link
 * StampKey.Scope}), and a stamp of a kind the key's scope does not allow proves nothing. The
 * record's key and topic are not covered: a stamped value copied elsewhere is the same record,
 * which write-once makes harmless (docs/provenance.md).
 *
 * <p>Thread-safe; one instance per role.
 */
public final class Stamps {
  public static final String HEADER = "mcp-audit-stamp";
  private static final String ALGORITHM = "HmacSHA256";
  private static final int MAX_HEADER_BYTES = 256;

  /** What a valid stamp proves: the kind of writer, and the key it used. */
  public record Proof(StampKind kind, String keyId) {}

  private final Map<String, StampKey> keys;
  private final StampKey signing;
  private final ThreadLocal<Map<String, Mac>> macs = ThreadLocal.withInitial(LinkedHashMap::new);

  /**
   * @param keys the keys whose stamps are accepted
   * @param signing the key this role stamps with, or null for a role that only verifies
   */
  public Stamps(Collection<StampKey> keys, StampKey signing) {
    Map<String, StampKey> byId = new LinkedHashMap<>();
    for (StampKey k : keys) {
      if (byId.putIfAbsent(k.id(), k) != null) {
        throw new IllegalArgumentException("stamp key id " + k.id() + " is configured twice");
      }
    }
    if (signing != null) {
      byId.putIfAbsent(signing.id(), signing);
    }
    this.keys = Map.copyOf(byId);
    this.signing = signing;
  }

  /** Accepts nothing and stamps nothing. */
  public static Stamps none() {
    return new Stamps(java.util.List.of(), null);
  }

  public boolean canSign() {
    return signing != null;
  }

  public boolean hasKeys() {
    return !keys.isEmpty();
  }

  /** The ids of the accepted keys, for start-up logs. */
  public java.util.Set<String> keyIds() {
    return new java.util.TreeSet<>(keys.keySet());
  }

  /** The key this role stamps with, to hand to its publisher. */
  public Optional<StampKey> signingKey() {
    return Optional.ofNullable(signing);
  }

  public Optional<String> signingKeyId() {
    return Optional.ofNullable(signing).map(StampKey::id);
  }

  /**
   * The stamp header for {@code value} written as {@code kind}.
   *
   * @throws IllegalStateException without a signing key, or one whose scope does not allow kind
   */
  public Header sign(StampKind kind, byte[] value) {
    if (signing == null) {
      throw new IllegalStateException("no stamp signing key configured");
    }
    if (!kind.allowedFor(signing.scope())) {
      throw new IllegalStateException(
          "stamp key "
              + signing.id()
              + " ("
              + signing.scope().wire()
              + ") cannot vouch for "
              + kind.wire());
    }
    String mac = Base64.getUrlEncoder().withoutPadding().encodeToString(mac(signing, kind, value));
    return new RecordHeader(
        HEADER,
        ("v1 " + kind.wire() + " " + signing.id() + " " + mac).getBytes(StandardCharsets.US_ASCII));
  }

  /** Replaces any stamp in {@code headers} with this role's, when it has a signing key. */
  public void stamp(Headers headers, StampKind kind, byte[] value) {
    if (signing != null) {
      headers.remove(HEADER);
      headers.add(sign(kind, value));
    }
  }

  /**
   * What the record's stamp proves, if any stamp in {@code headers} is valid for {@code value}
   * under a configured key whose scope allows its kind. Empty for no stamp, a malformed one, an
   * unknown key id or a wrong MAC alike: none of them proves anything.
   */
  public Optional<Proof> verify(Headers headers, byte[] value) {
    if (headers == null || value == null || keys.isEmpty()) {
      return Optional.empty();
    }
    for (Header h : headers.headers(HEADER)) {
      Optional<Proof> p = verify(h.value(), value);
      if (p.isPresent()) {
        return p;
      }
    }
    return Optional.empty();
  }

  private Optional<Proof> verify(byte[] header, byte[] value) {
    if (header == null || header.length > MAX_HEADER_BYTES) {
      return Optional.empty();
    }
    String[] parts = new String(header, StandardCharsets.US_ASCII).split(" ", -1);
    if (parts.length != 4 || !parts[0].equals("v1")) {
      return Optional.empty();
    }
    Optional<StampKind> kind = StampKind.fromWire(parts[1]);
    StampKey key = keys.get(parts[2]);
    if (kind.isEmpty() || key == null || !kind.get().allowedFor(key.scope())) {
      return Optional.empty();
    }
    byte[] claimed;
    try {
      claimed = Base64.getUrlDecoder().decode(parts[3]);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    return MessageDigest.isEqual(claimed, mac(key, kind.get(), value))
        ? Optional.of(new Proof(kind.get(), key.id()))
        : Optional.empty();
  }

  private byte[] mac(StampKey key, StampKind kind, byte[] value) {
    Mac mac =
        macs.get()
            .computeIfAbsent(
                key.id(),
                id -> {
                  try {
                    Mac m = Mac.getInstance(ALGORITHM);
                    m.init(new SecretKeySpec(key.secret(), ALGORITHM));
                    return m;
                  } catch (GeneralSecurityException e) {
                    throw new IllegalStateException("HmacSHA256 is not available", e);
                  }
                });
    mac.update(
        ("mcp-audit-stamp v1\n" + kind.wire() + "\n" + key.id() + "\n")
            .getBytes(StandardCharsets.US_ASCII));
    return mac.doFinal(value);
  }
}
