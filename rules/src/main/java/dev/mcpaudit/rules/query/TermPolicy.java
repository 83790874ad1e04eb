package dev.mcpaudit.rules.query;

/**
 * How far {@code q} may reach into a field's term dictionary. A wildcard, prefix, fuzzy term,
 * regular expression or range on a keyword or text field is answered by walking the terms it could
 * match; one that could match every term walks the whole dictionary of the index (all tenants),
 * however few events it finds. So each must start with a literal prefix that narrows the walk, and
 * the forms that are hardest to bound, or that leak across tenants, are off unless switched on.
 *
 * @param minPrefix literal characters every wildcard, prefix, fuzzy term, regular expression and
 *     keyword range must start with ({@code api.query.min-prefix}, default 3; for a range, the
 *     characters both ends share)
 * @param leadingWildcards whether wildcard and prefix terms may start with fewer than {@code
 *     minPrefix} literal characters, even with {@code *} ({@code api.leading-wildcards}, default
 *     false)
 * @param regexp whether {@code field:/regexp/} is accepted at all ({@code api.query.regexp},
 *     default false)
 * @param fuzzy whether {@code field:term~} is accepted at all ({@code api.query.fuzzy}, default
 *     false). A fuzzy term keeps the closest terms of the whole index, every tenant's and {@code
 *     _system}'s, before the tenant filter applies, so its count can tell whether another tenant
 *     used a value. Switch it on only where every caller sees every tenant.
 * @param openRanges whether a range on a keyword or text field may leave an end open ({@code
 *     field:[x TO *]}; {@code api.query.open-ranges}, default false). Ranges on times and numbers
 *     are always allowed: they read points, not terms.
 */
public record TermPolicy(
    int minPrefix, boolean leadingWildcards, boolean regexp, boolean fuzzy, boolean openRanges) {
  public static final TermPolicy DEFAULT = new TermPolicy(3, false, false, false, false);

  public TermPolicy {
    if (minPrefix < 0) {
      throw new IllegalArgumentException("minPrefix >= 0");
    }
  }

  /** The prefix rule for wildcard and prefix terms. */
  public int wildcardPrefix() {
    return leadingWildcards ? 0 : minPrefix;
  }
}
