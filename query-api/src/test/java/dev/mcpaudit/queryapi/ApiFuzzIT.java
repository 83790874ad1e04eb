package dev.mcpaudit.queryapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.queryapi.auth.Caller;
import dev.mcpaudit.runtime.auth.TokenDigest;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.EventCodec;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Random and adversarial values at every parameter of every endpoint, against the real api role
 * over a real index on disk. For every answer: never a 500 (or another 5xx than the documented
 * 503), within the query deadline plus a margin, no stack trace in the body, and no event outside
 * the caller's tenants; after each property the server still answers.
 *
 * <p>Property-based on plain JUnit: each property draws its cases from a {@link SplittableRandom}
 * seeded from the run's seed (random, printed, or {@code -Dfuzz.seed=N} to make a failing run
 * again); a failure names the seed, the property, the case and the request.
 */
class ApiFuzzIT {
  static final int TRIES = 300;
  static final long DEADLINE_MS = 2_000;

  /**
   * Slack over the query deadline for what is not the query: parsing, loading, writing, a busy CI
   * core.
   */
  static final long MARGIN_MS = 4_000;

  static final long SEED = Long.getLong("fuzz.seed", new SplittableRandom().nextLong());

  enum Who {
    ANONYMOUS(null),
    FORGED(null),
    ANALYST(Set.of("tenant-0")),
    MIXED(Set.of("tenant-1")),
    AUDITOR(null),
    ADMIN(null);

    /**
     * What the token may see; null with AUDITOR is every tenant but _system, with ADMIN every
     * tenant.
     */
    final Set<String> tenants;

    Who(Set<String> tenants) {
      this.tenants = tenants;
    }

    boolean sees(String tenant) {
      return switch (this) {
        case ADMIN -> true;
        case AUDITOR -> !Caller.SYSTEM_TENANT.equals(tenant);
        case ANALYST, MIXED -> tenants.contains(tenant);
        default -> false;
      };
    }
  }

  static final Map<Who, String> TOKENS = new LinkedHashMap<>();
  static Path dir;
  static ServedIndex served;
  static final List<String> eventIds = new ArrayList<>();
  static final List<String> handleIds = new ArrayList<>();
  static final List<String> actorIds = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    System.out.println("ApiFuzzIT: seed " + SEED + " (run again with -Dfuzz.seed=" + SEED + ")");
    for (Who w : Who.values()) {
      TOKENS.put(w, w == Who.ANONYMOUS ? null : TokenDigest.newToken());
    }
    dir = Files.createTempDirectory("api-fuzz");
    served =
        new ServedIndex(
            dir,
            3_000,
            30,
            Map.ofEntries(
                Map.entry("api.query-timeout", DEADLINE_MS + "ms"),
                Map.entry("api.token.ann", TokenDigest.of(TOKENS.get(Who.ANALYST))),
                Map.entry("api.token.ann.role", "analyst"),
                Map.entry("api.token.ann.tenants", "tenant-0"),
                Map.entry("api.token.mix", TokenDigest.of(TOKENS.get(Who.MIXED))),
                Map.entry("api.token.mix.role", "analyst"),
                Map.entry("api.token.mix.tenants", "tenant-1,_system"),
                Map.entry("api.token.aud", TokenDigest.of(TOKENS.get(Who.AUDITOR))),
                Map.entry("api.token.aud.role", "auditor"),
                Map.entry("api.token.aud.tenants", "*"),
                Map.entry("api.token.adm", TokenDigest.of(TOKENS.get(Who.ADMIN))),
                Map.entry("api.token.adm.role", "admin"),
                Map.entry("api.token.adm.tenants", "*")));
    for (AuthzEvent e : served.events) {
      eventIds.add(e.eventId());
      if (e.handle() != null) {
        handleIds.add(e.handle().id());
      }
      actorIds.add(e.actor().id());
    }
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      stillAnswering();
    } finally {
      served.close();
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @AfterEach
  void answersAfterTheProperty() throws Exception {
    stillAnswering();
  }

  static void stillAnswering() throws IOException {
    RawHttp.Answer live = RawHttp.get(served.api.port(), "/health/live", null, 5_000);
    assertThat(live.status()).isEqualTo(200);
    RawHttp.Answer search =
        RawHttp.get(
            served.api.port(),
            "/api/v1/decisions?limit=5&from=now-2h",
            TOKENS.get(Who.ANALYST),
            5_000);
    assertThat(search.status()).as(search.body()).isEqualTo(200);
    assertThat(search.millis()).isLessThan(DEADLINE_MS + MARGIN_MS);
  }

  // ---------------------------------------------------------------- properties, one per endpoint

  /** One case of a property: draws its values from {@code r} and checks the answer. */
  interface Case {
    void run(SplittableRandom r) throws Exception;
  }

  /**
   * {@code tries} cases of a property, each from its own random source derived from the seed and
   * the property's name.
   */
  static void forAll(String property, int tries, Case c) throws Exception {
    SplittableRandom forProperty = new SplittableRandom(SEED ^ property.hashCode());
    for (int i = 0; i < tries; i++) {
      try {
        c.run(forProperty.split());
      } catch (AssertionError e) {
        throw new AssertionError(
            "seed "
                + SEED
                + ", property "
                + property
                + ", case "
                + i
                + " of "
                + tries
                + ": "
                + e.getMessage(),
            e);
      }
    }
  }

  @Test
  void decisions() throws Exception {
    forAll(
        "decisions",
        TRIES,
        r ->
            check(
                who().next(r),
                "/api/v1/decisions",
                params(
                    "q",
                    q().next(r),
                    "from",
                    time().next(r),
                    "to",
                    time().next(r),
                    "tenant",
                    tenant().next(r),
                    "limit",
                    number().next(r),
                    "cursor",
                    cursor().next(r))));
  }

  @Test
  void oneDecision() throws Exception {
    forAll(
        "oneDecision",
        TRIES,
        r -> check(who().next(r), "/api/v1/decisions/" + eventId().next(r), ""));
  }

  @Test
  void access() throws Exception {
    forAll(
        "access",
        TRIES,
        r ->
            check(
                who().next(r),
                "/api/v1/access",
                params(
                    "actor",
                    actor().next(r),
                    "on_behalf_of",
                    actor().next(r),
                    "from",
                    time().next(r),
                    "to",
                    time().next(r),
                    "tenant",
                    tenant().next(r))));
  }

  @Test
  void handle() throws Exception {
    forAll("handle", TRIES, r -> check(who().next(r), "/api/v1/handles/" + handleId().next(r), ""));
  }

  @Test
  void statsTop() throws Exception {
    forAll(
        "statsTop",
        TRIES,
        r ->
            check(
                who().next(r),
                "/api/v1/stats/top",
                params(
                    "field",
                    field().next(r),
                    "q",
                    q().next(r),
                    "from",
                    time().next(r),
                    "to",
                    time().next(r),
                    "tenant",
                    tenant().next(r),
                    "size",
                    number().next(r))));
  }

  @Test
  void histogram() throws Exception {
    forAll(
        "histogram",
        TRIES,
        r ->
            check(
                who().next(r),
                "/api/v1/stats/histogram",
                params(
                    "q",
                    q().next(r),
                    "from",
                    time().next(r),
                    "to",
                    time().next(r),
                    "tenant",
                    tenant().next(r),
                    "buckets",
                    number().next(r))));
  }

  @Test
  void export() throws Exception {
    forAll(
        "export",
        TRIES,
        r ->
            check(
                exporter().next(r),
                "/api/v1/export",
                params(
                    "format",
                    format().next(r),
                    "q",
                    q().next(r),
                    "from",
                    time().next(r),
                    "to",
                    time().next(r),
                    "tenant",
                    tenant().next(r))));
  }

  @Test
  void alerts() throws Exception {
    forAll(
        "alerts",
        TRIES,
        r ->
            check(
                who().next(r),
                "/api/v1/alerts",
                params(
                    "from",
                    time().next(r),
                    "to",
                    time().next(r),
                    "tenant",
                    tenant().next(r),
                    "type",
                    alertType().next(r),
                    "severity",
                    severity().next(r),
                    "handle",
                    handleId().next(r),
                    "actor",
                    actor().next(r),
                    "event_id",
                    eventId().next(r),
                    "limit",
                    number().next(r))));
  }

  @Test
  void whoami() throws Exception {
    forAll(
        "whoami",
        100,
        r -> check(who().next(r), "/api/v1/whoami", params("tenant", anything().next(r))));
  }

  /**
   * The attacks seen so far, each sent as every kind of caller, whatever the seed; all of them run
   * and every one that fails is reported, not only the first.
   */
  @Test
  void knownAttacks() throws Exception {
    List<String> failures = new ArrayList<>();
    for (String target : KNOWN_ATTACKS) {
      for (Who who : List.of(Who.ANONYMOUS, Who.ANALYST, Who.MIXED, Who.AUDITOR, Who.ADMIN)) {
        int q = target.indexOf('?');
        try {
          check(who, q < 0 ? target : target.substring(0, q), q < 0 ? "" : target.substring(q));
        } catch (AssertionError e) {
          failures.add(e.getMessage().lines().findFirst().orElse("?"));
          break; // one caller is enough to show it
        }
      }
    }
    assertThat(failures)
        .as(failures.size() + " known attacks not handled:\n" + String.join("\n", failures))
        .isEmpty();
  }

  static String forgedCursor(long millis, String id) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(("v1|" + millis + "|" + id).getBytes(StandardCharsets.UTF_8));
  }

  static final String EPOCH = enc("1970-01-01T00:00:00.001Z");

  /** Any id will do in a forged cursor: it is the millis that matter. */
  static final String FIRST = "ev-1092-0";

  static final List<String> KNOWN_ATTACKS = knownAttacks(EPOCH, FIRST);

  static List<String> knownAttacks(String epoch, String first) {
    return List.of(
        "/api/v1/decisions?q=" + enc("actor.id:/.*bot.*/"),
        "/api/v1/decisions?q=" + enc("event_id:[* TO *]"),
        "/api/v1/decisions?q=" + enc("actor.id:/(/"),
        "/api/v1/decisions?q=" + enc("actor.id:*bot*"),
        "/api/v1/decisions?from=" + enc("now-99999999999999999999d"),
        "/api/v1/decisions?from=" + enc("now-9223372036854775807s"),
        "/api/v1/decisions?from=" + enc("now-300000000000d"),
        "/api/v1/decisions?to=" + enc("now-99999999999999999999d"),
        "/api/v1/decisions?limit=" + Long.MIN_VALUE,
        "/api/v1/decisions?limit=99999999999999999999",
        "/api/v1/decisions?tenant=" + enc("_system"),
        "/api/v1/decisions?q=" + enc("tenant:_system"),
        "/api/v1/decisions?q=" + enc("a".repeat(5_000)),
        "/api/v1/decisions?q=" + "%zz",
        "/api/v1/decisions?q=" + "%C0%AF",
        "/api/v1/decisions?q=" + enc("\u0000\r\n"),
        "/api/v1/decisions/%u0041",
        "/api/v1/decisions/" + enc("x".repeat(500)),
        "/api/v1/handles/%",
        "/api/v1/handles/" + enc("h\u0000"),
        "/api/v1/stats/top?field=actor.id&q=" + enc("actor.id:/.*/"),
        "/api/v1/stats/top?field=tenant&size=" + Long.MIN_VALUE,
        "/api/v1/stats/histogram?buckets=1000&from=" + enc("now-106751991167300d"),
        "/api/v1/stats/histogram?from="
            + enc("-999999999-01-01T00:00:00Z")
            + "&to="
            + enc("+999999999-12-31T23:59:59Z"),
        "/api/v1/stats/histogram?from=" + epoch + "&buckets=1",
        "/api/v1/access?actor=" + enc("x") + "&from=" + enc("now-99999999999999999999d"),
        "/api/v1/access?on_behalf_of=" + enc("[* TO *]") + "&q=" + enc("event_id:[* TO *]"),
        "/api/v1/export?q=" + enc("actor.id:/(/"),
        "/api/v1/export?format=" + enc("ndjson\r\nX-Injected: 1"),
        "/api/v1/export?q=" + enc("event_id:[* TO *]") + "&format=csv",
        "/api/v1/alerts?limit=-9223372036854775808&type=" + enc("REPLAY\u0000"),
        "/api/v1/alerts?event_id=" + enc("[* TO *]") + "&handle=" + enc("*"),
        "/api/v1/whoami?tenant=" + enc("\u202E_system"),
        // Last: a cursor that sends the paging loop round forever would keep a core busy for the
        // rest of the run.
        "/api/v1/decisions?cursor=" + forgedCursor(Long.MAX_VALUE, first),
        "/api/v1/decisions?cursor=" + forgedCursor(Long.MIN_VALUE, "\u0000"),
        "/api/v1/decisions?from=" + epoch + "&cursor=" + forgedCursor(Long.MIN_VALUE + 1, first),
        "/api/v1/decisions?from=" + epoch + "&cursor=" + forgedCursor(Long.MIN_VALUE, first));
  }

  // ---------------------------------------------------------------- the checks

  /** Every thread, virtual ones included (the requests run on those). */
  static String threadDump() {
    try {
      Path file = Files.createTempFile("api-fuzz-threads", ".txt");
      Files.delete(file);
      java.lang.management.ManagementFactory.getPlatformMXBean(
              com.sun.management.HotSpotDiagnosticMXBean.class)
          .dumpThreads(
              file.toString(),
              com.sun.management.HotSpotDiagnosticMXBean.ThreadDumpFormat.TEXT_PLAIN);
      return "ApiFuzzIT: threads when a request got no answer\n" + Files.readString(file);
    } catch (IOException | RuntimeException e) {
      return "ApiFuzzIT: no thread dump: " + e;
    }
  }

  static String params(String... kv) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < kv.length; i += 2) {
      if (kv[i + 1] != null) {
        b.append(b.isEmpty() ? "?" : "&").append(kv[i]).append('=').append(kv[i + 1]);
      }
    }
    return b.toString();
  }

  static void check(Who who, String path, String query) throws Exception {
    String token = who == Who.FORGED ? "forged-" + who.ordinal() : TOKENS.get(who);
    String target = path + query;
    RawHttp.Answer a;
    try {
      a = RawHttp.get(served.api.port(), target, token, (int) (DEADLINE_MS + MARGIN_MS + 2_000));
    } catch (IOException e) {
      // Seen rarely and not reproduced from its seed: the threads say where the request waited.
      System.out.println(threadDump());
      throw new AssertionError(who + " GET " + shown(target) + ": no answer (" + e + ")", e);
    }
    String what = who + " GET " + shown(target) + " -> " + a.status() + " " + shown(a.body());
    if (a.status() == RawHttp.CLOSED_WHILE_SENDING) {
      assertThat(target.length())
          .as(what + ": connection closed on a request of ordinary size")
          .isGreaterThan(8 * 1024);
      return;
    }
    assertThat(a.status()).as(what).isBetween(200, 499);
    assertThat(a.millis()).as(what).isLessThan(DEADLINE_MS + MARGIN_MS);
    assertThat(a.body())
        .as(what)
        .doesNotContain("\tat ", "Exception:", "at dev.mcpaudit", "at org.apache");
    if (a.status() >= 400) {
      assertThat(a.headers().get("content-type")).as(what).startsWith("application/problem+json");
    }
    if (a.status() == 200) {
      for (String tenant : tenantsIn(path, a)) {
        assertThat(who.sees(tenant))
            .as(what + ": returned an event of tenant '" + tenant + "'")
            .isTrue();
      }
    }
  }

  /** The tenant of every event (or alert, or tenant bucket) an answer holds. */
  static List<String> tenantsIn(String path, RawHttp.Answer a) throws IOException {
    List<String> out = new ArrayList<>();
    if (path.startsWith("/api/v1/export")) {
      String type = a.headers().getOrDefault("content-type", "");
      if (type.startsWith("text/csv")) {
        List<List<String>> rows = Csv.parse(a.body());
        int col = rows.getFirst().indexOf("tenant");
        rows.stream().skip(1).forEach(r -> out.add(r.get(col)));
      } else {
        for (String line : a.body().lines().toList()) {
          JsonNode e = EventCodec.mapper().readTree(line);
          out.add(
              e.has("tenant") ? e.get("tenant").asText() : e.at("/metadata/tenant_uid").asText());
        }
      }
      return out;
    }
    JsonNode body = EventCodec.mapper().readTree(a.body());
    if (path.startsWith("/api/v1/decisions/")) {
      out.add(body.get("tenant").asText());
    } else if (path.startsWith("/api/v1/decisions")) {
      body.get("events").forEach(e -> out.add(e.get("tenant").asText()));
    } else if (path.startsWith("/api/v1/handles/")) {
      body.get("events").forEach(e -> out.add(e.get("tenant").asText()));
      Stream.of("issued", "revoked")
          .filter(k -> body.hasNonNull(k))
          .forEach(k -> out.add(body.get(k).get("tenant").asText()));
    } else if (path.startsWith("/api/v1/alerts")) {
      body.get("alerts").forEach(e -> out.add(e.get("tenant").asText()));
    } else if (path.startsWith("/api/v1/stats/top")
        && "tenant".equals(body.path("field").asText())) {
      body.get("buckets").forEach(b -> out.add(b.get("value").asText()));
    }
    return out;
  }

  static String shown(String s) {
    String t = s.length() > 300 ? s.substring(0, 300) + "...(" + s.length() + ")" : s;
    return t.replace("\r", "\\r").replace("\n", "\\n");
  }

  // ---------------------------------------------------------------- generators (wire forms:
  // already encoded)

  static String enc(String v) {
    return URLEncoder.encode(v, StandardCharsets.UTF_8);
  }

  /** Known attacks, sent encoded. */
  static final List<String> ATTACKS =
      List.of(
          "",
          " ",
          "0",
          "-1",
          "1e3",
          "0x10",
          "+5",
          "1.5",
          "2147483648",
          "-2147483649",
          "9223372036854775807",
          "9223372036854775808",
          "-9223372036854775808",
          "99999999999999999999999999999",
          "now",
          "now-",
          "now-0s",
          "now-99999999999999999999d",
          "now-9223372036854775807s",
          "now-106751991167300d",
          "now-300000000000d",
          "now-99999999w",
          "now+1d",
          "NOW-1D",
          "1970-01-01T00:00:00.001Z",
          "0000-01-01T00:00:00Z",
          "9999-12-31T23:59:59.999Z",
          "-999999999-01-01T00:00:00Z",
          "+999999999-12-31T23:59:59Z",
          "2026-02-30T00:00:00Z",
          "2026-11-26T09:30:00+25:00",
          "/(/",
          "actor.id:/(/",
          "actor.id:/.*bot.*/",
          "event_id:[* TO *]",
          "[* TO *]",
          "occurred_at:[* TO *]",
          "tool.name:*",
          "*",
          "*:*",
          "?",
          "actor.id:*bot*",
          "tool.name:create_*",
          "tenant:_system",
          "tenant:*",
          "decision:deny AND (",
          "\"unclosed",
          "a~",
          "a~2",
          "a^1000",
          "(((((((((((((((((((((x)))))))))))))))))))))",
          "_system",
          "tenant-0",
          "tenant-1",
          "TENANT-0",
          "tenant-0\u0000",
          "tenant-0\n_system",
          "\u0000",
          "\r\n\r\nGET / HTTP/1.1",
          "\u202Eevil",
          "\uD800",
          "\uFFFF",
          "emoji-\uD83D\uDE00",
          "ünïcödé",
          "名前",
          "%",
          "%%",
          "%00",
          "%zz",
          "../../etc/passwd",
          "<script>alert(1)</script>",
          "' OR 1=1 --",
          "${jndi:ldap://x/a}",
          "ndjson",
          "csv",
          "ocsf",
          "NDJSON",
          "xml",
          "tenant",
          "actor.id",
          "handle.id",
          "tool.name",
          "source.worker",
          "session.id",
          "REPLAY",
          "critical",
          "CRITICAL",
          "low");

  /** Sent raw, exactly as written: malformed percent-encodings and overlong UTF-8. */
  static final List<String> RAW =
      List.of(
          "%",
          "%%",
          "%zz",
          "%0",
          "%00",
          "%C0%AF",
          "%C0%80",
          "%ED%A0%80",
          "%FF%FE",
          "%E2%80%AE",
          "%0d%0a",
          "%25",
          "a%2",
          "%2B%2B",
          "%5B*%20TO%20*%5D",
          "now-99999999999999999999d",
          "-9223372036854775808",
          "%u0041",
          "%%32%35");

  static Gen<String> hostile() {
    return Gen.weighted(
        5, Gen.of(ATTACKS).map(ApiFuzzIT::enc),
        2, Gen.of(RAW),
        3, Gen.anyString(40).map(ApiFuzzIT::enc),
        2, Gen.strings(' ', '~', 30).map(ApiFuzzIT::enc),
        2, Gen.longs().map(String::valueOf),
        1,
            (Gen<String>)
                r ->
                    new java.math.BigInteger(100, new java.util.Random(r.nextLong()))
                        .subtract(java.math.BigInteger.ONE.shiftLeft(99))
                        .toString(),
        1, Gen.of(1_000, 5_000, 10_000, 100_000).map(n -> "a".repeat(n)),
        1, Gen.of(1_000, 10_000, 100_000).map(n -> enc("é\u0000".repeat(n / 2))));
  }

  /**
   * Mostly plausible values (so the request gets past its first check and the next parameter is
   * tried), often hostile, sometimes absent.
   */
  static Gen<String> mix(Gen<String> plausible) {
    return Gen.weighted(4, plausible, 4, hostile(), 2, Gen.just((String) null));
  }

  static Gen<Who> who() {
    return Gen.weighted(
        1,
        Gen.of(Who.ANONYMOUS, Who.FORGED),
        6,
        Gen.of(Who.ANALYST, Who.MIXED, Who.AUDITOR, Who.ADMIN));
  }

  static Gen<Who> exporter() {
    return Gen.weighted(
        1, Gen.of(Who.ANONYMOUS, Who.ANALYST, Who.MIXED), 5, Gen.of(Who.AUDITOR, Who.ADMIN));
  }

  static Gen<String> q() {
    return Gen.weighted(
        9,
        mix(
            Gen.of(
                    "decision:deny",
                    "tool.name:create_*",
                    "actor.id:\"spiffe://example.org/agent/a-1\"",
                    "decision:allow AND tenant:tenant-1",
                    "tenant:_system",
                    "reason_code:ALLOWED OR reason_code:POLICY_DENY",
                    "occurred_at:[\"2026-01-01T00:00:00Z\" TO *]",
                    "kind:decision",
                    "")
                .map(ApiFuzzIT::enc)),
        1,
        heavy().map(ApiFuzzIT::enc));
  }

  /**
   * Queries built to cost: long fuzzy terms (refused), wildcards that walk whole dictionaries
   * between matches, and ORs of many prefixes up to and past the clause limit.
   */
  static Gen<String> heavy() {
    return Gen.weighted(
        2,
            (Gen<String>)
                r ->
                    String.join(
                        " OR ",
                        java.util.stream.IntStream.range(0, 4)
                            .mapToObj(i -> "tool.name:" + "x".repeat(1_000) + i + "~2")
                            .toList()),
        2, (Gen<String>) r -> "actor.id:spi*" + (char) ('a' + r.nextInt(26)) + "z*",
        2,
            (Gen<String>)
                r ->
                    String.join(
                        " OR ",
                        java.util.stream.IntStream.range(0, 1 + r.nextInt(1_500))
                            .mapToObj(i -> "event_id:ev-" + i + "*")
                            .toList()),
        1, (Gen<String>) r -> "(".repeat(200) + "decision:deny" + ")".repeat(200));
  }

  static Gen<String> time() {
    return mix(
        Gen.of(
                "now-2h",
                "now-15m",
                "now",
                "now-7d",
                "now-1w",
                "2026-01-01T00:00:00Z",
                "1970-01-01T00:00:00.001Z")
            .map(ApiFuzzIT::enc));
  }

  static Gen<String> tenant() {
    return mix(Gen.of("tenant-0", "tenant-1", "tenant-2", "_system"));
  }

  static Gen<String> number() {
    return mix(Gen.ints(-5, 2_000).map(String::valueOf));
  }

  static Gen<String> field() {
    return mix(
        Gen.of(
            "tenant",
            "actor.id",
            "tool.name",
            "decision",
            "handle.id",
            "reason_code",
            "source.worker",
            "policy.id",
            "kind"));
  }

  static Gen<String> format() {
    return mix(Gen.of("ndjson", "csv", "ocsf"));
  }

  static Gen<String> alertType() {
    return mix(Gen.of("replay", "revoked_handle_use", "deny_burst"));
  }

  static Gen<String> severity() {
    return mix(Gen.of("low", "medium", "high", "critical"));
  }

  static Gen<String> eventId() {
    return Gen.weighted(
        3, Gen.of(eventIds).map(ApiFuzzIT::enc),
        1, Gen.of("api-fixture-0", "api-fixture-29").map(ApiFuzzIT::enc),
        4, hostile().filter(s -> !s.isEmpty()));
  }

  static Gen<String> handleId() {
    return Gen.weighted(
        4, Gen.of(handleIds).map(ApiFuzzIT::enc), 4, hostile().filter(s -> !s.isEmpty()));
  }

  static Gen<String> actor() {
    return mix(Gen.of(actorIds).map(ApiFuzzIT::enc));
  }

  static Gen<String> anything() {
    return mix(hostile());
  }

  /**
   * Cursors: forged the way the old format invited (base64 of v1|millis|id), with extreme millis,
   * and junk.
   */
  static Gen<String> cursor() {
    Gen<String> millis =
        Gen.weighted(
            3,
                Gen.of(
                        Long.MIN_VALUE,
                        Long.MAX_VALUE,
                        0L,
                        -1L,
                        1L,
                        Long.MIN_VALUE + 1,
                        Long.MAX_VALUE - 1)
                    .map(String::valueOf),
            2, Gen.longs().map(String::valueOf),
            1, Gen.of("99999999999999999999", "-", "", "1e9", " 1"));
    Gen<String> id = Gen.weighted(3, Gen.of(eventIds), 1, Gen.anyString(20));
    Gen<String> version = Gen.of("v1", "v2", "", "V1");
    Gen<String> forged =
        r ->
            Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(
                    (version.next(r) + "|" + millis.next(r) + "|" + id.next(r))
                        .getBytes(StandardCharsets.UTF_8));
    return Gen.weighted(5, forged, 3, hostile(), 2, Gen.just((String) null));
  }
}
