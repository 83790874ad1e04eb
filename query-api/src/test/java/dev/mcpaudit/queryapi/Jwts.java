package dev.mcpaudit.queryapi;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.mcpaudit.queryapi.auth.OidcTokens;
import dev.mcpaudit.runtime.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;

/** A test identity provider: its key set in a JWKS file, and tokens signed by it (or not). */
final class Jwts {
  static final String ISSUER = "https://idp.test/realms/sec";

  /** What every principal of this issuer's tokens starts with. */
  static final String PRINCIPAL_PREFIX = "oidc:" + ISSUER + "#";

  static final String AUDIENCE = "mcp-audit";
  static final RSAKey IDP = key("idp-1");
  static final RSAKey ATTACKER = key("idp-1"); // same key id, different key

  private Jwts() {}

  private static RSAKey key(String kid) {
    try {
      return new RSAKeyGenerator(2048).keyID(kid).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static OidcTokens verifier() {
    return OidcTokens.from(Settings.of(settings())).orElseThrow();
  }

  /** The api.oidc.* keys that trust this identity provider. */
  static Map<String, String> settings() {
    try {
      Path jwks = Files.createTempFile("jwks", ".json");
      Files.writeString(jwks, new JWKSet(IDP.toPublicJWK()).toString());
      return Map.of(
          "api.oidc.issuer",
          ISSUER,
          "api.oidc.audience",
          AUDIENCE,
          "api.oidc.jwks-file",
          jwks.toString());
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static String token(
      RSAKey key, String audience, Instant expires, String role, List<String> tenants) {
    return token(key, audience, expires, role, tenants, "dana@example.org");
  }

  static String token(
      RSAKey key,
      String audience,
      Instant expires,
      String role,
      List<String> tenants,
      String subject) {
    JWTClaimsSet.Builder c =
        new JWTClaimsSet.Builder()
            .issuer(ISSUER)
            .subject(subject)
            .audience(audience)
            .issueTime(Date.from(Instant.now().minus(Duration.ofMinutes(1))))
            .expirationTime(Date.from(expires))
            .claim("mcp_audit_tenants", tenants);
    if (role != null) {
      c.claim("mcp_audit_role", role);
    }
    try {
      SignedJWT jwt =
          new SignedJWT(
              new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), c.build());
      jwt.sign(new RSASSASigner(key));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static String valid(String role, List<String> tenants) {
    return token(IDP, AUDIENCE, Instant.now().plus(Duration.ofMinutes(10)), role, tenants);
  }
}
