package dev.mcpaudit.runtime.http;

import dev.mcpaudit.runtime.config.ConfigException;
import dev.mcpaudit.runtime.config.ConfigKey;
import dev.mcpaudit.runtime.config.Settings;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * How a listener that takes bearer tokens (collector, api, quickstart) protects them in transit:
 * HTTPS with a key store or PEM files, or plain HTTP, which is allowed on loopback and, beyond it,
 * only when the operator says a TLS proxy in front terminates HTTPS. The ops listeners of the
 * indexer and detector carry no tokens and stay plain.
 *
 * @param tls the key and chain; empty for plain HTTP
 * @param plainBeyondLoopback plain HTTP on a non-loopback address was asked for
 */
public record HttpSecurity(Optional<HttpTls> tls, boolean plainBeyondLoopback) {
  public static final ConfigKey<String> KEY_STORE =
      ConfigKey.string(
          "http.tls.key-store",
          "",
          "PKCS12 key store with the listener's private key and certificate chain: HTTPS when set");
  public static final ConfigKey<String> KEY_STORE_PASSWORD =
      ConfigKey.string(
          "http.tls.key-store-password", "", "password of http.tls.key-store and of its key");
  public static final ConfigKey<String> CERTIFICATE =
      ConfigKey.string(
          "http.tls.certificate",
          "",
          "PEM certificate chain, leaf first, with http.tls.private-key (instead of a key store)");
  public static final ConfigKey<String> PRIVATE_KEY =
      ConfigKey.string(
          "http.tls.private-key", "", "PEM unencrypted PKCS#8 private key of http.tls.certificate");
  public static final ConfigKey<Boolean> PLAIN_BEYOND_LOOPBACK =
      ConfigKey.bool(
          "http.plain-beyond-loopback",
          false,
          "serve plain HTTP on a non-loopback address: only behind a proxy that terminates HTTPS");

  public static final List<ConfigKey<?>> KEYS =
      List.of(KEY_STORE, KEY_STORE_PASSWORD, CERTIFICATE, PRIVATE_KEY, PLAIN_BEYOND_LOOPBACK);

  /**
   * The indexer's and detector's management listeners: health and metrics, no token ever sent to
   * them, so plain HTTP on any address (a scraper and a probe reach them from elsewhere).
   */
  static final HttpSecurity MANAGEMENT = new HttpSecurity(Optional.empty(), true);

  /** Plain HTTP, loopback only (tests). */
  public static final HttpSecurity PLAIN = new HttpSecurity(Optional.empty(), false);

  public static HttpSecurity from(Settings s) {
    String store = KEY_STORE.from(s);
    String cert = CERTIFICATE.from(s);
    String key = PRIVATE_KEY.from(s);
    if (!store.isEmpty() && !(cert.isEmpty() && key.isEmpty())) {
      throw new ConfigException(
          KEY_STORE.name()
              + ": set either a key store or "
              + CERTIFICATE.name()
              + " and "
              + PRIVATE_KEY.name()
              + ", not both");
    }
    Optional<HttpTls> tls;
    if (!store.isEmpty()) {
      tls =
          Optional.of(
              HttpTls.keyStore(KEY_STORE.name(), Path.of(store), KEY_STORE_PASSWORD.from(s)));
    } else if (!cert.isEmpty() || !key.isEmpty()) {
      if (cert.isEmpty() || key.isEmpty()) {
        throw new ConfigException(
            (cert.isEmpty() ? CERTIFICATE : PRIVATE_KEY).name()
                + ": is required with "
                + (cert.isEmpty() ? PRIVATE_KEY : CERTIFICATE).name());
      }
      tls =
          Optional.of(
              HttpTls.pem(CERTIFICATE.name(), Path.of(cert), PRIVATE_KEY.name(), Path.of(key)));
    } else {
      tls = Optional.empty();
    }
    return new HttpSecurity(tls, PLAIN_BEYOND_LOOPBACK.from(s));
  }

  public String scheme() {
    return tls.isPresent() ? "https" : "http";
  }

  /**
   * Refuses plain HTTP on an address other hosts can reach, unless asked for: bearer tokens would
   * cross the network in clear text.
   */
  void check(String role, String host) {
    if (tls.isPresent() || plainBeyondLoopback || loopback(host)) {
      return;
    }
    throw new IllegalStateException(
        role
            + " would serve plain HTTP on "
            + host
            + ", so bearer tokens would cross the network in clear text; set "
            + KEY_STORE.name()
            + " (or "
            + CERTIFICATE.name()
            + " and "
            + PRIVATE_KEY.name()
            + "), or "
            + PLAIN_BEYOND_LOOPBACK.name()
            + "=true when a proxy in front terminates HTTPS");
  }

  static boolean loopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
