package dev.mcpaudit.schema.validation;

import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.Tenants;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one source may write: the tenants its credential is for and, optionally, the gateways it may
 * name in {@code source.gateway}. A source's claim of tenant or gateway is only as good as this
 * check: without it one gateway's token writes into every customer's record.
 *
 * <p>Tenant {@link Tenants#SYSTEM} is in no source's scope, {@code *} included; only {@link
 * #apiAuditTrail()} writes it. In a library anyone on the classpath can call that factory, so here
 * it guards against mistakes, not against a hostile embedder.
 */
public final class SourceScope {
  /** The word that grants every tenant; it must be written out, never implied. */
  public static final String EVERY_TENANT = "*";

  private final Set<String> tenants;
  private final boolean everyTenant;
  private final Set<String> gateways;
  private final boolean apiAuditTrail;

  private SourceScope(
      Set<String> tenants, boolean everyTenant, Set<String> gateways, boolean apiAuditTrail) {
    this.tenants = Set.copyOf(tenants);
    this.everyTenant = everyTenant;
    this.gateways = Set.copyOf(gateways);
    this.apiAuditTrail = apiAuditTrail;
  }

  /**
   * A source's scope: {@code tenants} is {@code ["*"]} for every tenant or a list of names (never
   * empty, never {@code _system}); {@code gateways} empty means any gateway.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static SourceScope of(Collection<String> tenants, Collection<String> gateways) {
    if (tenants.isEmpty()) {
      throw new IllegalArgumentException(
          "names no tenant; list the tenants this source writes, or * for every tenant");
    }
    boolean every = tenants.contains(EVERY_TENANT);
    if (every && tenants.size() > 1) {
      throw new IllegalArgumentException(
          "mixes * with tenant names; give * alone or the names alone");
    }
    if (tenants.contains(Tenants.SYSTEM)) {
      throw new IllegalArgumentException(
          Tenants.SYSTEM + " is mcp-audit's own audit trail; no source can write it");
    }
    for (String t : tenants) {
      checkName("tenant", t, TextRule.TENANT);
    }
    for (String g : gateways) {
      checkName("gateway", g, TextRule.ID);
    }
    return new SourceScope(
        every ? Set.of() : Set.copyOf(tenants), every, Set.copyOf(gateways), false);
  }

  /**
   * A scope from the comma lists configuration holds; {@code gateways} may be null or blank (any
   * gateway).
   */
  public static SourceScope parse(String tenants, String gateways) {
    return of(list(tenants), list(gateways));
  }

  /** Every tenant but {@code _system}, any gateway. */
  public static SourceScope everyTenant() {
    return of(List.of(EVERY_TENANT), List.of());
  }

  /** The API's audit of its callers: tenant {@code _system} only. */
  public static SourceScope apiAuditTrail() {
    return new SourceScope(Set.of(Tenants.SYSTEM), false, Set.of(), true);
  }

  public boolean writesSystemTenant() {
    return apiAuditTrail;
  }

  /**
   * Why this source may not write {@code event}: pointer {@code /tenant} (rule {@code reserved} or
   * {@code scope}) or {@code /source/gateway} (rule {@code scope}); empty when it may. An event
   * that names no gateway claims none, so a gateway list does not reject it.
   */
  public List<ValidationError> check(AuthzEvent event) {
    List<ValidationError> errors = new ArrayList<>(0);
    String tenant = event.tenant();
    if (Tenants.SYSTEM.equals(tenant) && !apiAuditTrail) {
      errors.add(
          ValidationError.of(
              "/tenant",
              "reserved",
              "\"" + Tenants.SYSTEM + "\" is mcp-audit's own audit trail; only its API writes it"));
    } else if (!everyTenant && !tenants.contains(tenant)) {
      errors.add(
          ValidationError.of(
              "/tenant",
              "scope",
              Texts.quote(tenant)
                  + " is not a tenant this source may write; its credential is scoped to "
                  + sorted(tenants)));
    }
    String gateway = event.source() == null ? null : event.source().gateway();
    if (gateway != null && !gateways.isEmpty() && !gateways.contains(gateway)) {
      errors.add(
          ValidationError.of(
              "/source/gateway",
              "scope",
              Texts.quote(gateway)
                  + " is not a gateway this source may name; its credential is scoped to "
                  + sorted(gateways)));
    }
    return errors;
  }

  /** {@code tenants acme, globex; gateways gw-eu-1}, for logs and start-up messages. */
  @Override
  public String toString() {
    String t = everyTenant ? EVERY_TENANT : sorted(tenants);
    return "tenants " + t + (gateways.isEmpty() ? "" : "; gateways " + sorted(gateways));
  }

  private static void checkName(String what, String name, TextRule rule) {
    int length = name.codePointCount(0, name.length());
    if (length == 0 || length > rule.maxLength() || !rule.allowed().matches(name)) {
      throw new IllegalArgumentException(
          Texts.quote(name) + " is not a valid " + what + " name; expected " + rule.describe());
    }
  }

  private static List<String> list(String commaList) {
    if (commaList == null || commaList.isBlank()) {
      return List.of();
    }
    return Arrays.stream(commaList.split(","))
        .map(String::strip)
        .filter(s -> !s.isEmpty())
        .distinct()
        .toList();
  }

  private static String sorted(Set<String> names) {
    return String.join(", ", new TreeSet<>(names));
  }
}
