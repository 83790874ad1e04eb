package dev.mcpaudit.runtime.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A TLS context that trusts given certificates and nothing else: a PEM file (a private CA, the
 * quickstart's development CA, for {@code simulate --ca-cert}) or a listener's own chain (its first
 * request to itself). Hostnames are checked by whoever connects, as usual.
 */
public final class TrustedCertificates {
  private TrustedCertificates() {}

  /**
   * @throws IllegalArgumentException naming the file when it holds no certificate or cannot be read
   */
  public static SSLContext trusting(Path pem) {
    Collection<? extends Certificate> certs;
    try (InputStream in = Files.newInputStream(pem)) {
      certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "cannot read certificates from " + pem + ": " + e.getMessage(), e);
    }
    if (certs.isEmpty()) {
      throw new IllegalArgumentException(pem + " holds no PEM certificate");
    }
    return trusting(certs);
  }

  /** A TLS context that trusts exactly these certificates. */
  public static SSLContext trusting(Collection<? extends Certificate> certs) {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      int i = 0;
      for (Certificate c : certs) {
        trust.setCertificateEntry("trusted-" + i++, c);
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot build a TLS context: " + e.getMessage(), e);
    }
  }
}
