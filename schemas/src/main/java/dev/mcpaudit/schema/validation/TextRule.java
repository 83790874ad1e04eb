package dev.mcpaudit.schema.validation;

import java.util.regex.Pattern;

/**
 * What a string field may hold: a length in code points and the characters allowed. {@code
 * describe} is the user-facing half of an error message ("... expected <describe>").
 */
record TextRule(int maxLength, Pattern allowed, String describe) {

  /** Ids and names: no whitespace or control characters, which would break keyword search. */
  static final Pattern NO_SPACE = Pattern.compile("^[^\\s\\x00-\\x1F\\x7F-\\x9F]+$");

  /** Free text: anything printable; control characters would forge lines in logs and CSV. */
  static final Pattern PRINTABLE = Pattern.compile("^[^\\x00-\\x1F\\x7F-\\x9F]+$");

  static final TextRule EVENT_ID =
      new TextRule(
          128, Pattern.compile("^[A-Za-z0-9._:-]+$"), "1-128 characters of A-Z a-z 0-9 . _ : -");
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
          Pattern.compile("^[A-Za-z][A-Za-z0-9_]*(/[A-Za-z][A-Za-z0-9_]*)*$"),
          "an MCP method such as tools/call or resources/read");
  static final TextRule REASON_CODE =
      new TextRule(
          64,
          Pattern.compile("^[A-Z][A-Z0-9_]{1,63}$"),
          "2-64 characters matching ^[A-Z][A-Z0-9_]{1,63}$");
  static final TextRule ATTRIBUTE_VALUE =
      new TextRule(1024, Pattern.compile("^[\\s\\S]*$"), "at most 1024 characters");
}
