package dev.mcpaudit.queryapi.store.cluster;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.opensearch.DecisionMapping;
import dev.mcpaudit.queryapi.store.InvalidQuery;
import java.util.Set;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.ConstantScoreQuery;
import org.apache.lucene.search.FuzzyQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.PhraseQuery;
import org.apache.lucene.search.PointRangeQuery;
import org.apache.lucene.search.PrefixQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.RegexpQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TermRangeQuery;
import org.apache.lucene.search.WildcardQuery;
import org.apache.lucene.util.BytesRef;

/**
 * A query of the search syntax, as the parser built it (with the term policy already applied), said
 * again in OpenSearch's query DSL, node for node, so both engines match exactly the same events:
 * Lucene's boolean semantics kept (a query of only {@code NOT} clauses matches nothing, as in
 * Lucene), field names mapped by {@link DecisionMapping#path}. A query node without a translation
 * is refused as the caller's, never sent half-translated.
 */
final class QueryDsl {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final Set<String> TIMES = Set.copyOf(IndexSchema.TIMES);

  /**
   * The span a date field takes (years 0000 to 9999): a time outside it cannot be stored, and the
   * cluster refuses to parse one in a range, so bounds are clamped to it.
   */
  static final long MIN_TIME = -62_167_219_200_000L;

  static final long MAX_TIME = 253_402_300_799_999L;

  private QueryDsl() {}

  static ObjectNode of(Query q) {
    return switch (q) {
      case BooleanQuery b -> bool(b);
      case TermQuery t -> term(t.getTerm().field(), t.getTerm().text());
      case PointRangeQuery p -> pointRange(p);
      case TermRangeQuery r -> termRange(r);
      case WildcardQuery w -> multiTerm("wildcard", w.getTerm().field(), w.getTerm().text());
      case PrefixQuery p -> multiTerm("prefix", p.getPrefix().field(), p.getPrefix().text());
      case RegexpQuery r -> regexp(r);
      case FuzzyQuery f -> fuzzy(f);
      case PhraseQuery p -> phrase(p);
      case BoostQuery b -> of(b.getQuery()); // sorted by time: scores play no part
      case ConstantScoreQuery c -> of(c.getQuery());
      case MatchAllDocsQuery m -> matchAll();
      case MatchNoDocsQuery m -> matchNone();
      default ->
          throw new InvalidQuery(
              "q: a " + q.getClass().getSimpleName() + " cannot be asked of the OpenSearch index");
    };
  }

  static ObjectNode matchAll() {
    ObjectNode n = F.objectNode();
    n.putObject("match_all");
    return n;
  }

  static ObjectNode matchNone() {
    ObjectNode n = F.objectNode();
    n.putObject("match_none");
    return n;
  }

  /** A keyword (or analyzed text) field equal to {@code value}, by its Lucene field name. */
  static ObjectNode term(String luceneField, String value) {
    ObjectNode n = F.objectNode();
    n.putObject("term").putObject(DecisionMapping.path(luceneField)).put("value", value);
    return n;
  }

  static ObjectNode terms(String luceneField, Iterable<String> values) {
    ObjectNode n = F.objectNode();
    ArrayNode a = n.putObject("terms").putArray(DecisionMapping.path(luceneField));
    values.forEach(a::add);
    return n;
  }

  /** {@code field} in [lo, hi], inclusive; a time field's bounds clamped to what it can hold. */
  static ObjectNode range(String luceneField, long lo, long hi) {
    boolean time = TIMES.contains(luceneField) || luceneField.equals(IndexSchema.INGESTED_AT);
    if (time) {
      lo = Math.max(lo, MIN_TIME);
      hi = Math.min(hi, MAX_TIME);
    }
    if (lo > hi) {
      return matchNone();
    }
    ObjectNode n = F.objectNode();
    ObjectNode r = n.putObject("range").putObject(DecisionMapping.path(luceneField));
    if (lo != Long.MIN_VALUE && !(time && lo == MIN_TIME)) {
      r.put("gte", lo);
    }
    if (hi != Long.MAX_VALUE && !(time && hi == MAX_TIME)) {
      r.put("lte", hi);
    }
    return n;
  }

  /** Every clause must match; none of them scores. */
  static ObjectNode filter(ObjectNode... clauses) {
    ObjectNode n = F.objectNode();
    ArrayNode f = n.putObject("bool").putArray("filter");
    for (ObjectNode c : clauses) {
      f.add(c);
    }
    return n;
  }

  static ObjectNode not(ObjectNode clause) {
    ObjectNode n = F.objectNode();
    ObjectNode b = n.putObject("bool");
    b.putArray("filter").add(matchAll());
    b.putArray("must_not").add(clause);
    return n;
  }

  private static ObjectNode bool(BooleanQuery b) {
    ObjectNode n = F.objectNode();
    ObjectNode bool = n.putObject("bool");
    boolean required = false;
    boolean optional = false;
    for (BooleanClause c : b.clauses()) {
      String occur =
          switch (c.occur()) {
            case MUST -> "must";
            case FILTER -> "filter";
            case SHOULD -> "should";
            case MUST_NOT -> "must_not";
          };
      required |= c.occur() == BooleanClause.Occur.MUST || c.occur() == BooleanClause.Occur.FILTER;
      optional |= c.occur() == BooleanClause.Occur.SHOULD;
      ArrayNode list = bool.has(occur) ? (ArrayNode) bool.get(occur) : bool.putArray(occur);
      list.add(of(c.query()));
    }
    if (!required && !optional) {
      // Lucene matches nothing with prohibitions alone (OpenSearch would match everything else).
      return matchNone();
    }
    int min = b.getMinimumNumberShouldMatch();
    // Written out either way: OpenSearch's default depends on the other clauses, Lucene's does not.
    bool.put("minimum_should_match", min > 0 ? min : required ? 0 : 1);
    return n;
  }

  private static ObjectNode pointRange(PointRangeQuery p) {
    if (p.getNumDims() != 1 || p.getBytesPerDim() != Long.BYTES) {
      throw new InvalidQuery("q: a range on " + p.getField() + " cannot be asked here");
    }
    return range(
        p.getField(),
        LongPoint.decodeDimension(p.getLowerPoint(), 0),
        LongPoint.decodeDimension(p.getUpperPoint(), 0));
  }

  private static ObjectNode termRange(TermRangeQuery r) {
    ObjectNode n = F.objectNode();
    ObjectNode range = n.putObject("range").putObject(DecisionMapping.path(r.getField()));
    bound(range, r.includesLower() ? "gte" : "gt", r.getLowerTerm());
    bound(range, r.includesUpper() ? "lte" : "lt", r.getUpperTerm());
    return n;
  }

  private static void bound(ObjectNode range, String op, BytesRef term) {
    if (term != null) {
      range.put(op, term.utf8ToString());
    }
  }

  private static ObjectNode multiTerm(String kind, String field, String value) {
    ObjectNode n = F.objectNode();
    n.putObject(kind).putObject(DecisionMapping.path(field)).put("value", value);
    return n;
  }

  private static ObjectNode regexp(RegexpQuery r) {
    ObjectNode n = F.objectNode();
    n.putObject("regexp")
        .putObject(DecisionMapping.path(r.getRegexp().field()))
        .put("value", r.getRegexp().text())
        .put("flags", "ALL");
    return n;
  }

  private static ObjectNode fuzzy(FuzzyQuery f) {
    ObjectNode n = F.objectNode();
    n.putObject("fuzzy")
        .putObject(DecisionMapping.path(f.getTerm().field()))
        .put("value", f.getTerm().text())
        .put("fuzziness", f.getMaxEdits())
        .put("prefix_length", f.getPrefixLength())
        .put("transpositions", f.getTranspositions())
        .put("max_expansions", FuzzyQuery.defaultMaxExpansions);
    return n;
  }

  /**
   * A phrase of analyzed terms: re-analysing them with the same standard analyzer gives the same
   * terms, so {@code match_phrase} runs Lucene's phrase query with the same slop.
   */
  private static ObjectNode phrase(PhraseQuery p) {
    StringBuilder text = new StringBuilder();
    for (var t : p.getTerms()) {
      if (!text.isEmpty()) {
        text.append(' ');
      }
      text.append(t.text());
    }
    ObjectNode n = F.objectNode();
    n.putObject("match_phrase")
        .putObject(DecisionMapping.path(p.getField()))
        .put("query", text.toString())
        .put("slop", p.getSlop());
    return n;
  }
}
