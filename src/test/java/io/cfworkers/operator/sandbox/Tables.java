package io.cfworkers.operator.sandbox;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Server-side printing: turns objects into {@code meta.k8s.io/v1 Table}s, which is what {@code
 * kubectl get} asks for. Custom resources get the CRD's {@code additionalPrinterColumns} (as the
 * apiserver does: NAME first, {@code date} columns as ages); Events get the columns of {@code
 * kubectl get events}; anything else NAME and AGE.
 */
final class Tables {
  private static final Pattern FILTER =
      Pattern.compile("\\[\\?\\(@\\.([A-Za-z0-9_]+)\\s*==\\s*[\"']([^\"']*)[\"']\\)]");

  private final List<Map<String, Object>> printerColumns;
  private final String customResourcePlural;

  Tables(Map<String, Object> crd) {
    Map<String, Object> spec = Json.map(crd.get("spec"));
    this.customResourcePlural = (String) Json.at(spec, "names.plural");
    List<Map<String, Object>> columns = new ArrayList<>();
    for (Object v : (List<?>) spec.get("versions")) {
      Map<String, Object> version = Json.map(v);
      if (Boolean.TRUE.equals(version.get("storage"))
          && version.get("additionalPrinterColumns") instanceof List<?> list) {
        list.forEach(c -> columns.add(Json.map(c)));
      }
    }
    this.printerColumns = columns;
  }

  /**
   * The Table for a list ({@code items}) or a single object of resource {@code plural}. With {@code
   * fullObjects} each row carries the whole object, otherwise its metadata only (the apiserver's
   * {@code includeObject=Metadata} default).
   */
  Map<String, Object> table(
      String plural,
      Map<String, Object> listOrObject,
      boolean fullObjects,
      boolean withHeaders,
      Instant now) {
    List<Map<String, Object>> objects = new ArrayList<>();
    if (listOrObject.get("items") instanceof List<?> items) {
      items.forEach(i -> objects.add(Json.map(i)));
    } else {
      objects.add(listOrObject);
    }
    List<Column> columns = columns(plural);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Map<String, Object> object : objects) {
      List<Object> cells = new ArrayList<>();
      for (Column column : columns) {
        cells.add(column.cell(object, now));
      }
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("cells", cells);
      row.put("object", fullObjects ? object : partial(object));
      rows.add(row);
    }
    Map<String, Object> table = new LinkedHashMap<>();
    table.put("kind", "Table");
    table.put("apiVersion", "meta.k8s.io/v1");
    Map<String, Object> metadata = new LinkedHashMap<>();
    if (listOrObject.get("metadata") instanceof Map<?, ?> m && m.get("resourceVersion") != null) {
      metadata.put("resourceVersion", m.get("resourceVersion"));
    }
    table.put("metadata", metadata);
    if (withHeaders) {
      table.put("columnDefinitions", columns.stream().map(Column::definition).toList());
    }
    table.put("rows", rows);
    return table;
  }

  private List<Column> columns(String plural) {
    List<Column> columns = new ArrayList<>();
    columns.add(new Column("Name", "string", "name", "Name of the object", 0, o -> name(o)));
    if (plural.equals(customResourcePlural)) {
      for (Map<String, Object> c : printerColumns) {
        String type = (String) c.get("type");
        String path = (String) c.get("jsonPath");
        boolean date = "date".equals(type);
        columns.add(
            new Column(
                (String) c.get("name"),
                date ? "string" : type,
                date ? "" : (String) c.getOrDefault("format", ""),
                (String) c.getOrDefault("description", ""),
                ((Number) c.getOrDefault("priority", 0)).intValue(),
                date ? (o, now) -> age(jsonPath(o, path), now) : (o, now) -> jsonPath(o, path)));
      }
    } else if (plural.equals("secrets")) {
      columns.add(new Column("Type", "string", "", "The type of secret", 0, o -> o.get("type")));
      columns.add(
          new Column(
              "Data",
              "integer",
              "",
              "The number of entries in data",
              0,
              o -> o.get("data") instanceof Map<?, ?> data ? data.size() : 0));
      columns.add(
          new Column(
              "Age",
              "string",
              "",
              "Time since the object was created",
              0,
              (o, now) -> age(Json.at(o, "metadata.creationTimestamp"), now)));
    } else if (plural.equals("events")) {
      columns.clear();
      columns.add(
          new Column(
              "Last Seen",
              "string",
              "",
              "Time since the event was last seen",
              0,
              (o, now) -> age(lastSeen(o), now)));
      columns.add(new Column("Type", "string", "", "Normal or Warning", 0, o -> o.get("type")));
      columns.add(new Column("Reason", "string", "", "Why", 0, o -> o.get("reason")));
      columns.add(
          new Column(
              "Object",
              "string",
              "",
              "The object the event is about",
              0,
              o ->
                  String.valueOf(Json.at(o, "involvedObject.kind")).toLowerCase(Locale.ROOT)
                      + "/"
                      + Json.at(o, "involvedObject.name")));
      columns.add(new Column("Message", "string", "", "What happened", 0, o -> o.get("message")));
    } else {
      columns.add(
          new Column(
              "Age",
              "string",
              "",
              "Time since the object was created",
              0,
              (o, now) -> age(Json.at(o, "metadata.creationTimestamp"), now)));
    }
    return columns;
  }

  private static Object name(Map<String, Object> object) {
    return Json.at(object, "metadata.name");
  }

  private static Object lastSeen(Map<String, Object> event) {
    Object last = event.get("lastTimestamp");
    if (last == null) {
      last = event.get("eventTime");
    }
    return last != null ? last : Json.at(event, "metadata.creationTimestamp");
  }

  private static Map<String, Object> partial(Map<String, Object> object) {
    Map<String, Object> partial = new LinkedHashMap<>();
    partial.put("kind", "PartialObjectMetadata");
    partial.put("apiVersion", "meta.k8s.io/v1");
    partial.put("metadata", object.get("metadata"));
    return partial;
  }

  /**
   * The subset of JSONPath CRD printer columns use: {@code .a.b}, {@code [n]}, {@code [*]} and
   * {@code [?(@.field=="value")]}. Null when nothing matches (kubectl leaves the cell empty);
   * several values are joined by a space, as the apiserver's JSONPath printer does.
   */
  static Object jsonPath(Map<String, Object> object, String path) {
    List<Object> nodes = List.of(object);
    int i = 0;
    while (i < path.length()) {
      char c = path.charAt(i);
      if (c == '.') {
        int end = i + 1;
        while (end < path.length() && path.charAt(end) != '.' && path.charAt(end) != '[') {
          end++;
        }
        String field = path.substring(i + 1, end);
        List<Object> next = new ArrayList<>();
        for (Object node : nodes) {
          if (node instanceof Map<?, ?> map && map.get(field) != null) {
            next.add(map.get(field));
          }
        }
        nodes = next;
        i = end;
      } else if (c == '[') {
        Matcher filter = FILTER.matcher(path).region(i, path.length());
        List<Object> next = new ArrayList<>();
        if (filter.lookingAt()) {
          for (Object node : nodes) {
            if (node instanceof List<?> list) {
              for (Object item : list) {
                if (item instanceof Map<?, ?> map
                    && filter.group(2).equals(String.valueOf(map.get(filter.group(1))))) {
                  next.add(item);
                }
              }
            }
          }
          i = filter.end();
        } else {
          int end = path.indexOf(']', i);
          String selector = path.substring(i + 1, end).trim();
          for (Object node : nodes) {
            if (node instanceof List<?> list && selector.equals("*")) {
              next.addAll(list);
            } else if (node instanceof List<?> list && Integer.parseInt(selector) < list.size()) {
              next.add(list.get(Integer.parseInt(selector)));
            }
          }
          i = end + 1;
        }
        nodes = next;
      } else {
        throw new IllegalArgumentException("unsupported JSONPath " + path);
      }
    }
    if (nodes.isEmpty()) {
      return null;
    }
    return nodes.size() == 1
        ? nodes.get(0)
        : String.join(" ", nodes.stream().map(String::valueOf).toList());
  }

  /** An RFC 3339 time as the age kubectl shows (Go's {@code duration.HumanDuration}). */
  static Object age(Object timestamp, Instant now) {
    if (timestamp == null) {
      return null;
    }
    try {
      return humanDuration(Duration.between(Instant.parse(String.valueOf(timestamp)), now));
    } catch (DateTimeParseException e) {
      return "<invalid>";
    }
  }

  static String humanDuration(Duration d) {
    long seconds = d.getSeconds();
    if (seconds < -1) {
      return "<invalid>";
    } else if (seconds < 0) {
      return "0s";
    } else if (seconds < 60 * 2) {
      return seconds + "s";
    }
    long minutes = seconds / 60;
    if (minutes < 10) {
      long s = seconds % 60;
      return s == 0 ? minutes + "m" : minutes + "m" + s + "s";
    } else if (minutes < 60 * 3) {
      return minutes + "m";
    }
    long hours = minutes / 60;
    if (hours < 8) {
      long m = minutes % 60;
      return m == 0 ? hours + "h" : hours + "h" + m + "m";
    } else if (hours < 48) {
      return hours + "h";
    } else if (hours < 24 * 8) {
      long h = hours % 24;
      return h == 0 ? hours / 24 + "d" : hours / 24 + "d" + h + "h";
    } else if (hours < 24 * 365 * 2) {
      return hours / 24 + "d";
    } else if (hours < 24 * 365 * 8) {
      long dy = (hours / 24) % 365;
      return dy == 0 ? hours / 24 / 365 + "y" : hours / 24 / 365 + "y" + dy + "d";
    }
    return hours / 24 / 365 + "y";
  }

  private interface Cell {
    Object value(Map<String, Object> object, Instant now);
  }

  private record Column(
      String name, String type, String format, String description, int priority, Cell cell) {
    Column(
        String name,
        String type,
        String format,
        String description,
        int priority,
        java.util.function.Function<Map<String, Object>, Object> value) {
      this(name, type, format, description, priority, (o, now) -> value.apply(o));
    }

    Object cell(Map<String, Object> object, Instant now) {
      return cell.value(object, now);
    }

    Map<String, Object> definition() {
      Map<String, Object> definition = new LinkedHashMap<>();
      definition.put("name", name);
      definition.put("type", type);
      definition.put("format", format);
      definition.put("description", description);
      definition.put("priority", priority);
      return definition;
    }
  }
}
