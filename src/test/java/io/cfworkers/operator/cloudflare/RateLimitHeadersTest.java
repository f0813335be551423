package io.cfworkers.operator.cloudflare;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RateLimitHeadersTest {

  static Arguments row(String reason, String ratelimit, String policy, RateLimitHeaders.Reading r) {
    return Arguments.of(reason, ratelimit, policy, Optional.ofNullable(r));
  }

  static RateLimitHeaders.Reading reading(long r, long t, Long q, Long w) {
    return new RateLimitHeaders.Reading(
        r,
        Duration.ofSeconds(t),
        q == null ? OptionalLong.empty() : OptionalLong.of(q),
        w == null ? Optional.empty() : Optional.of(Duration.ofSeconds(w)));
  }

  static Stream<Arguments> headers() {
    return Stream.of(
        row(
            "Cloudflare's documented example",
            "\"default\";r=50;t=30",
            "\"burst\";q=100;w=60",
            reading(50, 30, 100L, 60L)),
        row(
            "Cloudflare's REST limit, nothing left",
            "\"default\";r=0;t=300",
            "\"default\";q=1200;w=300",
            reading(0, 300, 1200L, 300L)),
        row("no policy header", "\"default\";r=7;t=3", null, reading(7, 3, null, null)),
        row("no t: resets now", "\"default\";r=7", null, reading(7, 0, null, null)),
        row(
            "parameters in another order, spaces, upper case",
            " \"default\" ; T=12 ; R=3 ",
            "\"default\"; W=300; Q=1200",
            reading(3, 12, 1200L, 300L)),
        row(
            "several policies: the least r, and the policy with the least rate",
            "\"burst\";r=90;t=10, \"default\";r=40;t=200",
            "\"burst\";q=100;w=10, \"default\";q=1200;w=300",
            reading(40, 200, 1200L, 300L)),
        row("token item name", "default;r=5;t=1", "default;q=10;w=1", reading(5, 1, 10L, 1L)),
        row("no header", null, "\"default\";q=1200;w=300", null),
        row("empty header", "", null, null),
        row("no r", "\"default\";t=30", null, null),
        row("negative r", "\"default\";r=-1;t=30", null, null),
        row("r not a number", "\"default\";r=many;t=30", null, null),
        row(
            "an unreadable item is skipped",
            "x;r=;t=1, y;r=9;t=2",
            null,
            reading(9, 2, null, null)),
        row(
            "an unreadable t counts as a reset now",
            "\"default\";r=9;t=soon",
            null,
            reading(9, 0, null, null)),
        row(
            "a policy with a zero window is skipped",
            "\"default\";r=9;t=2",
            "\"default\";q=10;w=0",
            reading(9, 2, null, null)),
        row(
            "a number too long to be a count",
            "\"default\";r=99999999999999999999;t=2",
            null,
            null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("headers")
  void reads(
      String reason, String ratelimit, String policy, Optional<RateLimitHeaders.Reading> expected) {
    assertEquals(expected, RateLimitHeaders.parse(ratelimit, policy));
  }
}
