package io.cfworkers.operator.sandbox;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Kubernetes field selector ({@code involvedObject.name=checkout-api,type!=Normal}): terms with
 * {@code =}, {@code ==} or {@code !=} on dotted field paths, backslash escapes as in the apiserver.
 */
record FieldSelector(List<Term> terms) {
  record Term(String field, String value, boolean equal) {}

  static final FieldSelector EVERYTHING = new FieldSelector(List.of());

  static FieldSelector parse(String selector) {
    if (selector == null || selector.isBlank()) {
      return EVERYTHING;
    }
    List<Term> terms = new ArrayList<>();
    for (String raw : splitUnescaped(selector, ',')) {
      if (raw.isBlank()) {
        continue;
      }
      int neq = indexUnescaped(raw, "!=");
      int eq = indexUnescaped(raw, "=");
      if (neq >= 0 && neq <= eq) {
        terms.add(new Term(raw.substring(0, neq).trim(), unescape(raw.substring(neq + 2)), false));
      } else if (eq >= 0) {
        int valueStart = raw.startsWith("==", eq) ? eq + 2 : eq + 1;
        terms.add(new Term(raw.substring(0, eq).trim(), unescape(raw.substring(valueStart)), true));
      } else {
        throw new IllegalArgumentException("invalid field selector term: " + raw);
      }
    }
    return new FieldSelector(terms);
  }

  boolean matches(Map<String, Object> object) {
    for (Term term : terms) {
      Object actual = Json.at(object, term.field());
      boolean same = term.value().equals(actual == null ? "" : String.valueOf(actual));
      if (same != term.equal()) {
        return false;
      }
    }
    return true;
  }

  /** The list with only the items that match. */
  Map<String, Object> filter(Map<String, Object> list) {
    if (terms.isEmpty() || !(list.get("items") instanceof List<?> items)) {
      return list;
    }
    Map<String, Object> filtered = new LinkedHashMap<>(list);
    filtered.put("items", items.stream().filter(i -> matches(Json.map(i))).toList());
    return filtered;
  }

  private static List<String> splitUnescaped(String s, char separator) {
    List<String> parts = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        current.append(c).append(s.charAt(++i));
      } else if (c == separator) {
        parts.add(current.toString());
        current.setLength(0);
      } else {
        current.append(c);
      }
    }
    parts.add(current.toString());
    return parts;
  }

  private static int indexUnescaped(String s, String token) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == '\\') {
        i++;
      } else if (s.startsWith(token, i)) {
        return i;
      }
    }
    return -1;
  }

  private static String unescape(String s) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        out.append(s.charAt(++i));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
