package io.cfworkers.operator.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The values table in docs/helm.md, values.yaml and values.schema.json describe the same keys. A
 * key is a leaf of the schema: a property without declared sub-properties.
 */
class HelmValuesDocsTest {
  private static final Pattern TABLE_ROW = Pattern.compile("(?m)^\\| `([^`]+)` \\| ([^|]*) \\|");

  private static List<String> schemaKeys;
  private static Map<String, Object> values;
  private static Map<String, String> documentedDefaults;

  @BeforeAll
  static void read() throws IOException {
    JsonNode schema =
        new ObjectMapper().readTree(RenderedChart.CHART.resolve("values.schema.json").toFile());
    schemaKeys = new ArrayList<>();
    collectLeaves(schema, "", schemaKeys);
    values =
        Serialization.unmarshal(
            Files.readString(RenderedChart.CHART.resolve("values.yaml")), Map.class);
    documentedDefaults = new LinkedHashMap<>();
    String docs = Files.readString(Path.of("docs", "helm.md"));
    int start = docs.indexOf("\n## Values\n");
    assertTrue(start >= 0, "docs/helm.md has a Values section");
    int end = docs.indexOf("\n## ", start + 1);
    Matcher row = TABLE_ROW.matcher(docs.substring(start, end < 0 ? docs.length() : end));
    while (row.find()) {
      documentedDefaults.put(row.group(1), row.group(2).strip());
    }
  }

  @Test
  void docsTableListsExactlyTheKeysOfTheSchema() {
    assertEquals(new TreeSet<>(schemaKeys), new TreeSet<>(documentedDefaults.keySet()));
  }

  @Test
  void valuesFileSetsEveryKeyOfTheSchema() {
    for (String key : schemaKeys) {
      assertTrue(containsPath(values, key), () -> "values.yaml lacks " + key);
    }
  }

  @Test
  void docsTableShowsTheDefaultOfEverySimpleValue() {
    for (String key : schemaKeys) {
      Object value = valueAt(values, key);
      String expected = simpleDefault(value);
      if (expected != null) {
        assertEquals(expected, documentedDefaults.get(key), key);
      } else {
        assertFalse(documentedDefaults.get(key).isBlank(), () -> key + " has no default shown");
      }
    }
  }

  /** The Markdown a scalar or empty collection default is shown as; null for anything richer. */
  private static String simpleDefault(Object value) {
    if (value == null) {
      return "`null`";
    } else if (value instanceof String s) {
      return s.isEmpty() ? "`\"\"`" : "`" + s + "`";
    } else if (value instanceof Number || value instanceof Boolean) {
      return "`" + value + "`";
    } else if (value instanceof List<?> list && list.isEmpty()) {
      return "`[]`";
    } else if (value instanceof Map<?, ?> map && map.isEmpty()) {
      return "`{}`";
    }
    return null;
  }

  private static void collectLeaves(JsonNode node, String prefix, List<String> keys) {
    JsonNode properties = node.get("properties");
    if (properties == null) {
      keys.add(prefix);
      return;
    }
    for (Iterator<String> names = properties.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      collectLeaves(properties.get(name), prefix.isEmpty() ? name : prefix + "." + name, keys);
    }
  }

  private static boolean containsPath(Map<String, Object> map, String path) {
    Object current = map;
    for (String part : path.split("\\.")) {
      if (!(current instanceof Map<?, ?> m) || !m.containsKey(part)) {
        return false;
      }
      current = m.get(part);
    }
    return true;
  }

  private static Object valueAt(Map<String, Object> map, String path) {
    Object current = map;
    for (String part : path.split("\\.")) {
      current = ((Map<?, ?>) current).get(part);
    }
    return current;
  }
}
