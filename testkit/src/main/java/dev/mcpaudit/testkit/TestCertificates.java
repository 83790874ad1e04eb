package dev.mcpaudit.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway certificate authority for TLS tests, made with the JDK's own {@code keytool}: a CA, a
 * server certificate for 127.0.0.1 and localhost, and a client certificate, valid for 30 days from
 * now (so no test depends on a date). Key stores are PKCS#12 under {@link #PASSWORD}; the client's
 * certificate and key are also written as PEM (PKCS#8), the way operators keep them.
 */
public record TestCertificates(
    Path caPem, Path caTrustStore, Path serverKeyStore, Path clientCertPem, Path clientKeyPem) {
  public static final String PASSWORD = "changeit";

  public static TestCertificates create(Path dir) {
    try {
      Files.createDirectories(dir);
      Path ca = dir.resolve("ca.p12");
      Path caPem = dir.resolve("ca.pem");
      keytool(
          dir,
          "-genkeypair",
          "-alias",
          "ca",
          "-keyalg",
          "EC",
          "-groupname",
          "secp256r1",
          "-dname",
          "CN=mcp-audit test CA",
          "-ext",
          "bc:c",
          "-validity",
          "30",
          "-keystore",
          ca.toString(),
          "-storetype",
          "PKCS12",
          "-storepass",
          PASSWORD);
      keytool(
          dir,
          "-exportcert",
          "-rfc",
          "-alias",
          "ca",
          "-keystore",
          ca.toString(),
          "-storepass",
          PASSWORD,
          "-file",
          caPem.toString());
      Path trust = dir.resolve("ca-trust.p12");
      keytool(
          dir,
          "-importcert",
          "-noprompt",
          "-alias",
          "ca",
          "-file",
          caPem.toString(),
          "-keystore",
          trust.toString(),
          "-storetype",
          "PKCS12",
          "-storepass",
          PASSWORD);
      Path server =
          signed(dir, ca, caPem, "server", "CN=localhost", "san=ip:127.0.0.1,dns:localhost");
      Path client = signed(dir, ca, caPem, "client", "CN=mcp-audit-indexer", null);
      Path clientCert = dir.resolve("client.crt.pem");
      Path clientKey = dir.resolve("client.key.pem");
      KeyStore ks = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(client)) {
        ks.load(in, PASSWORD.toCharArray());
      }
      List<String> chain = new ArrayList<>();
      for (Certificate c : ks.getCertificateChain("client")) {
        chain.add(pem("CERTIFICATE", c.getEncoded()));
      }
      Files.writeString(clientCert, String.join("", chain));
      Key key = ks.getKey("client", PASSWORD.toCharArray());
      Files.writeString(clientKey, pem("PRIVATE KEY", key.getEncoded()));
      return new TestCertificates(caPem, trust, server, clientCert, clientKey);
    } catch (Exception e) {
      throw new IllegalStateException("cannot make test certificates in " + dir, e);
    }
  }

  /** A key pair in {@code <name>.p12}, its certificate signed by the CA, the chain imported. */
  private static Path signed(Path dir, Path ca, Path caPem, String name, String dname, String san)
      throws IOException, InterruptedException {
    Path store = dir.resolve(name + ".p12");
    Path csr = dir.resolve(name + ".csr");
    Path crt = dir.resolve(name + ".crt");
    keytool(
        dir,
        "-genkeypair",
        "-alias",
        name,
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        dname,
        "-validity",
        "30",
        "-keystore",
        store.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        PASSWORD);
    keytool(
        dir,
        "-certreq",
        "-alias",
        name,
        "-keystore",
        store.toString(),
        "-storepass",
        PASSWORD,
        "-file",
        csr.toString());
    List<String> gen =
        new ArrayList<>(
            List.of(
                "-gencert",
                "-rfc",
                "-alias",
                "ca",
                "-keystore",
                ca.toString(),
                "-storepass",
                PASSWORD,
                "-infile",
                csr.toString(),
                "-outfile",
                crt.toString(),
                "-validity",
                "30"));
    if (san != null) {
      gen.addAll(List.of("-ext", san));
    }
    keytool(dir, gen.toArray(String[]::new));
    keytool(
        dir,
        "-importcert",
        "-noprompt",
        "-alias",
        "ca",
        "-file",
        caPem.toString(),
        "-keystore",
        store.toString(),
        "-storepass",
        PASSWORD);
    keytool(
        dir,
        "-importcert",
        "-alias",
        name,
        "-file",
        crt.toString(),
        "-keystore",
        store.toString(),
        "-storepass",
        PASSWORD);
    return store;
  }

  private static void keytool(Path dir, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.addAll(List.of(args));
    Process p =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("keytool.log").toFile()))
            .start();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("keytool " + args[0] + " failed; see " + dir.resolve("keytool.log"));
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
            .encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
