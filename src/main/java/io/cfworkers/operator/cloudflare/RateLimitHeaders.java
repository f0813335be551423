package io.cfworkers.operator.cloudflare;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads Cloudflare's rate-limit headers (IETF draft "RateLimit header fields for HTTP"), which
 * every REST answer carries: {@code Ratelimit: "default";r=50;t=30} (r = requests left in the
 * window, t = seconds until it resets) and {@code Ratelimit-Policy: "burst";q=100;w=60} (q = quota,
 * w = window in seconds). They count every client of the credential (CI's wrangler, the dashboard),
 * not only this operator. Pure.
 *
 * <p>A header may list several policies, comma-separated; the most restrictive item wins: the least
 * {@code r} (with its {@code t}), and the policy with the least quota per second. An item without
 * {@code r} or with an unreadable number is skipped; when nothing is readable the answer says
 * nothing (empty).
 */
public final class RateLimitHeaders {
  private RateLimitHeaders() {}

  /**
   * What an answer said about the credential's budget.
   *
   * @param remaining requests left in the current window (r)
   * @param reset time until the window resets (t)
   * @param quota requests per window from {@code Ratelimit-Policy} (q), empty if not sent
   * @param window the policy's window (w), empty if not sent
   */
  public record Reading(
      long remaining, Duration reset, OptionalLong quota, Optional<Duration> window) {}

  /**
   * @param ratelimit the {@code Ratelimit} header's value, or null
   * @param policy the {@code Ratelimit-Policy} header's value, or null
   * @return the reading, or empty when {@code ratelimit} is absent or carries no readable r
   */
  public static Optional<Reading> parse(String ratelimit, String policy) {
    if (ratelimit == null) {
      return Optional.empty();
    }
    long bestR = -1;
    long bestT = 0;
    for (String item : ratelimit.split(",")) {
      OptionalLong r = param(item, "r");
      if (r.isEmpty()) {
        continue;
      }
      long t = param(item, "t").orElse(0);
      if (bestR < 0 || r.getAsLong() < bestR) {
        bestR = r.getAsLong();
        bestT = t;
      }
    }
    if (bestR < 0) {
      return Optional.empty();
    }
    OptionalLong quota = OptionalLong.empty();
    Optional<Duration> window = Optional.empty();
    if (policy != null) {
      double leastRate = Double.MAX_VALUE;
      for (String item : policy.split(",")) {
        OptionalLong q = param(item, "q");
        OptionalLong w = param(item, "w");
        if (q.isEmpty() || w.isEmpty() || w.getAsLong() <= 0) {
          continue;
        }
        double rate = q.getAsLong() / (double) w.getAsLong();
        if (rate < leastRate) {
          leastRate = rate;
          quota = q;
          window = Optional.of(Duration.ofSeconds(w.getAsLong()));
        }
      }
    }
    return Optional.of(new Reading(bestR, Duration.ofSeconds(bestT), quota, window));
  }

  /** The non-negative integer parameter {@code name} of one list item ({@code ;name=value}). */
  private static OptionalLong param(String item, String name) {
    String[] parts = item.split(";");
    // parts[0] is the item itself (the policy's name); parameters follow.
    for (int i = 1; i < parts.length; i++) {
      String p = parts[i].trim();
      int eq = p.indexOf('=');
      if (eq < 0 || !p.substring(0, eq).trim().equalsIgnoreCase(name)) {
        continue;
      }
      String value = p.substring(eq + 1).trim();
      if (value.isEmpty() || value.length() > 18 || !value.chars().allMatch(Character::isDigit)) {
        return OptionalLong.empty();
      }
      return OptionalLong.of(Long.parseLong(value));
    }
    return OptionalLong.empty();
  }
}
