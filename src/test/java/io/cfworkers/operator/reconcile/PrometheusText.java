package io.cfworkers.operator.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * A strict reader of Prometheus's text exposition format 0.0.4, as a Prometheus server parses a
 * scrape: every line a comment or a sample, a family's {@code # TYPE} at most once and before its
 * samples, each sample's labels well formed (escaped values, no duplicate name), its value a
 * number, and no series twice. Throws {@link IllegalArgumentException} naming the line otherwise.
 */
final class PrometheusText {
  /** The running test application's /q/metrics, as Prometheus scrapes it (HTTP 200 asserted). */
  static String scrape() throws Exception {
    int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/q/metrics"))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode());
    return response.body();
  }

  /** One sample: metric name, labels (sorted by name), value. */
  record Sample(String name, Map<String, String> labels, double value) {}

  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Set<String> TYPES =
      Set.of("counter", "gauge", "histogram", "summary", "untyped");

  private PrometheusText() {}

  static List<Sample> parse(String text) {
    List<Sample> samples = new ArrayList<>();
    Map<String, String> typeOf = new HashMap<>();
    Set<String> helped = new HashSet<>();
    Set<String> familiesWithSamples = new HashSet<>();
    Set<String> series = new HashSet<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      int number = i + 1;
      if (line.isEmpty()) {
        if (i != lines.length - 1) {
          throw new IllegalArgumentException("empty line " + number);
        }
        continue;
      }
      if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
        String[] parts = line.split(" ", 4);
        if (parts.length < 4 || !NAME.matcher(parts[2]).matches()) {
          throw new IllegalArgumentException("bad comment, line " + number + ": " + line);
        }
        String family = parts[2];
        if (parts[1].equals("HELP")) {
          if (!helped.add(family)) {
            throw new IllegalArgumentException("second HELP, line " + number + ": " + line);
          }
        } else {
          if (!TYPES.contains(parts[3])) {
            throw new IllegalArgumentException("unknown TYPE, line " + number + ": " + line);
          }
          if (typeOf.put(family, parts[3]) != null || familiesWithSamples.contains(family)) {
            throw new IllegalArgumentException(
                "TYPE repeated or after samples, line " + number + ": " + line);
          }
        }
        continue;
      }
      if (line.startsWith("#")) {
        continue;
      }
      Sample sample;
      try {
        sample = sample(line, number);
      } catch (IndexOutOfBoundsException e) {
        throw new IllegalArgumentException("line ends early, line " + number + ": " + line, e);
      }
      familiesWithSamples.add(family(sample.name(), typeOf));
      if (!series.add(sample.name() + sample.labels())) {
        throw new IllegalArgumentException("series repeated, line " + number + ": " + line);
      }
      samples.add(sample);
    }
    return samples;
  }

  /** The samples of {@code name}, by their labels. */
  static Map<Map<String, String>, Double> series(String text, String name) {
    Map<Map<String, String>, Double> out = new LinkedHashMap<>();
    for (Sample s : parse(text)) {
      if (s.name().equals(name)) {
        out.put(s.labels(), s.value());
      }
    }
    return out;
  }

  private static String family(String sampleName, Map<String, String> typeOf) {
    for (String suffix : List.of("_total", "_count", "_sum", "_bucket", "_max")) {
      if (sampleName.endsWith(suffix)) {
        String base = sampleName.substring(0, sampleName.length() - suffix.length());
        if (typeOf.containsKey(base)) {
          return base;
        }
      }
    }
    return sampleName;
  }

  private static Sample sample(String line, int number) {
    Matcher name = NAME.matcher(line);
    if (!name.lookingAt()) {
      throw new IllegalArgumentException("no metric name, line " + number + ": " + line);
    }
    int at = name.end();
    Map<String, String> labels = new TreeMap<>();
    if (at < line.length() && line.charAt(at) == '{') {
      at++;
      while (line.charAt(at) != '}') {
        Matcher label = LABEL_NAME.matcher(line).region(at, line.length());
        if (!label.lookingAt()
            || line.charAt(label.end()) != '='
            || line.charAt(label.end() + 1) != '"') {
          throw new IllegalArgumentException("bad label, line " + number + ": " + line);
        }
        StringBuilder value = new StringBuilder();
        at = label.end() + 2;
        for (; line.charAt(at) != '"'; at++) {
          char c = line.charAt(at);
          if (c == '\\') {
            char next = line.charAt(++at);
            switch (next) {
              case '\\' -> value.append('\\');
              case '"' -> value.append('"');
              case 'n' -> value.append('\n');
              default ->
                  throw new IllegalArgumentException("bad escape, line " + number + ": " + line);
            }
          } else {
            value.append(c);
          }
        }
        if (labels.put(label.group(), value.toString()) != null) {
          throw new IllegalArgumentException("label repeated, line " + number + ": " + line);
        }
        at++;
        if (line.charAt(at) == ',') {
          at++;
        } else if (line.charAt(at) != '}') {
          throw new IllegalArgumentException("bad label list, line " + number + ": " + line);
        }
      }
      at++;
    }
    if (at >= line.length() || line.charAt(at) != ' ') {
      throw new IllegalArgumentException("no value, line " + number + ": " + line);
    }
    String[] rest = line.substring(at + 1).split(" ");
    if (rest.length > 2) {
      throw new IllegalArgumentException("trailing text, line " + number + ": " + line);
    }
    double value;
    try {
      value =
          switch (rest[0]) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(rest[0]);
          };
      if (rest.length == 2) {
        Long.parseLong(rest[1]);
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad number, line " + number + ": " + line, e);
    }
    return new Sample(name.group(), labels, value);
  }
}
