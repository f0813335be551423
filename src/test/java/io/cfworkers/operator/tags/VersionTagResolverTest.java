package io.cfworkers.operator.tags;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cfworkers.operator.cloudflare.WorkerVersion;
import io.cfworkers.operator.tags.VersionTagResolver.Ambiguous;
import io.cfworkers.operator.tags.VersionTagResolver.Found;
import io.cfworkers.operator.tags.VersionTagResolver.NotFound;
import io.cfworkers.operator.tags.VersionTagResolver.Outcome;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A tag resolves as wrangler's --version-tag does: exact match among the deployable versions. */
class VersionTagResolverTest {
  static final String NEWEST = "5f0c9a2e-3b1d-4e6f-8a7b-9c0d1e2f3a4b";
  static final String MIDDLE = "7a3c0b4e-1f2d-4c5b-9e8f-0a1b2c3d4e5f";
  static final String OLDEST = "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e";

  /** A version with that id and tag (null: untagged). */
  static WorkerVersion version(String id, String tag) {
    return new WorkerVersion(id, null, null, Instant.EPOCH, "wrangler", null, tag);
  }

  /**
   * {@code untaggedNewer} untagged versions, then the given ones: as Cloudflare lists, newest
   * first.
   */
  static List<WorkerVersion> newestFirst(int untaggedNewer, WorkerVersion... older) {
    List<WorkerVersion> out = new ArrayList<>();
    for (int i = 0; i < untaggedNewer; i++) {
      out.add(version(String.format("00000000-0000-4000-8000-%012d", i), null));
    }
    out.addAll(List.of(older));
    return out;
  }

  @SafeVarargs
  static List<WorkerVersion> join(List<WorkerVersion>... parts) {
    List<WorkerVersion> out = new ArrayList<>();
    for (List<WorkerVersion> part : parts) {
      out.addAll(part);
    }
    return out;
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(
            "one version carries the tag",
            "v1.2",
            List.of(version(NEWEST, "v1.3"), version(MIDDLE, "v1.2"), version(OLDEST, null)),
            new Found("v1.2", MIDDLE)),
        Arguments.of(
            "no version carries the tag",
            "v9",
            List.of(version(NEWEST, "v1.3"), version(MIDDLE, "v1.2")),
            new NotFound("v9")),
        Arguments.of("the script has no versions", "v1", List.of(), new NotFound("v1")),
        Arguments.of(
            "several carry it: ids newest first",
            "rc",
            List.of(version(NEWEST, "rc"), version(MIDDLE, "other"), version(OLDEST, "rc")),
            new Ambiguous("rc", List.of(NEWEST, OLDEST))),
        Arguments.of(
            "exact match only: case and whitespace count",
            "Release",
            List.of(version(NEWEST, "release"), version(MIDDLE, "Release "), version(OLDEST, "")),
            new NotFound("Release")),
        Arguments.of(
            "a prefix is no match", "abc", List.of(version(NEWEST, "abcdef")), new NotFound("abc")),
        Arguments.of(
            "tag moved to a newer upload: both carry it, so it is ambiguous",
            "main",
            List.of(version(NEWEST, "main"), version(MIDDLE, "main")),
            new Ambiguous("main", List.of(NEWEST, MIDDLE))),
        Arguments.of(
            "tag on the 100th most recent version is still deployable",
            "old",
            newestFirst(99, version(OLDEST, "old")),
            new Found("old", OLDEST)),
        Arguments.of(
            "tag only on a version past the deployable window (101st)",
            "old",
            newestFirst(100, version(OLDEST, "old")),
            new NotFound("old")),
        Arguments.of(
            "tag on a recent and on an old version past the window: the recent one",
            "release",
            join(
                List.of(version(NEWEST, "release")),
                newestFirst(99),
                List.of(version(OLDEST, "release"))),
            new Found("release", NEWEST)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void resolvesLikeWrangler(
      String reason, String tag, List<WorkerVersion> versions, Outcome expected) {
    assertEquals(expected, VersionTagResolver.resolve(tag, versions));
  }
}
