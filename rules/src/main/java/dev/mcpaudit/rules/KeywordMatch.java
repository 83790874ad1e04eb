package dev.mcpaudit.rules;

import dev.mcpaudit.rules.query.SearchSyntax;
import java.util.Arrays;
import java.util.Set;
import org.apache.lucene.search.AutomatonQuery;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.ConstantScoreQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.PointRangeQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.automaton.ByteRunAutomaton;

/**
 * Answers a query on one event without building its in-memory index, for the query shapes whose
 * answer the event's exact values decide: a keyword field's term, prefix or wildcard (the whole
 * value is the one term), a one-dimensional point range, and boolean combinations of them with
 * Lucene's own rules (a clause list of MUST_NOT alone matches nothing; SHOULD clauses are required
 * only when nothing else is). Anything else (analyzed text, fuzzy terms, a minimum-should-match) is
 * {@link #UNKNOWN}, and the index answers. {@code EventDocumentTest} holds both ways to the stored
 * index's answers.
 */
final class KeywordMatch {
  static final int FALSE = 0;
  static final int TRUE = 1;
  static final int UNKNOWN = 2;

  private KeywordMatch() {}

  static int eval(Query q, EventDocument doc) {
    if (q instanceof TermQuery tq) {
      if (!SearchSyntax.KEYWORDS.contains(tq.getTerm().field())) {
        return UNKNOWN;
      }
      return doc.has(tq.getTerm()) ? TRUE : FALSE;
    }
    if (q instanceof AutomatonQuery aq) {
      if (!SearchSyntax.KEYWORDS.contains(aq.getField())) {
        return UNKNOWN;
      }
      Set<String> values = doc.values(aq.getField());
      if (values.isEmpty()) {
        return FALSE;
      }
      ByteRunAutomaton run = doc.automaton(aq);
      if (run == null) {
        return UNKNOWN;
      }
      for (String v : values) {
        byte[] utf8 = v.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (run.run(utf8, 0, utf8.length)) {
          return TRUE;
        }
      }
      return FALSE;
    }
    if (q instanceof PointRangeQuery pq) {
      if (pq.getNumDims() != 1) {
        return UNKNOWN;
      }
      byte[] lower = pq.getLowerPoint();
      byte[] upper = pq.getUpperPoint();
      for (byte[] p : doc.points(pq.getField())) {
        if (p.length == lower.length
            && Arrays.compareUnsigned(p, lower) >= 0
            && Arrays.compareUnsigned(p, upper) <= 0) {
          return TRUE;
        }
      }
      return FALSE;
    }
    if (q instanceof BooleanQuery bq) {
      return bool(bq, doc);
    }
    if (q instanceof BoostQuery b) {
      return eval(b.getQuery(), doc);
    }
    if (q instanceof ConstantScoreQuery c) {
      return eval(c.getQuery(), doc);
    }
    if (q instanceof MatchAllDocsQuery) {
      return TRUE;
    }
    if (q instanceof MatchNoDocsQuery) {
      return FALSE;
    }
    return UNKNOWN;
  }

  private static int bool(BooleanQuery bq, EventDocument doc) {
    if (bq.getMinimumNumberShouldMatch() > 0) {
      return UNKNOWN;
    }
    boolean required = false;
    boolean unknown = false;
    int shoulds = 0;
    boolean anyShould = false;
    boolean shouldUnknown = false;
    for (BooleanClause c : bq.clauses()) {
      switch (c.occur()) {
        case MUST, FILTER -> {
          required = true;
          int v = eval(c.query(), doc);
          if (v == FALSE) {
            return FALSE;
          }
          unknown |= v == UNKNOWN;
        }
        case MUST_NOT -> {
          int v = eval(c.query(), doc);
          if (v == TRUE) {
            return FALSE;
          }
          unknown |= v == UNKNOWN;
        }
        case SHOULD -> {
          shoulds++;
          int v = eval(c.query(), doc);
          anyShould |= v == TRUE;
          shouldUnknown |= v == UNKNOWN;
        }
      }
    }
    if (!required) {
      // Without a required clause, one SHOULD must match; MUST_NOT alone matches nothing.
      if (shoulds == 0) {
        return FALSE;
      }
      if (!anyShould) {
        return shouldUnknown ? UNKNOWN : FALSE;
      }
    }
    return unknown ? UNKNOWN : TRUE;
  }
}
