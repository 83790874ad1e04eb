package dev.mcpaudit.rules.query;

import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.runtime.http.LogText;
import dev.mcpaudit.schema.event.Rfc3339;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.core.KeywordAnalyzer;
import org.apache.lucene.analysis.miscellaneous.PerFieldAnalyzerWrapper;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.Term;
import org.apache.lucene.queryparser.classic.ParseException;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.search.AutomatonQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.automaton.Operations;
import org.apache.lucene.util.automaton.TooComplexToDeterminizeException;

/**
 * Lucene query syntax over the dotted field names of the event. Keyword fields match the whole
 * value exactly (quote values with ':' or '/', e.g. {@code actor.id:"spiffe://acme/agent/x"});
 * wildcards and ranges work on them; time fields take RFC 3339 or epoch-millisecond ranges; text
 * fields ({@code reason}, the default for bare words) are analyzed. An unknown field is an error
 * that lists the known ones, rather than a silent empty result.
 *
 * <p>Both stores parse with this class (the OpenSearch store translates the parsed query), and so
 * does the detector for the alert rules analysts write ({@code dev.mcpaudit.rules}): the syntax,
 * the term policy and the clause limit are one thing whatever engine answers.
 */
public final class SearchSyntax extends QueryParser {
  public static final Set<String> KEYWORDS = new TreeSet<>();
  public static final Set<String> TEXT = Set.copyOf(IndexSchema.TEXT);
  public static final Set<String> TIMES = Set.copyOf(IndexSchema.TIMES);
  public static final Set<String> NUMBERS = Set.of(IndexSchema.LATENCY_US);

  /** A query that does not parse or reaches too far; the message starts with {@code q:}. */
  public static final class Invalid extends IllegalArgumentException {
    Invalid(String message) {
      super(message);
    }
  }

  static {
    KEYWORDS.addAll(IndexSchema.FACETS);
    KEYWORDS.addAll(IndexSchema.KEYWORDS_ONLY);
  }

  private final TermPolicy policy;

  /**
   * @param policy how far wildcards, prefixes, fuzzy terms, regular expressions and ranges may
   *     reach (see {@link TermPolicy})
   */
  SearchSyntax(TermPolicy policy) {
    super(IndexSchema.REASON, analyzer());
    this.policy = policy;
    setAllowLeadingWildcard(policy.leadingWildcards());
    // A fuzzy term then walks only the terms sharing its first characters, like a prefix.
    setFuzzyPrefixLength(policy.minPrefix());
    setDefaultOperator(QueryParser.Operator.AND);
  }

  /**
   * {@code q} parsed under {@code policy}, or {@link Invalid} with a message starting {@code q:}.
   */
  public static Query parse(String q, TermPolicy policy) {
    try {
      return new SearchSyntax(policy).parse(q);
    } catch (ParseException e) {
      // The parser quotes the whole query; echo at most 80 characters of it, escaped, as every
      // other value.
      throw new Invalid(
          "q: " + LogText.of(firstLine(e.getMessage().replace(q, LogText.of(q, 80))), 400));
    } catch (IndexSearcher.TooManyClauses e) {
      throw new Invalid(
          "q: too many clauses (at most "
              + IndexSearcher.getMaxClauseCount()
              + "); narrow the query");
    }
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /** The analyzer the index writes with: keyword fields whole, text fields by words. */
  public static Analyzer analyzer() {
    Map<String, Analyzer> perField = new HashMap<>();
    KeywordAnalyzer keyword = new KeywordAnalyzer();
    KEYWORDS.forEach(f -> perField.put(f, keyword));
    return new PerFieldAnalyzerWrapper(new StandardAnalyzer(), perField);
  }

  public static List<String> knownFields() {
    Set<String> all = new TreeSet<>(KEYWORDS);
    all.addAll(TEXT);
    all.addAll(TIMES);
    all.addAll(NUMBERS);
    return List.copyOf(all);
  }

  @Override
  protected Query getFieldQuery(String field, String queryText, boolean quoted)
      throws ParseException {
    known(field);
    if (KEYWORDS.contains(field)) {
      return new TermQuery(new Term(field, queryText));
    }
    if (TIMES.contains(field)) {
      long t = millis(field, queryText);
      return LongPoint.newExactQuery(field, t);
    }
    if (NUMBERS.contains(field)) {
      return LongPoint.newExactQuery(field, number(field, queryText));
    }
    return super.getFieldQuery(field, queryText, quoted);
  }

  @Override
  protected Query getRangeQuery(
      String field, String part1, String part2, boolean startInclusive, boolean endInclusive)
      throws ParseException {
    known(field);
    if (TIMES.contains(field) || NUMBERS.contains(field)) {
      boolean time = TIMES.contains(field);
      long lo =
          part1 == null || part1.equals("*")
              ? Long.MIN_VALUE
              : (time ? millis(field, part1) : number(field, part1));
      long hi =
          part2 == null || part2.equals("*")
              ? Long.MAX_VALUE
              : (time ? millis(field, part2) : number(field, part2));
      if (!startInclusive && lo != Long.MAX_VALUE) {
        lo++;
      }
      if (!endInclusive && hi != Long.MIN_VALUE) {
        hi--;
      }
      return LongPoint.newRangeQuery(field, lo, hi);
    }
    boolean open = part1 == null || part1.equals("*") || part2 == null || part2.equals("*");
    if (open && !policy.openRanges()) {
      throw new ParseException(
          field
              + ": a range with an open end (*) walks the field's whole term dictionary;"
              + " give both ends (they are off: api.query.open-ranges)");
    }
    Query q = super.getRangeQuery(field, part1, part2, startInclusive, endInclusive);
    return open
        ? q
        : narrow(
            field,
            q,
            policy.minPrefix(),
            "both ends of a range must share their first %d characters (as in "
                + field
                + ":[abc1 TO abc9])");
  }

  @Override
  protected Query getWildcardQuery(String field, String termStr) throws ParseException {
    termsOnly(field, "wildcards");
    return narrow(
        field,
        build(() -> super.getWildcardQuery(field, termStr), "wildcard"),
        policy.wildcardPrefix(),
        "a wildcard term must start with at least %d literal characters (as in "
            + field
            + ":abc*)");
  }

  @Override
  protected Query getPrefixQuery(String field, String termStr) throws ParseException {
    termsOnly(field, "prefixes");
    return narrow(
        field,
        super.getPrefixQuery(field, termStr),
        policy.wildcardPrefix(),
        "a prefix term must have at least %d characters (as in " + field + ":abc*)");
  }

  @Override
  protected Query getRegexpQuery(String field, String termStr) throws ParseException {
    termsOnly(field, "regular expressions");
    if (!policy.regexp()) {
      throw new ParseException(
          field
              + ": regular expressions are off (api.query.regexp); use a prefix or wildcard term such as "
              + field
              + ":abc*");
    }
    return narrow(
        field,
        build(() -> super.getRegexpQuery(field, termStr), "regular expression"),
        policy.minPrefix(),
        "every value a regular expression matches must start with the same %d characters (as in "
            + field
            + ":/abc.*/)");
  }

  @Override
  protected Query getFuzzyQuery(String field, String termStr, float minSimilarity)
      throws ParseException {
    termsOnly(field, "fuzzy terms");
    if (!policy.fuzzy()) {
      throw new ParseException(
          field
              + ": fuzzy terms are off (api.query.fuzzy): a fuzzy term keeps the closest values of every"
              + " tenant before yours are picked, so it could tell you about theirs; use a prefix or wildcard term such as "
              + field
              + ":abc*");
    }
    if (termStr.codePointCount(0, termStr.length()) < policy.minPrefix()) {
      throw new ParseException(
          field
              + ": a fuzzy term needs at least "
              + policy.minPrefix()
              + " characters (api.query.min-prefix)");
    }
    return super.getFuzzyQuery(field, termStr, minSimilarity);
  }

  private interface Build {
    Query get() throws ParseException;
  }

  /**
   * Lucene reports a malformed or too complex pattern as an unchecked exception: it is the query's
   * fault, so a ParseException.
   */
  private static Query build(Build b, String what) throws ParseException {
    try {
      return b.get();
    } catch (TooComplexToDeterminizeException e) {
      throw new ParseException("the " + what + " is too complex; simplify it");
    } catch (IllegalArgumentException e) {
      throw new ParseException("not a valid " + what + ": " + e.getMessage());
    }
  }

  /**
   * Refuses a term query that could walk a whole term dictionary: every term it matches must start
   * with at least {@code min} literal characters. Judged on the automaton Lucene will run, so
   * {@code ab|.*} or {@code a?c*} cannot pass for a prefix they do not have.
   */
  private static Query narrow(String field, Query q, int min, String rule) throws ParseException {
    if (min == 0 || !(q instanceof AutomatonQuery aq)) {
      return q;
    }
    String prefix = Operations.getCommonPrefix(aq.getAutomaton());
    if (prefix.codePointCount(0, prefix.length()) < min) {
      throw new ParseException(
          field
              + ": "
              + String.format(rule, min)
              + "; anything shorter walks the field's whole term dictionary (api.query.min-prefix)");
    }
    return q;
  }

  private static void known(String field) throws ParseException {
    if (!KEYWORDS.contains(field)
        && !TEXT.contains(field)
        && !TIMES.contains(field)
        && !NUMBERS.contains(field)) {
      throw new ParseException(
          "unknown field '" + field + "'; fields: " + String.join(", ", knownFields()));
    }
  }

  private static void termsOnly(String field, String what) throws ParseException {
    known(field);
    if (TIMES.contains(field) || NUMBERS.contains(field)) {
      throw new ParseException(
          field + " is a number or time: use a range like " + field + ":[a TO b], not " + what);
    }
  }

  private static long millis(String field, String text) throws ParseException {
    String t = text.strip();
    if (t.matches("^-?\\d+$")) {
      try {
        return Long.parseLong(t);
      } catch (NumberFormatException e) {
        throw new ParseException(
            field + ": '" + text + "' is beyond the range of epoch milliseconds");
      }
    }
    return Rfc3339.parse(t)
        .orElseThrow(
            () ->
                new ParseException(
                    field
                        + ": '"
                        + text
                        + "' is not RFC 3339 (quote it: "
                        + field
                        + ":[\"2026-11-26T00:00:00Z\" TO *]) nor epoch milliseconds"))
        .toEpochMilli();
  }

  private static long number(String field, String text) throws ParseException {
    try {
      return Long.parseLong(text.strip());
    } catch (NumberFormatException e) {
      throw new ParseException(field + ": '" + text + "' is not a whole number");
    }
  }
}
