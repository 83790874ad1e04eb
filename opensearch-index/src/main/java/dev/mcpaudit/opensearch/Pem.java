package dev.mcpaudit.opensearch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;

/**
 * PEM files as OpenSearch operators keep them: certificates, and PKCS#8 private keys. Errors name
 * the file, never its content.
 */
final class Pem {
  private static final String BEGIN_KEY = "-----BEGIN PRIVATE KEY-----";
  private static final String END_KEY = "-----END PRIVATE KEY-----";

  private Pem() {}

  static List<Certificate> certificates(Path file) throws GeneralSecurityException, IOException {
    try (InputStream in = Files.newInputStream(file)) {
      List<Certificate> certs =
          List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
      if (certs.isEmpty()) {
        throw new GeneralSecurityException(file + " holds no PEM certificate");
      }
      return certs;
    }
  }

  static PrivateKey privateKey(Path file) throws GeneralSecurityException, IOException {
    String text = Files.readString(file);
    int begin = text.indexOf(BEGIN_KEY);
    int end = text.indexOf(END_KEY);
    if (begin < 0 || end < begin) {
      throw new GeneralSecurityException(
          file
              + " holds no PKCS#8 key (-----BEGIN PRIVATE KEY-----); convert one with"
              + " openssl pkcs8 -topk8 -nocrypt");
    }
    byte[] der =
        Base64.getMimeDecoder().decode(text.substring(begin + BEGIN_KEY.length(), end).strip());
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException notThisOne) {
        // try the next algorithm
      }
    }
    throw new GeneralSecurityException(file + " holds a key that is not RSA, EC or Ed25519");
  }

  /** An in-memory trust store of the certificates in {@code file}. */
  static KeyStore trustStore(Path file) throws GeneralSecurityException, IOException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    int i = 0;
    for (Certificate c : certificates(file)) {
      ks.setCertificateEntry("ca-" + i++, c);
    }
    return ks;
  }

  /** An in-memory key store of one key and its chain, under {@code password}. */
  static KeyStore keyStore(Path cert, Path key, char[] password)
      throws GeneralSecurityException, IOException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry(
        "client", privateKey(key), password, certificates(cert).toArray(new Certificate[0]));
    return ks;
  }
}
