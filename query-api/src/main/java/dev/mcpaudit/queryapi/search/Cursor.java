package dev.mcpaudit.queryapi.search;

import dev.mcpaudit.queryapi.auth.Caller;
import dev.mcpaudit.queryapi.store.InvalidQuery;
import dev.mcpaudit.queryapi.store.Position;
import dev.mcpaudit.queryapi.store.TimeRange;
import dev.mcpaudit.schema.event.Rfc3339;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.TreeSet;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The opaque {@code next_cursor}: the sort key of the last event of a page (occurred_at, then
 * event_id). A key, not a position, so pages stay exact while new events arrive.
 *
 * <p>The text is {@code base64url(nonce ‖ AES-256-GCM(v3|millis|event_id))} under a key derived
 * from {@code api.cursor-key}, with the caller (principal, role and tenants), the query text and
 * the tenant the page was asked with as associated data. So a cursor says nothing in clear (not
 * even the event id it stops at), and one made by hand, edited, carried to another query, or handed
 * to another caller is refused before any value in it is used. One that is authentic is still
 * range-checked against the request (its time inside the window, its id shaped like an event id),
 * because the key may be shared between replicas.
 */
record Cursor(long occurredAt, String eventId) {
  private static final String VERSION = "v3";

  static Cursor at(Position p) {
    return new Cursor(p.occurredAt(), p.eventId());
  }

  Position position() {
    return new Position(occurredAt, eventId);
  }

  /** Far longer than any cursor this API issues (an event id is at most 256 characters). */
  private static final int MAX_TEXT = 1024;

  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final int MAX_ID = 256;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** What a cursor is bound to: the key, who asked, and the query it belongs to. */
  record Binding(CursorKey key, String caller, String q, String tenant) {
    Binding(CursorKey key, Caller caller, String q, String tenant) {
      this(key, identity(caller), q, tenant);
    }

    /** The principal with its role and tenant set: a cursor of one identity is nobody else's. */
    static String identity(Caller caller) {
      return caller.principal()
          + "\n"
          + caller.role()
          + "\n"
          + (caller.allTenants() ? "*" : String.join(",", new TreeSet<>(caller.tenants())));
    }

    /** Lengths first, so no two (caller, q, tenant) triples give the same bytes. */
    byte[] associatedData() {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (String part :
          new String[] {"mcp-audit cursor " + VERSION, caller, norm(q), norm(tenant)}) {
        byte[] b = part.getBytes(StandardCharsets.UTF_8);
        out.writeBytes(ByteBuffer.allocate(4).putInt(b.length).array());
        out.writeBytes(b);
      }
      return out.toByteArray();
    }

    SecretKeySpec aesKey() {
      try {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update("mcp-audit cursor encryption".getBytes(StandardCharsets.UTF_8));
        return new SecretKeySpec(sha.digest(key.bytes()), "AES");
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("SHA-256 is part of every JDK", e);
      }
    }

    private static String norm(String s) {
      return s == null ? "" : s.strip();
    }
  }

  String encode(Binding binding) {
    byte[] plain = (VERSION + "|" + occurredAt + "|" + eventId).getBytes(StandardCharsets.UTF_8);
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, binding.aesKey(), new GCMParameterSpec(TAG_BITS, nonce));
      c.updateAAD(binding.associatedData());
      byte[] sealed = c.doFinal(plain);
      byte[] out = Arrays.copyOf(nonce, NONCE_BYTES + sealed.length);
      System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
      return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is part of every JDK", e);
    }
  }

  /**
   * The cursor, if {@code token} is one this API issued for this caller and query, and it falls
   * inside {@code range}.
   */
  static Cursor decode(String token, Binding binding, TimeRange range) {
    if (token.length() > MAX_TEXT) {
      throw invalid();
    }
    byte[] bytes;
    try {
      bytes = Base64.getUrlDecoder().decode(token);
    } catch (IllegalArgumentException e) {
      throw invalid();
    }
    if (bytes.length < NONCE_BYTES + TAG_BITS / 8) {
      throw invalid();
    }
    byte[] plain;
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(
          Cipher.DECRYPT_MODE,
          binding.aesKey(),
          new GCMParameterSpec(TAG_BITS, bytes, 0, NONCE_BYTES));
      c.updateAAD(binding.associatedData());
      plain = c.doFinal(bytes, NONCE_BYTES, bytes.length - NONCE_BYTES);
    } catch (AEADBadTagException e) {
      throw new InvalidQuery(
          "cursor: not a cursor this API issued for this caller and query (q and tenant as on"
              + " the page that returned it); pass next_cursor unchanged, or start again without cursor");
    } catch (GeneralSecurityException e) {
      throw invalid();
    }
    String[] parts = new String(plain, StandardCharsets.UTF_8).split("\\|", 3);
    if (parts.length != 3
        || !parts[0].equals(VERSION)
        || !validId(parts[2])
        || !parts[1].matches("-?\\d{1,19}")) {
      throw invalid();
    }
    long millis;
    try {
      millis = Long.parseLong(parts[1]);
    } catch (NumberFormatException e) {
      throw invalid();
    }
    if (millis < range.from().toEpochMilli() || millis >= range.to().toEpochMilli()) {
      throw new InvalidQuery(
          "cursor: points at "
              + Rfc3339.format(Instant.ofEpochMilli(millis))
              + ", outside this request's window (from "
              + Rfc3339.format(range.from())
              + " to "
              + Rfc3339.format(range.to())
              + "); start again without cursor");
    }
    return new Cursor(millis, parts[2]);
  }

  /**
   * Shaped like an event id of the contract: 1-256 characters, no whitespace or control characters.
   */
  private static boolean validId(String id) {
    if (id.isEmpty() || id.length() > MAX_ID) {
      return false;
    }
    return id.codePoints()
        .noneMatch(
            c ->
                Character.isWhitespace(c) || Character.isISOControl(c) || Character.isSpaceChar(c));
  }

  private static InvalidQuery invalid() {
    return new InvalidQuery("cursor: not a cursor this API issued; pass next_cursor unchanged");
  }
}
