package io.cfworkers.operator.rollout;

import io.cfworkers.operator.api.v1alpha1.RolloutPause;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the rollout's durations, Go style ({@code time.ParseDuration}) with the units h, m, s and
 * ms: e.g. {@code 20s}, {@code 10m}, {@code 1h30m}, {@code 1.5h}, {@code 500ms}. The syntax is the
 * CRD's own pattern, so what the CRD admits this parses. Pure.
 */
public final class RolloutDurations {
  private static final Pattern WHOLE = Pattern.compile(RolloutPause.DURATION_PATTERN);
  private static final Pattern PART = Pattern.compile("([0-9]+(?:[.][0-9]+)?)(ms|h|m|s)");
  private static final BigDecimal MAX_NANOS = BigDecimal.valueOf(Long.MAX_VALUE);

  private RolloutDurations() {}

  /**
   * The duration {@code text} denotes.
   *
   * @throws IllegalArgumentException naming {@code field} when {@code text} is not a duration, or
   *     is longer than about 292 years
   */
  public static Duration parse(String text, String field) {
    return read(
        text,
        () ->
            new IllegalArgumentException(
                field
                    + ": \""
                    + text
                    + "\" is not a duration such as 20s, 10m or 1h30m (units h, m, s, ms)"),
        () -> new IllegalArgumentException(field + ": \"" + text + "\" is too long a duration"));
  }

  /**
   * The duration {@code text} denotes, for callers that word their own errors: {@code malformed}
   * when it is not a duration of the CRD's syntax, {@code tooLong} past about 292 years.
   */
  public static Duration read(
      String text,
      Supplier<? extends RuntimeException> malformed,
      Supplier<? extends RuntimeException> tooLong) {
    if (text == null || !WHOLE.matcher(text).matches()) {
      throw malformed.get();
    }
    BigDecimal nanos = BigDecimal.ZERO;
    Matcher part = PART.matcher(text);
    while (part.find()) {
      nanos = nanos.add(new BigDecimal(part.group(1)).multiply(nanosPer(part.group(2))));
    }
    if (nanos.compareTo(MAX_NANOS) > 0) {
      throw tooLong.get();
    }
    return Duration.ofNanos(nanos.longValue());
  }

  /** Whether {@code text} is a duration {@link #parse} accepts. */
  public static boolean isValid(String text) {
    try {
      parse(text, "duration");
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static BigDecimal nanosPer(String unit) {
    return BigDecimal.valueOf(
        switch (unit) {
          case "h" -> 3_600_000_000_000L;
          case "m" -> 60_000_000_000L;
          case "s" -> 1_000_000_000L;
          default -> 1_000_000L; // ms
        });
  }
}
