package dev.mcpaudit.schema.validation;

import java.util.regex.Pattern;

/**
 * What a string field may hold: a length in code points and the characters allowed. {@code
 * describe} is the user-facing half of an error message ("... expected <describe>").
 *
 * <p>The character classes every event checks on a dozen fields are loops over the chars, not
 * regular expressions: the collector, the indexer and the detector validate every event, and a
 * negated regex class costs several times as much per character. A test holds each loop to the
 * expression it replaces.
 */
record TextRule(int maxLength, Allowed allowed, String describe) {

  /** Whether a non-empty value holds only allowed characters. */
  @FunctionalInterface
  interface Allowed {
    boolean matches(String s);

    static Allowed pattern(String regex) {
      Pattern p = Pattern.compile(regex);
      return s -> p.matcher(s).matches();
    }
  }

  /**
   * Ids and names: no whitespace or control characters, which would break keyword search. As {@code
   * ^[^\s\x00-\x1F\x7F-\x9F]+$}: whitespace in Java's sense is within \x09-\x0D or a space.
   */
  static final Allowed NO_SPACE = s -> noneBelowOrC1(s, 0x21);

  /**
   * Free text: anything printable; control characters would forge lines in logs and CSV. As {@code
   * ^[^\x00-\x1F\x7F-\x9F]+$}.
   */
  static final Allowed PRINTABLE = s -> noneBelowOrC1(s, 0x20);

  /** No char below {@code floor}, and none of DEL and the C1 controls (\x7F-\x9F). */
  private static boolean noneBelowOrC1(String s, int floor) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < floor || (c >= 0x7F && c <= 0x9F)) {
        return false;
      }
    }
    return true;
  }

  /** As {@code ^[A-Za-z0-9._:-]+$}. */
  static final Allowed EVENT_ID_CHARS =
      s -> {
        for (int i = 0; i < s.length(); i++) {
          char c = s.charAt(i);
          boolean ok =
              (c >= 'a' && c <= 'z')
                  || (c >= 'A' && c <= 'Z')
                  || (c >= '0' && c <= '9')
                  || c == '.'
                  || c == '_'
                  || c == ':'
                  || c == '-';
          if (!ok) {
            return false;
          }
        }
        return true;
      };

  static final TextRule EVENT_ID =
      new TextRule(128, EVENT_ID_CHARS, "1-128 characters of A-Z a-z 0-9 . _ : -");
  static final TextRule TENANT =
      new TextRule(64, PRINTABLE, "1-64 characters without control characters");
  static final TextRule ID =
      new TextRule(256, NO_SPACE, "1-256 characters without whitespace or control characters");
  static final TextRule URI =
      new TextRule(2048, NO_SPACE, "1-2048 characters without whitespace or control characters");
  static final TextRule TEXT =
      new TextRule(1024, PRINTABLE, "1-1024 characters without control characters");
  static final TextRule METHOD =
      new TextRule(
          64,
          Allowed.pattern("^[A-Za-z][A-Za-z0-9_]*(/[A-Za-z][A-Za-z0-9_]*)*$"),
          "an MCP method such as tools/call or resources/read");
  static final TextRule REASON_CODE =
      new TextRule(
          64,
          Allowed.pattern("^[A-Z][A-Z0-9_]{1,63}$"),
          "2-64 characters matching ^[A-Z][A-Z0-9_]{1,63}$");
  static final TextRule ATTRIBUTE_VALUE = new TextRule(1024, s -> true, "at most 1024 characters");
}
