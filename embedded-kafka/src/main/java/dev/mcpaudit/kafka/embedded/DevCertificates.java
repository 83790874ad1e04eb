package dev.mcpaudit.kafka.embedded;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway certificate authority and one certificate it signed for {@code localhost} and {@code
 * 127.0.0.1}, for a TLS listener on one machine: the embedded broker's SASL_SSL listener, HTTPS in
 * tests and in the quickstart. Nothing here is for production, where certificates come from the
 * operator's own CA.
 *
 * <p>Files in the directory: {@code ca.crt} (PEM, what a client trusts), {@code ca.p12} (the same
 * as a PKCS12 trust store), {@code server.p12} (key and chain, PKCS12), {@code server.crt} and
 * {@code server.key} (PEM chain and PKCS#8 key), {@code store-password} (of both stores). An
 * existing set is reused, so a restarted quickstart keeps the certificate a browser accepted.
 */
public final class DevCertificates {
  private static final Duration VALIDITY = Duration.ofDays(397);

  private final Path dir;
  private final String password;

  private DevCertificates(Path dir, String password) {
    this.dir = dir;
    this.password = password;
  }

  /** The set in {@code dir}, made now if it is not there yet. */
  public static DevCertificates in(Path dir) {
    return in(dir, Clock.systemUTC());
  }

  static DevCertificates in(Path dir, Clock clock) {
    try {
      Files.createDirectories(dir);
      Path pw = dir.resolve("store-password");
      if (Files.exists(pw) && Files.exists(dir.resolve("server.p12"))) {
        return new DevCertificates(dir, Files.readString(pw).strip());
      }
      return generate(dir, clock);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write certificates to " + dir, e);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot generate certificates: " + e, e);
    }
  }

  private static DevCertificates generate(Path dir, Clock clock)
      throws IOException, GeneralSecurityException, OperatorCreationException {
    SecureRandom random = new SecureRandom();
    byte[] pwBytes = new byte[18];
    random.nextBytes(pwBytes);
    String password = HexFormat.of().formatHex(pwBytes);
    Instant now = clock.instant();
    Date from = Date.from(now.minus(Duration.ofHours(1)));
    Date to = Date.from(now.plus(VALIDITY));

    KeyPair caKeys = ecKeys();
    X500Name caName = new X500Name("CN=mcp-audit development CA,O=mcp-audit");
    X509v3CertificateBuilder ca =
        new JcaX509v3CertificateBuilder(
            caName, new BigInteger(64, random), from, to, caName, caKeys.getPublic());
    ca.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
    ca.addExtension(
        Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    X509Certificate caCert = sign(ca, caKeys.getPrivate());

    KeyPair serverKeys = ecKeys();
    X509v3CertificateBuilder server =
        new JcaX509v3CertificateBuilder(
            caName,
            new BigInteger(64, random),
            from,
            to,
            new X500Name("CN=localhost,O=mcp-audit"),
            serverKeys.getPublic());
    server.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    server.addExtension(
        Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
    server.addExtension(
        Extension.extendedKeyUsage,
        false,
        new ExtendedKeyUsage(
            new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
    server.addExtension(
        Extension.subjectAlternativeName,
        false,
        new GeneralNames(
            new GeneralName[] {
              new GeneralName(GeneralName.dNSName, "localhost"),
              new GeneralName(GeneralName.iPAddress, "127.0.0.1")
            }));
    X509Certificate serverCert = sign(server, caKeys.getPrivate());

    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry(
        "server",
        serverKeys.getPrivate(),
        password.toCharArray(),
        new Certificate[] {serverCert, caCert});
    store(keys, dir.resolve("server.p12"), password);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("mcp-audit-dev-ca", caCert);
    store(trust, dir.resolve("ca.p12"), password);
    Files.writeString(dir.resolve("ca.crt"), pem("CERTIFICATE", caCert.getEncoded()));
    Files.writeString(
        dir.resolve("server.crt"),
        pem("CERTIFICATE", serverCert.getEncoded()) + pem("CERTIFICATE", caCert.getEncoded()));
    writePrivate(
        dir.resolve("server.key"), pem("PRIVATE KEY", serverKeys.getPrivate().getEncoded()));
    writePrivate(dir.resolve("store-password"), password + "\n");
    return new DevCertificates(dir, password);
  }

  private static KeyPair ecKeys() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key)
      throws GeneralSecurityException, OperatorCreationException {
    return new JcaX509CertificateConverter()
        .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
  }

  private static void store(KeyStore ks, Path file, String password)
      throws IOException, GeneralSecurityException {
    try (OutputStream out = Files.newOutputStream(file)) {
      ks.store(out, password.toCharArray());
    }
  }

  private static void writePrivate(Path file, String text) throws IOException {
    Files.writeString(file, text, StandardCharsets.US_ASCII);
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system; the directory's own permissions protect it
    }
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  /** The CA certificate, PEM: what a client trusts. */
  public Path caCertificate() {
    return dir.resolve("ca.crt");
  }

  /** The CA certificate as a PKCS12 trust store ({@link #password()}). */
  public Path trustStore() {
    return dir.resolve("ca.p12");
  }

  /** The server's key and chain, PKCS12 ({@link #password()} for store and key). */
  public Path keyStore() {
    return dir.resolve("server.p12");
  }

  /** The server's certificate chain, PEM. */
  public Path certificateChain() {
    return dir.resolve("server.crt");
  }

  /** The server's private key, PEM PKCS#8, unencrypted (readable by its owner only). */
  public Path privateKey() {
    return dir.resolve("server.key");
  }

  public String password() {
    return password;
  }
}
