package dev.mcpaudit.detector.rules;

import dev.mcpaudit.runtime.config.ConfigException;
import dev.mcpaudit.runtime.config.ConfigKey;
import dev.mcpaudit.runtime.config.Settings;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.stream.Collectors;

/**
 * Thresholds of the built-in rules that differ by tenant (README, "Alert rules"): one key per
 * threshold, its value a list of {@code tenant=value} pairs, {@code
 * detector.per-tenant.deny-burst.threshold=acme=5,globex=50}. A tenant not named keeps the
 * detector's own value; a tenant named with a value out of range stops the detector at start, as
 * any other bad setting. (A tenant name holding ',' or '=' cannot be named here.)
 */
final class TenantThresholds {
  static final ConfigKey<String> DENY_BURST_THRESHOLD =
      ConfigKey.string(
          "detector.per-tenant.deny-burst.threshold",
          "",
          "tenant=count pairs: denies within the window that make a burst, for these tenants");
  static final ConfigKey<String> DENY_BURST_WINDOW =
      ConfigKey.string(
          "detector.per-tenant.deny-burst.window",
          "",
          "tenant=duration pairs: the deny-burst window");
  static final ConfigKey<String> SUPPRESSION =
      ConfigKey.string(
          "detector.per-tenant.suppression",
          "",
          "tenant=duration pairs: one alert per type and subject within this much event time");
  static final ConfigKey<String> GRACE =
      ConfigKey.string(
          "detector.per-tenant.grace",
          "",
          "tenant=duration pairs: how late an event of the tenant may be and still be judged");
  static final ConfigKey<String> INCONSISTENCY_WINDOW =
      ConfigKey.string(
          "detector.per-tenant.inconsistency.window",
          "",
          "tenant=duration pairs: how close an allow and a deny must be to be inconsistent");
  static final ConfigKey<String> IGNORED_CODES =
      ConfigKey.string(
          "detector.per-tenant.inconsistency.ignore-reason-codes",
          "",
          "tenant=CODE|CODE pairs: deny reason codes that never make a pair inconsistent");

  /** Longest window or grace a tenant may have: state is kept for the longest of them. */
  static final Duration MAX_WINDOW = Duration.ofHours(24);

  private final Map<String, Map<ConfigKey<String>, String>> byTenant;

  private TenantThresholds(Map<String, Map<ConfigKey<String>, String>> byTenant) {
    this.byTenant = byTenant;
  }

  static TenantThresholds from(Settings s) {
    Map<String, Map<ConfigKey<String>, String>> byTenant = new TreeMap<>();
    for (ConfigKey<String> key :
        java.util.List.of(
            DENY_BURST_THRESHOLD,
            DENY_BURST_WINDOW,
            SUPPRESSION,
            GRACE,
            INCONSISTENCY_WINDOW,
            IGNORED_CODES)) {
      String value = key.from(s).strip();
      if (value.isEmpty()) {
        continue;
      }
      for (String pair : value.split(",")) {
        int eq = pair.indexOf('=');
        String tenant = eq < 0 ? "" : pair.substring(0, eq).strip();
        if (eq < 0 || tenant.isEmpty() || pair.substring(eq + 1).isBlank()) {
          throw new ConfigException(
              key.name() + ": expected tenant=value pairs separated by ',', got '" + pair + "'");
        }
        Map<ConfigKey<String>, String> values =
            byTenant.computeIfAbsent(tenant, t -> new LinkedHashMap<>());
        if (values.put(key, pair.substring(eq + 1).strip()) != null) {
          throw new ConfigException(key.name() + ": tenant " + tenant + " is named twice");
        }
      }
    }
    return new TenantThresholds(byTenant);
  }

  /** Per tenant named, {@code global} with that tenant's values in place. */
  Map<String, Rules> apply(Rules global) {
    Map<String, Rules> out = new LinkedHashMap<>();
    byTenant.forEach(
        (tenant, values) -> {
          BiFunction<ConfigKey<String>, Duration, Duration> duration =
              (k, dflt) -> {
                String v = values.get(k);
                if (v == null) {
                  return dflt;
                }
                Duration d = Settings.parseDuration(k.name() + " (" + tenant + ")", v);
                if (d.compareTo(MAX_WINDOW) > 0) {
                  throw new ConfigException(
                      k.name() + " (" + tenant + "): at most " + MAX_WINDOW.toHours() + "h");
                }
                return d;
              };
          int threshold = global.denyBurstThreshold();
          String t = values.get(DENY_BURST_THRESHOLD);
          if (t != null) {
            try {
              threshold = Integer.parseInt(t);
            } catch (NumberFormatException e) {
              threshold = -1;
            }
            if (threshold < 2 || threshold > 1000) {
              throw new ConfigException(
                  DENY_BURST_THRESHOLD.name()
                      + " ("
                      + tenant
                      + "): a whole number from 2 to 1000, got '"
                      + t
                      + "'");
            }
          }
          String codes = values.get(IGNORED_CODES);
          Set<String> ignored =
              codes == null
                  ? global.inconsistencyIgnoredReasons()
                  : Arrays.stream(codes.split("\\|"))
                      .map(String::strip)
                      .filter(x -> !x.isEmpty())
                      .collect(Collectors.toSet());
          out.put(
              tenant,
              new Rules(
                  duration.apply(GRACE, global.grace()),
                  duration.apply(SUPPRESSION, global.suppression()),
                  global.nonceMemory(),
                  global.handleMemory(),
                  threshold,
                  duration.apply(DENY_BURST_WINDOW, global.denyBurstWindow()),
                  duration.apply(INCONSISTENCY_WINDOW, global.inconsistencyWindow()),
                  ignored,
                  global.maxFutureSkew(),
                  global.futureSuppression(),
                  global.backlogProofState()));
        });
    return out;
  }
}
