package io.cfworkers.operator.cloudflare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class Utf8Test {

  static Stream<Arguments> cases() {
    String ascii100 = "a".repeat(100);
    return Stream.of(
        Arguments.of("short ASCII is kept whole", "deploy v2", 100, "deploy v2"),
        Arguments.of("ASCII of exactly the limit is kept whole", ascii100, 100, ascii100),
        Arguments.of("ASCII over the limit is cut at the limit", ascii100 + "b", 100, ascii100),
        Arguments.of(
            "2-byte char straddling the limit is dropped whole",
            "a".repeat(99) + "é",
            100,
            "a".repeat(99)),
        Arguments.of(
            "2-byte char ending exactly at the limit is kept",
            "a".repeat(98) + "éz",
            100,
            "a".repeat(98) + "é"),
        Arguments.of(
            "3-byte char straddling the limit is dropped whole",
            "a".repeat(98) + "€",
            100,
            "a".repeat(98)),
        Arguments.of(
            "3-byte char ending exactly at the limit is kept",
            "a".repeat(97) + "€€",
            100,
            "a".repeat(97) + "€"),
        Arguments.of(
            "emoji (surrogate pair) straddling the limit is dropped whole, never half a pair",
            "a".repeat(97) + "🚀",
            100,
            "a".repeat(97)),
        Arguments.of(
            "emoji ending exactly at the limit is kept",
            "a".repeat(96) + "🚀🚀",
            100,
            "a".repeat(96) + "🚀"),
        Arguments.of("only multi-byte chars are cut between them", "日本語テキスト", 10, "日本語"),
        Arguments.of("unpaired surrogate becomes U+FFFD", "a\uD800b", 100, "a\uFFFDb"),
        Arguments.of("zero bytes gives the empty string", "abc", 0, ""));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void truncatesOnCodePointBoundary(String reason, String input, int maxBytes, String expected) {
    String cut = Utf8.truncate(input, maxBytes);

    assertEquals(expected, cut);
    assertTrue(cut.getBytes(StandardCharsets.UTF_8).length <= maxBytes);
    assertEquals(
        cut,
        new String(cut.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8),
        "the cut survives a UTF-8 round trip, so no character was split");
  }
}
