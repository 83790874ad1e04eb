package dev.mcpaudit.queryapi.store.lucene;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.queryapi.auth.Caller;
import dev.mcpaudit.queryapi.auth.Role;
import dev.mcpaudit.queryapi.store.EventQuery;
import dev.mcpaudit.queryapi.store.InvalidQuery;
import dev.mcpaudit.queryapi.store.QueryTimedOut;
import dev.mcpaudit.queryapi.store.TenantScope;
import dev.mcpaudit.queryapi.store.TimeRange;
import dev.mcpaudit.rules.query.TermPolicy;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.testkit.SyntheticEvents;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.WildcardQuery;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One rule for every term that walks a dictionary: a literal prefix, regexp and open ranges off by
 * default.
 */
class TermPolicyTest {
  private static final Instant START = Instant.parse("2026-11-26T08:00:00Z");
  private static final Caller ALL = new Caller("t", Role.ANALYST, Set.of(), true);
  private static final TimeRange RANGE =
      new TimeRange(START.minusSeconds(60), START.plusSeconds(3600));
  private static ByteBuffersDirectory dir;
  private static Searchers index;

  @BeforeAll
  static void smallIndex() throws Exception {
    dir = new ByteBuffersDirectory();
    try (IndexWriter w = new IndexWriter(dir, new IndexWriterConfig())) {
      SyntheticEvents gen = new SyntheticEvents(3, START);
      for (int i = 0; i < 300; i++) {
        byte[] raw = EventCodec.encode(gen.next());
        w.addDocument(
            IndexSchema.document(
                EventCodec.mapper().readTree(raw), raw, new IndexSchema.Origin(0, i, 0)));
      }
    }
    index = new Searchers(StoreFixture.searchers(dir), Duration.ofSeconds(5), null);
  }

  private static Query compose(TermPolicy policy, String q) {
    return new Queries(index, policy).events(TenantScope.of(ALL, null), new EventQuery(q, RANGE));
  }

  private static long count(TermPolicy policy, String q) {
    Query query = compose(policy, q);
    return index.read(s -> (long) s.count(query));
  }

  private static void refused(TermPolicy policy, String q, String... message) {
    assertThatThrownBy(() -> compose(policy, q))
        .as(q)
        .isInstanceOf(InvalidQuery.class)
        .satisfies(
            e -> {
              assertThat(e.getMessage()).startsWith("q: ").contains(message);
            });
  }

  @Test
  void regularExpressionsAreOffByDefaultWhateverTheirShape() {
    refused(
        TermPolicy.DEFAULT,
        "actor.id:/.*bot.*/",
        "regular expressions are off",
        "api.query.regexp");
    refused(TermPolicy.DEFAULT, "actor.id:/(/", "regular expressions are off");
  }

  @Test
  void switchedOnARegularExpressionStillNeedsALiteralPrefixJudgedOnItsAutomaton() {
    TermPolicy on = new TermPolicy(3, false, true, false, false);
    refused(on, "actor.id:/.*bot.*/", "same 3 characters", "api.query.min-prefix");
    // A prefix in the text is not a prefix of the language: this one matches every term.
    refused(on, "actor.id:/spiffe.*|.*/", "same 3 characters");
    refused(on, "actor.id:/(/", "not a valid regular expression");
    refused(on, "actor.id:/spi(ffe/", "not a valid regular expression");
    assertThat(count(on, "actor.id:/spiffe:.*/")).isEqualTo(300);
  }

  @Test
  void openRangesOnKeywordFieldsAreRefusedClosedOnesNeedASharedPrefix() {
    refused(TermPolicy.DEFAULT, "event_id:[* TO *]", "open end", "api.query.open-ranges");
    refused(TermPolicy.DEFAULT, "event_id:[ev-3-1 TO *]", "open end");
    refused(TermPolicy.DEFAULT, "actor.id:{* TO z}", "open end");
    refused(TermPolicy.DEFAULT, "event_id:[a TO z]", "share their first 3 characters");
    long between =
        java.util.stream.IntStream.range(0, 300)
            .mapToObj(i -> "ev-3-" + i)
            .filter(id -> id.compareTo("ev-3-10") >= 0 && id.compareTo("ev-3-19") <= 0)
            .count();
    assertThat(count(TermPolicy.DEFAULT, "event_id:[ev-3-10 TO ev-3-19]"))
        .isEqualTo(between)
        .isPositive();
    assertThat(count(new TermPolicy(3, false, false, false, true), "event_id:[* TO *]"))
        .isEqualTo(300);
    // Times and numbers are points, not terms: open ranges stay allowed (the UI relies on
    // occurred_at:[* TO *]).
    assertThat(count(TermPolicy.DEFAULT, "occurred_at:[* TO *]")).isEqualTo(300);
    assertThat(count(TermPolicy.DEFAULT, "latency_us:[0 TO *]")).isNotNegative();
  }

  static final TermPolicy FUZZY = new TermPolicy(3, false, false, true, false);

  @Test
  void fuzzyTermsAreOffByDefaultForTheyRankEveryTenantsValues() {
    refused(TermPolicy.DEFAULT, "tool.name:create_isue~", "fuzzy terms are off (api.query.fuzzy)");
    refused(TermPolicy.DEFAULT, "actor.id:globex-analyst~1", "fuzzy terms are off");
  }

  @Test
  void wildcardsPrefixesAndFuzzyTermsNeedTheLiteralPrefix() {
    refused(TermPolicy.DEFAULT, "actor.id:*bot*", "q:");
    refused(TermPolicy.DEFAULT, "tool.name:cr*", "at least 3 characters");
    refused(TermPolicy.DEFAULT, "tool.name:c?eate*", "at least 3 literal characters");
    refused(FUZZY, "tool.name:cr~", "fuzzy term needs at least 3 characters");
    refused(TermPolicy.DEFAULT, "reason:de*", "at least 3 characters");
    assertThat(count(TermPolicy.DEFAULT, "tool.name:create_*")).isPositive();
    assertThat(count(TermPolicy.DEFAULT, "tool.name:cre?te_issue")).isPositive();
    assertThat(count(FUZZY, "tool.name:create_isue~"))
        .isEqualTo(count(TermPolicy.DEFAULT, "tool.name:create_issue"));
    // The operator may loosen the rule: leading wildcards on, or a shorter prefix.
    assertThat(count(new TermPolicy(3, true, false, false, false), "tool.name:*_issue"))
        .isPositive();
    assertThat(count(new TermPolicy(1, false, false, false, false), "tool.name:c*")).isPositive();
  }

  @Test
  void malformedNumbersAndTimesInQAre400NotServerErrors() {
    refused(TermPolicy.DEFAULT, "occurred_at:[99999999999999999999 TO *]", "beyond the range");
    refused(TermPolicy.DEFAULT, "occurred_at:99999999999999999999", "beyond the range");
    refused(TermPolicy.DEFAULT, "latency_us:[0 TO 99999999999999999999]", "not a whole number");
    refused(TermPolicy.DEFAULT, "tool.name:create_issue AND (", "q:");
  }

  @Test
  void theDeadlineCoversTermEnumerationNotOnlyCollection() throws Exception {
    try (DirectoryReader reader = DirectoryReader.open(dir)) {
      Query everyEventId = new WildcardQuery(new Term(IndexSchema.EVENT_ID, "*"));
      // No searcher time limit at all: only the reader's terms can stop this.
      IndexSearcher expired = new IndexSearcher(TimeLimitedReader.wrap(reader, () -> true));
      assertThatThrownBy(() -> expired.count(everyEventId))
          .isInstanceOf(TimeLimitedReader.DeadlinePassed.class);
      IndexSearcher inTime = new IndexSearcher(TimeLimitedReader.wrap(reader, () -> false));
      assertThat(inTime.count(everyEventId)).isEqualTo(300);
    }
    // Through the store's searchers the same is QueryTimedOut (a 503 with Retry-After), not a 500.
    Searchers noTime =
        new Searchers(new SearcherManager(DirectoryReader.open(dir), null), Duration.ZERO, null);
    Query q = compose(new TermPolicy(0, true, true, true, true), "event_id:/.*/");
    assertThatThrownBy(() -> noTime.read(s -> s.count(q))).isInstanceOf(QueryTimedOut.class);
    assertThatCode(() -> index.read(s -> s.count(q))).doesNotThrowAnyException();
  }

  @Test
  void theDeadlineCoversAWalkBetweenMatchesNotOnlyTheMatches() throws Exception {
    // 20,000 terms under spi…, none of which spi*zz* matches: the walk visits them all and returns
    // nothing.
    ByteBuffersDirectory terms = new ByteBuffersDirectory();
    try (IndexWriter w = new IndexWriter(terms, new IndexWriterConfig())) {
      for (int i = 0; i < 20_000; i++) {
        org.apache.lucene.document.Document d = new org.apache.lucene.document.Document();
        d.add(
            new org.apache.lucene.document.StringField(
                IndexSchema.ACTOR_ID,
                String.format("spiffe://acme/agent-%05d", i),
                org.apache.lucene.document.Field.Store.NO));
        w.addDocument(d);
      }
    }
    Query neverMatches = new WildcardQuery(new Term(IndexSchema.ACTOR_ID, "spi*zz*"));
    try (DirectoryReader reader = DirectoryReader.open(terms)) {
      // In time when the walk starts, out of time a moment later: only a look at the clock during
      // the walk can see it.
      java.util.concurrent.atomic.AtomicInteger looks =
          new java.util.concurrent.atomic.AtomicInteger();
      IndexSearcher expiring =
          new IndexSearcher(TimeLimitedReader.wrap(reader, () -> looks.incrementAndGet() > 1));
      assertThatThrownBy(() -> expiring.count(neverMatches))
          .isInstanceOf(TimeLimitedReader.DeadlinePassed.class);
      assertThat(looks.get()).isGreaterThan(1);
      // With time to spare, the same walk answers as Lucene's own intersection does.
      IndexSearcher inTime = new IndexSearcher(TimeLimitedReader.wrap(reader, () -> false));
      IndexSearcher plain = new IndexSearcher(reader);
      for (String pattern :
          new String[] {
            "spi*zz*",
            "spiffe://acme/agent-0001?",
            "spiffe://acme/agent-1*7",
            "spiffe://acme/agent-19999"
          }) {
        Query q = new WildcardQuery(new Term(IndexSchema.ACTOR_ID, pattern));
        assertThat(inTime.count(q)).as(pattern).isEqualTo(plain.count(q));
      }
      assertThat(
              inTime.count(
                  new WildcardQuery(new Term(IndexSchema.ACTOR_ID, "spiffe://acme/agent-1*7"))))
          .isEqualTo(1_000);
    }
  }
}
