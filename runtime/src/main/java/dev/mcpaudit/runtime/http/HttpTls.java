package dev.mcpaudit.runtime.http;

import dev.mcpaudit.runtime.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A listener's key and certificate chain, loaded once at start from a PKCS12 key store or from PEM
 * files, so a missing file or a wrong password stops the role with the key named rather than
 * failing the first TLS handshake.
 *
 * @param keyStore the key and its chain, under one alias
 * @param password the key's password inside {@code keyStore}
 * @param source where it came from, for the start-up line (a path, never a secret)
 */
public record HttpTls(KeyStore keyStore, char[] password, String source) {
  private static final Pattern PEM_KEY =
      Pattern.compile("-----BEGIN ([A-Z ]*)PRIVATE KEY-----([^-]*)-----END \\1PRIVATE KEY-----");

  @Override
  public String toString() {
    return "HttpTls[" + source + "]";
  }

  /** A PKCS12 (or JKS) key store holding one private key and its chain. */
  static HttpTls keyStore(String keyName, Path file, String password) {
    char[] pw = password.toCharArray();
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(in, pw);
      long keys =
          java.util.Collections.list(ks.aliases()).stream()
              .filter(
                  a -> {
                    try {
                      return ks.isKeyEntry(a);
                    } catch (GeneralSecurityException e) {
                      return false;
                    }
                  })
              .count();
      if (keys != 1) {
        throw new ConfigException(
            keyName + ": " + file + " must hold exactly one private key, it holds " + keys);
      }
      return new HttpTls(ks, pw, file.toString());
    } catch (IOException e) {
      throw new ConfigException(
          keyName
              + ": cannot read "
              + file
              + " ("
              + (e.getCause() instanceof java.security.UnrecoverableKeyException
                  ? "wrong password in http.tls.key-store-password"
                  : e.getMessage())
              + ")");
    } catch (GeneralSecurityException e) {
      throw new ConfigException(keyName + ": cannot load " + file + ": " + e.getMessage());
    }
  }

  /** A PEM certificate chain (leaf first) and its PKCS#8 private key. */
  static HttpTls pem(String certName, Path certFile, String keyName, Path keyFile) {
    List<? extends Certificate> chain;
    try (InputStream in = Files.newInputStream(certFile)) {
      chain = List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigException(certName + ": cannot read " + certFile + ": " + e.getMessage());
    }
    if (chain.isEmpty()) {
      throw new ConfigException(certName + ": no PEM certificate in " + certFile);
    }
    PrivateKey key = privateKey(keyName, keyFile, chain.get(0).getPublicKey().getAlgorithm());
    try {
      char[] pw = new char[0];
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("listener", key, pw, chain.toArray(Certificate[]::new));
      return new HttpTls(ks, pw, certFile + " + " + keyFile);
    } catch (GeneralSecurityException | IOException e) {
      throw new ConfigException(
          keyName + ": the key in " + keyFile + " does not fit " + certFile + ": " + e);
    }
  }

  private static PrivateKey privateKey(String keyName, Path file, String algorithm) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new ConfigException(keyName + ": cannot read " + file + ": " + e.getMessage());
    }
    Matcher m = PEM_KEY.matcher(text);
    if (!m.find()) {
      throw new ConfigException(keyName + ": no PEM private key in " + file);
    }
    if (!m.group(1).isEmpty()) {
      // PKCS#1 (RSA PRIVATE KEY), SEC1 (EC PRIVATE KEY) or encrypted: one openssl call away.
      throw new ConfigException(
          keyName
              + ": "
              + file
              + " holds a "
              + m.group(1)
              + "PRIVATE KEY; give an unencrypted PKCS#8 key (openssl pkcs8 -topk8 -nocrypt -in "
              + file.getFileName()
              + ")");
    }
    byte[] der = Base64.getMimeDecoder().decode(m.group(2));
    try {
      return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new ConfigException(
          keyName + ": " + file + " is not a " + algorithm + " PKCS#8 key: " + e.getMessage());
    }
  }
}
