package dev.mcpaudit.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.rules.query.TermPolicy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.lucene.search.Query;

/**
 * The live rules at one moment, parsed once, by the tenant they watch: what the detector asks for
 * each event. Immutable; a change to the rules makes a new book ({@link RuleFeed}).
 */
public final class RuleBook {
  private static final RuleBook EMPTY = new RuleBook(List.of());
  private static final int MAX_VALUE = 190;

  /**
   * A rule with its parsed query, and the keyword terms any event it matches must hold (from its
   * required clauses): checked first, they spare most events the query itself.
   */
  public record Compiled(
      CustomRule rule, Query query, List<org.apache.lucene.index.Term> required) {
    Compiled(CustomRule rule, Query query) {
      this(rule, query, required(query));
    }

    boolean mayMatch(EventDocument doc) {
      for (org.apache.lucene.index.Term t : required) {
        if (!doc.has(t)) {
          return false;
        }
      }
      return true;
    }

    /** Exact keyword terms in clauses that must match, through nested required clauses. */
    static List<org.apache.lucene.index.Term> required(Query q) {
      List<org.apache.lucene.index.Term> out = new ArrayList<>();
      collect(q, out);
      return List.copyOf(out);
    }

    private static void collect(Query q, List<org.apache.lucene.index.Term> out) {
      if (q instanceof org.apache.lucene.search.TermQuery tq
          && dev.mcpaudit.rules.query.SearchSyntax.KEYWORDS.contains(tq.getTerm().field())) {
        out.add(tq.getTerm());
      } else if (q instanceof org.apache.lucene.search.BooleanQuery bq) {
        for (org.apache.lucene.search.BooleanClause c : bq.clauses()) {
          if (c.occur() == org.apache.lucene.search.BooleanClause.Occur.MUST
              || c.occur() == org.apache.lucene.search.BooleanClause.Occur.FILTER) {
            collect(c.query(), out);
          }
        }
      }
    }
  }

  /** An event a rule matched, with the group it counts in. */
  public record Match(String ruleId, String subject) {}

  private final Map<String, Compiled> byId = new HashMap<>();
  private final Map<String, List<Compiled>> byTenant = new HashMap<>();
  private final List<Compiled> everyTenant = new ArrayList<>();

  /** The fields any rule reads: the only ones an event's in-memory index needs. */
  private final java.util.Set<String> fields = new java.util.HashSet<>();

  private RuleBook(Collection<Compiled> rules) {
    for (Compiled c : rules) {
      fields.addAll(RuleCodec.fields(c.query()));
      byId.put(c.rule().id(), c);
      if (c.rule().tenant().equals(CustomRule.EVERY_TENANT)) {
        everyTenant.add(c);
      } else {
        byTenant.computeIfAbsent(c.rule().tenant(), t -> new ArrayList<>()).add(c);
      }
    }
  }

  public static RuleBook empty() {
    return EMPTY;
  }

  /**
   * The enabled rules among {@code rules}, parsed under {@code policy}; one that no longer parses
   * (a policy narrowed since it was saved) is left out, and named in {@code refused}.
   */
  public static RuleBook of(
      Collection<CustomRule> rules,
      TermPolicy policy,
      java.util.function.Consumer<String> refused) {
    List<Compiled> live = new ArrayList<>();
    for (CustomRule r : rules) {
      if (!r.enabled() || r.deleted()) {
        continue;
      }
      try {
        live.add(new Compiled(r, RuleCodec.query(r, policy)));
      } catch (IllegalArgumentException e) {
        refused.accept(r.id() + ": " + e.getMessage());
      }
    }
    return new RuleBook(live);
  }

  public boolean isEmpty() {
    return byId.isEmpty();
  }

  public int size() {
    return byId.size();
  }

  public Optional<CustomRule> rule(String id) {
    Compiled c = byId.get(id);
    return c == null ? Optional.empty() : Optional.of(c.rule());
  }

  /** Whether any rule watches {@code tenant}: when none does, an event costs no matching. */
  public boolean watches(String tenant) {
    return byTenant.containsKey(tenant) || (!everyTenant.isEmpty() && !tenant.startsWith("_"));
  }

  /**
   * The rules {@code event} matches, each with its group. {@code doc} is loaded with the event only
   * when some rule watches its tenant.
   */
  public List<Match> matches(String tenant, JsonNode event, EventDocument doc) {
    if (!watches(tenant)) {
      return List.of();
    }
    doc.load(event, fields);
    List<Match> out = new ArrayList<>(2);
    for (Compiled c : byTenant.getOrDefault(tenant, List.of())) {
      if (c.mayMatch(doc) && doc.answers(c.query())) {
        out.add(new Match(c.rule().id(), subject(c.rule(), event)));
      }
    }
    if (!tenant.startsWith("_")) {
      for (Compiled c : everyTenant) {
        if (c.mayMatch(doc) && doc.answers(c.query())) {
          out.add(new Match(c.rule().id(), subject(c.rule(), event)));
        }
      }
    }
    return out;
  }

  /**
   * The group an event counts in: its values of the rule's group-by fields, space separated ({@code
   * -} for one it lacks); the rule's id when it groups by nothing.
   */
  public static String subject(CustomRule rule, JsonNode event) {
    if (rule.groupBy().isEmpty()) {
      return rule.id();
    }
    StringBuilder b = new StringBuilder();
    for (String field : rule.groupBy()) {
      JsonNode n = event;
      for (String part : field.split("\\.")) {
        n = n.path(part);
      }
      if (!b.isEmpty()) {
        b.append(' ');
      }
      String v = n.isTextual() ? n.textValue() : "-";
      // Three values fit an alert's subject (600 characters) whatever their length.
      b.append(v.length() > MAX_VALUE ? v.substring(0, MAX_VALUE) : v);
    }
    return b.toString();
  }
}
