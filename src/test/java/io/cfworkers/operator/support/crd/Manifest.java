package io.cfworkers.operator.support.crd;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A mutable Kubernetes manifest for tests: parsed from YAML, edited by dotted paths such as {@code
 * spec.versions[0].percentage}. Each edit returns a new copy, so one base manifest serves a table.
 */
public final class Manifest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Pattern SEGMENT = Pattern.compile("([^.\\[\\]]+)|\\[(\\d+)]");

  private final Map<String, Object> content;

  private Manifest(Map<String, Object> content) {
    this.content = content;
  }

  public static Manifest parse(String yaml) {
    try {
      return new Manifest(YAML.readValue(yaml, new TypeReference<Map<String, Object>>() {}));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every YAML document of a multi-document stream. */
  public static List<Map<String, Object>> parseAll(String yaml) {
    try {
      List<Map<String, Object>> documents = new ArrayList<>();
      var parser = YAML.getFactory().createParser(yaml);
      var it = YAML.readValues(parser, new TypeReference<Map<String, Object>>() {});
      while (it.hasNext()) {
        Map<String, Object> document = it.next();
        if (document != null) {
          documents.add(document);
        }
      }
      return documents;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Map<String, Object> toMap() {
    return copy(content);
  }

  /** A copy with the value at {@code path} replaced (or added). */
  public Manifest with(String path, Object value) {
    Map<String, Object> copy = copy(content);
    List<Object> segments = segments(path);
    Object parent = navigate(copy, segments.subList(0, segments.size() - 1));
    put(parent, segments.get(segments.size() - 1), copy(value));
    return new Manifest(copy);
  }

  /** A copy without the value at {@code path}. */
  public Manifest without(String path) {
    Map<String, Object> copy = copy(content);
    List<Object> segments = segments(path);
    Object parent = navigate(copy, segments.subList(0, segments.size() - 1));
    Object last = segments.get(segments.size() - 1);
    if (parent instanceof Map<?, ?> map) {
      map.remove(last);
    } else {
      ((List<?>) parent).remove((int) (Integer) last);
    }
    return new Manifest(copy);
  }

  private static List<Object> segments(String path) {
    List<Object> segments = new ArrayList<>();
    Matcher m = SEGMENT.matcher(path);
    while (m.find()) {
      segments.add(m.group(1) != null ? m.group(1) : (Object) Integer.parseInt(m.group(2)));
    }
    return segments;
  }

  @SuppressWarnings("unchecked")
  private static Object navigate(Object node, List<Object> segments) {
    for (Object segment : segments) {
      node =
          segment instanceof Integer i
              ? ((List<Object>) node).get(i)
              : ((Map<String, Object>) node)
                  .computeIfAbsent((String) segment, k -> new LinkedHashMap<>());
    }
    return node;
  }

  @SuppressWarnings("unchecked")
  private static void put(Object parent, Object segment, Object value) {
    if (segment instanceof Integer i) {
      List<Object> list = (List<Object>) parent;
      if (i == list.size()) {
        list.add(value);
      } else {
        list.set(i, value);
      }
    } else {
      ((Map<String, Object>) parent).put((String) segment, value);
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> T copy(T value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      map.forEach((k, v) -> copy.put(String.valueOf(k), copy(v)));
      return (T) copy;
    } else if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>();
      list.forEach(v -> copy.add(copy(v)));
      return (T) copy;
    }
    return value;
  }
}
