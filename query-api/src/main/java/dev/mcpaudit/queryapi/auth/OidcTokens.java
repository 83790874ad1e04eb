package dev.mcpaudit.queryapi.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.mcpaudit.runtime.config.ConfigException;
import dev.mcpaudit.runtime.config.ConfigKey;
import dev.mcpaudit.runtime.config.Settings;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * OIDC access tokens (JWTs): signature checked against the issuer's JWKS (URL, cached and
 * refreshed, or a file), {@code iss} and {@code aud} must match, {@code exp}/{@code nbf} are
 * checked with a small clock skew. The role and tenants come from configurable claims; a token
 * without a known role is refused, so an identity provider that forgets the claim grants nothing.
 *
 * <pre>
 * api.oidc.issuer=https://idp.example.com/realms/sec
 * api.oidc.audience=mcp-audit
 * api.oidc.jwks-url=https://idp.example.com/realms/sec/protocol/openid-connect/certs   (or api.oidc.jwks-file)
 * api.oidc.role-claim=mcp_audit_role        # a string or a list; the highest known role wins
 * api.oidc.tenants-claim=mcp_audit_tenants  # a list, or a comma-separated string; "*" for all
 * api.oidc.principal-claim=sub
 * api.oidc.clock-skew=60s
 * </pre>
 */
public final class OidcTokens {
  /** Why a JWT was refused; the message is safe to show the caller. */
  public static final class Refused extends Exception {
    Refused(String message) {
      super(message, null, false, false);
    }
  }

  private final DefaultJWTProcessor<SecurityContext> processor;
  private final String roleClaim;
  private final String tenantsClaim;
  private final String principalClaim;
  private final String issuer;

  OidcTokens(
      JWKSource<SecurityContext> keys,
      String issuer,
      String audience,
      Duration skew,
      String roleClaim,
      String tenantsClaim,
      String principalClaim) {
    this.processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(
        new JWSVerificationKeySelector<>(
            Set.of(
                JWSAlgorithm.RS256,
                JWSAlgorithm.RS384,
                JWSAlgorithm.RS512,
                JWSAlgorithm.PS256,
                JWSAlgorithm.ES256,
                JWSAlgorithm.ES384),
            keys));
    DefaultJWTClaimsVerifier<SecurityContext> claims =
        new DefaultJWTClaimsVerifier<>(
            Set.of(audience),
            new JWTClaimsSet.Builder().issuer(issuer).build(),
            Set.of("exp", principalClaim),
            Set.of());
    claims.setMaxClockSkew((int) skew.toSeconds());
    processor.setJWTClaimsSetVerifier(claims);
    this.roleClaim = roleClaim;
    this.tenantsClaim = tenantsClaim;
    this.principalClaim = principalClaim;
    this.issuer = issuer;
  }

  static final ConfigKey<String> ISSUER =
      ConfigKey.string(
          "api.oidc.issuer",
          null,
          "OIDC access tokens (JWTs) from this issuer are accepted; off when unset");
  static final ConfigKey<String> AUDIENCE =
      ConfigKey.string(
          "api.oidc.audience", null, "the audience a token must name (required with an issuer)");
  static final ConfigKey<String> JWKS_URL =
      ConfigKey.string("api.oidc.jwks-url", null, "where the issuer's keys are (or jwks-file)");
  static final ConfigKey<String> JWKS_FILE =
      ConfigKey.string("api.oidc.jwks-file", null, "the issuer's keys in a file (or jwks-url)");
  static final ConfigKey<String> ROLE_CLAIM =
      ConfigKey.string("api.oidc.role-claim", "mcp_audit_role", "the claim holding the role");
  static final ConfigKey<String> TENANTS_CLAIM =
      ConfigKey.string(
          "api.oidc.tenants-claim", "mcp_audit_tenants", "the claim holding the tenants");
  static final ConfigKey<String> PRINCIPAL_CLAIM =
      ConfigKey.string(
          "api.oidc.principal-claim",
          "sub",
          "the claim naming the caller (principal oidc:<issuer>#<value>)");
  static final ConfigKey<Duration> CLOCK_SKEW =
      ConfigKey.duration(
          "api.oidc.clock-skew", Duration.ofSeconds(60), "tolerance for exp and nbf");

  /** The keys OIDC reads. */
  public static final java.util.List<ConfigKey<?>> KEYS =
      java.util.List.of(
          ISSUER,
          AUDIENCE,
          JWKS_URL,
          JWKS_FILE,
          ROLE_CLAIM,
          TENANTS_CLAIM,
          PRINCIPAL_CLAIM,
          CLOCK_SKEW);

  /** Empty when no issuer is configured (static tokens only). */
  public static Optional<OidcTokens> from(Settings s) {
    String issuer = ISSUER.from(s);
    if (issuer == null) {
      return Optional.empty();
    }
    String audience = AUDIENCE.from(s);
    if (audience == null) {
      throw new ConfigException(
          "api.oidc.audience: is required with api.oidc.issuer (set it in the config file or as "
              + Settings.envName("api.oidc.audience")
              + ")");
    }
    String url = JWKS_URL.from(s);
    String file = JWKS_FILE.from(s);
    if ((url == null) == (file == null)) {
      throw new ConfigException("api.oidc.jwks-url / api.oidc.jwks-file: set exactly one");
    }
    JWKSource<SecurityContext> keys;
    try {
      keys =
          url != null
              ? JWKSourceBuilder.<SecurityContext>create(URI.create(url).toURL()).build()
              : new ImmutableJWKSet<>(JWKSet.load(Path.of(file).toFile()));
    } catch (IOException | ParseException | IllegalArgumentException e) {
      throw new ConfigException(
          "api.oidc.jwks-"
              + (url != null ? "url" : "file")
              + ": cannot load the key set: "
              + e.getMessage());
    }
    return Optional.of(
        new OidcTokens(
            keys,
            issuer,
            audience,
            CLOCK_SKEW.from(s),
            ROLE_CLAIM.from(s),
            TENANTS_CLAIM.from(s),
            PRINCIPAL_CLAIM.from(s)));
  }

  /** Whether a bearer token is shaped like a JWT (three base64url parts). */
  public static boolean looksLikeJwt(String token) {
    return token.chars().filter(c -> c == '.').count() == 2;
  }

  public Caller verify(String token) throws Refused {
    JWTClaimsSet claims;
    try {
      claims = processor.process(token, null);
    } catch (ParseException e) {
      throw new Refused("not a well-formed JWT");
    } catch (BadJOSEException | JOSEException e) {
      throw new Refused(e.getMessage());
    }
    Role role =
        strings(claims.getClaim(roleClaim)).stream()
            .map(Role::parse)
            .flatMap(Optional::stream)
            .max(Enum::compareTo)
            .orElseThrow(
                () -> new Refused("the token has no known role in claim '" + roleClaim + "'"));
    Set<String> tenants = new HashSet<>(strings(claims.getClaim(tenantsClaim)));
    boolean all = tenants.remove("*");
    // Caller drops _system from a non-admin's list, so "names no tenant" is judged after that.
    Caller caller = new Caller(principal(claims.getClaim(principalClaim)), role, tenants, all);
    if (caller.tenants().isEmpty() && !all) {
      throw new Refused("the token names no tenant it may read in claim '" + tenantsClaim + "'");
    }
    return caller;
  }

  /**
   * {@code oidc:<issuer>#<subject>}: never equal to a static token's name nor to another issuer's
   * subject, so the audit trail, export limits and cursors tell callers apart. A subject that names
   * nobody (blank, or the text "null") is refused rather than audited as someone.
   */
  private String principal(Object claim) throws Refused {
    if (!(claim instanceof String subject)
        || subject.isBlank()
        || subject.strip().equalsIgnoreCase("null")) {
      throw new Refused("the token has no usable subject in claim '" + principalClaim + "'");
    }
    return PREFIX + issuer + "#" + subject.strip();
  }

  /**
   * What every OIDC principal starts with; static token names cannot (see {@link StaticTokens}).
   */
  public static final String PREFIX = "oidc:";

  private static List<String> strings(Object claim) {
    List<String> out = new ArrayList<>();
    if (claim instanceof String s) {
      Arrays.stream(s.split(",")).map(String::strip).filter(x -> !x.isEmpty()).forEach(out::add);
    } else if (claim instanceof List<?> list) {
      list.forEach(x -> out.add(String.valueOf(x).strip()));
    }
    return out;
  }
}
