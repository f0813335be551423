package io.cfworkers.operator.rollout.analysis;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the Kubernetes/Go-style durations the CRD admits ({@code 30s}, {@code 5m}, {@code 1m30s},
 * {@code 1.5h}, {@code 250ms}): one or more numbers, each with a unit h, m, s or ms. The CRD's CEL
 * rules read the same strings with {@code duration()}, so both agree on what a value means.
 */
public final class GoDuration {
  private static final Pattern WHOLE = Pattern.compile("([0-9]+(\\.[0-9]+)?(h|ms|m|s))+");
  private static final Pattern PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(h|ms|m|s)");

  private GoDuration() {}

  /**
   * Parses {@code text}.
   *
   * @param field the field the value came from, named in the error
   * @throws IllegalArgumentException naming the field and the rule when the text is not such a
   *     duration
   */
  public static Duration parse(String field, String text) {
    if (text == null || !WHOLE.matcher(text).matches()) {
      throw new IllegalArgumentException(
          field
              + " must be a duration such as 30s, 5m or 1m30s (units h, m, s, ms), not \""
              + text
              + "\"");
    }
    BigDecimal nanos = BigDecimal.ZERO;
    Matcher part = PART.matcher(text);
    while (part.find()) {
      BigDecimal unit =
          switch (part.group(2)) {
            case "h" -> BigDecimal.valueOf(3_600_000_000_000L);
            case "m" -> BigDecimal.valueOf(60_000_000_000L);
            case "s" -> BigDecimal.valueOf(1_000_000_000L);
            default -> BigDecimal.valueOf(1_000_000L);
          };
      nanos = nanos.add(new BigDecimal(part.group(1)).multiply(unit));
    }
    if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw new IllegalArgumentException(
          field + " is too long a duration (at most about 2562047h), not \"" + text + "\"");
    }
    return Duration.ofNanos(nanos.longValue());
  }

  /** Renders a duration the way the CRD takes it, e.g. {@code 1m30s}, {@code 5m}, {@code 0s}. */
  public static String format(Duration duration) {
    if (duration.isZero()) {
      return "0s";
    }
    StringBuilder out = new StringBuilder();
    long hours = duration.toHours();
    int minutes = duration.toMinutesPart();
    int seconds = duration.toSecondsPart();
    int millis = duration.toMillisPart();
    if (hours > 0) {
      out.append(hours).append('h');
    }
    if (minutes > 0) {
      out.append(minutes).append('m');
    }
    if (seconds > 0) {
      out.append(seconds).append('s');
    }
    if (millis > 0) {
      out.append(millis).append("ms");
    }
    return out.toString();
  }
}
