package dev.mcpaudit.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.rules.query.SearchSyntax;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexOptions;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.memory.MemoryIndex;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.util.automaton.ByteRunAutomaton;

/**
 * One event as a one-document index, built by {@link IndexSchema#document} exactly as the indexer
 * builds it, so a query matches here what it matches in the index (the technique of Elasticsearch's
 * percolator). Only the searchable parts are added: terms and points, no stored values or doc
 * values. The index is built on the first {@link #matches} of an event: {@link #has} answers from
 * the event's keyword terms alone, so a rule whose required terms are missing costs no index. One
 * per thread; {@link #load} reuses it for the next event.
 */
public final class EventDocument {
  private static final byte[] NO_SOURCE = new byte[0];
  private static final IndexSchema.Origin NO_ORIGIN = new IndexSchema.Origin(-1, -1, 0);

  private final Analyzer analyzer = SearchSyntax.analyzer();
  private final MemoryIndex index = new MemoryIndex(false, false);
  private final List<IndexableField> fields = new ArrayList<>();
  private final Map<String, Set<String>> keywords = new HashMap<>();
  private final Map<String, List<byte[]>> points = new HashMap<>();

  /** Each rule's automaton compiled once, by its query (the book's, so the same object). */
  private final Map<org.apache.lucene.search.AutomatonQuery, Optional<ByteRunAutomaton>> automata =
      new java.util.IdentityHashMap<>();

  private IndexSearcher searcher;

  /** Makes this the index of {@code event} (one the validator passed). */
  public EventDocument load(JsonNode event) {
    return load(event, null);
  }

  /**
   * Makes this the index of {@code event}, with only the {@code fields} named (null: all): a query
   * reads no other field, so leaving the rest out changes no answer and saves their analysis.
   */
  public EventDocument load(JsonNode event, Set<String> only) {
    fields.clear();
    keywords.clear();
    points.clear();
    searcher = null;
    for (IndexableField f : IndexSchema.document(event, NO_SOURCE, NO_ORIGIN)) {
      if ((only == null || only.contains(f.name()))
          && (f.fieldType().indexOptions() != IndexOptions.NONE
              || f.fieldType().pointDimensionCount() > 0)) {
        fields.add(f);
        if (f instanceof StringField) {
          keywords.computeIfAbsent(f.name(), n -> new HashSet<>(2)).add(f.stringValue());
        } else if (f.fieldType().pointDimensionCount() == 1) {
          org.apache.lucene.util.BytesRef b = f.binaryValue();
          points
              .computeIfAbsent(f.name(), n -> new ArrayList<>(1))
              .add(java.util.Arrays.copyOfRange(b.bytes, b.offset, b.offset + b.length));
        }
      }
    }
    return this;
  }

  /** Whether the event holds keyword term {@code t} (of a field loaded). */
  public boolean has(Term t) {
    Set<String> values = keywords.get(t.field());
    return values != null && values.contains(t.text());
  }

  /** The event's values of keyword field {@code field} (of a field loaded). */
  Set<String> values(String field) {
    return keywords.getOrDefault(field, Set.of());
  }

  /** The event's packed one-dimensional points of {@code field} (of a field loaded). */
  List<byte[]> points(String field) {
    return points.getOrDefault(field, List.of());
  }

  /** The automaton of {@code q} to run on a value, or null when it cannot be run alone. */
  ByteRunAutomaton automaton(org.apache.lucene.search.AutomatonQuery q) {
    if (automata.size() > 10_000) {
      automata.clear(); // books replaced many times over: start again
    }
    return automata
        .computeIfAbsent(
            q,
            x -> {
              try {
                return Optional.of(new ByteRunAutomaton(x.getAutomaton(), x.isAutomatonBinary()));
              } catch (IllegalArgumentException e) {
                return Optional.empty();
              }
            })
        .orElse(null);
  }

  /** Whether {@code q} matches the event: from its values where they decide, else its index. */
  public boolean answers(Query q) {
    int v = KeywordMatch.eval(q, this);
    return v == KeywordMatch.TRUE || (v == KeywordMatch.UNKNOWN && matches(q));
  }

  public boolean matches(Query q) {
    if (searcher == null) {
      index.reset();
      for (IndexableField f : fields) {
        index.addField(f, analyzer);
      }
      index.freeze();
      searcher = index.createSearcher();
      searcher.setQueryCache(null);
    }
    try {
      return searcher.count(q) > 0;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("a memory index does not do I/O", e);
    }
  }
}
