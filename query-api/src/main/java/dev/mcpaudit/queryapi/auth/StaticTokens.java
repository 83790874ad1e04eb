package dev.mcpaudit.queryapi.auth;

import dev.mcpaudit.runtime.auth.TokenDigest;
import dev.mcpaudit.runtime.config.ConfigException;
import dev.mcpaudit.runtime.config.Settings;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * API tokens from configuration, stored as digests:
 *
 * <pre>
 * api.token.alice=sha256:...            # the digest of alice's token
 * api.token.alice.role=analyst          # analyst | auditor | admin
 * api.token.alice.tenants=acme,globex   # or * for every tenant
 * </pre>
 */
public final class StaticTokens {
  private static final Logger log = LoggerFactory.getLogger(StaticTokens.class);

  private final Map<String, Caller> byDigest;

  private StaticTokens(Map<String, Caller> byDigest) {
    this.byDigest = Map.copyOf(byDigest);
  }

  public static StaticTokens from(Settings s) {
    Map<String, String> raw = s.under("api.token");
    Map<String, Caller> out = new HashMap<>();
    for (Map.Entry<String, String> e : raw.entrySet()) {
      String name = e.getKey();
      if (name.contains(".")) {
        continue; // a .role or .tenants line, read with its token below
      }
      String digest = e.getValue();
      if (!TokenDigest.isDigest(digest)) {
        throw new ConfigException(
            "api.token."
                + name
                + ": must be a digest sha256:<64 hex digits>, never the token itself");
      }
      String roleText = raw.get(name + ".role");
      if (roleText == null) {
        throw new ConfigException(
            "api.token." + name + ".role: is required (analyst, auditor or admin)");
      }
      Role role =
          Role.parse(roleText)
              .orElseThrow(
                  () ->
                      new ConfigException(
                          "api.token."
                              + name
                              + ".role: must be analyst, auditor or admin, got '"
                              + roleText
                              + "'"));
      String tenantsText = raw.get(name + ".tenants");
      if (tenantsText == null || tenantsText.isBlank()) {
        throw new ConfigException(
            "api.token." + name + ".tenants: is required (a comma-separated list, or *)");
      }
      Set<String> tenants =
          Arrays.stream(tenantsText.split(","))
              .map(String::strip)
              .filter(t -> !t.isEmpty())
              .collect(Collectors.toSet());
      boolean all = tenants.remove("*");
      if (role == Role.ADMIN && !all) {
        throw new ConfigException(
            "api.token."
                + name
                + ".tenants: an admin reads every tenant and the API's audit trail; "
                + "give * (or the role auditor for some tenants)");
      }
      if (name.startsWith(OidcTokens.PREFIX)) {
        throw new ConfigException(
            "api.token."
                + name
                + ": names starting with "
                + OidcTokens.PREFIX
                + " are OIDC principals");
      }
      if (role != Role.ADMIN && tenants.contains(Caller.SYSTEM_TENANT)) {
        // Caller leaves it out anyway; said once here so the configuration can be corrected.
        log.warn(
            "api.token.{}.tenants names {}: ignored, the API's audit trail is for admin tokens over every tenant only",
            name,
            Caller.SYSTEM_TENANT);
      }
      if (out.put(digest, new Caller(name, role, tenants, all)) != null) {
        throw new ConfigException(
            "api.token." + name + ": the same token digest is configured twice");
      }
    }
    return new StaticTokens(out);
  }

  public static StaticTokens of(Map<String, Caller> byDigest) {
    return new StaticTokens(byDigest);
  }

  public Optional<Caller> lookup(String token) {
    return Optional.ofNullable(byDigest.get(TokenDigest.of(token)));
  }

  public int size() {
    return byDigest.size();
  }
}
