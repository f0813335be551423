package io.cfworkers.operator.tags;

import static io.cfworkers.operator.tags.VersionTagResolverTest.MIDDLE;
import static io.cfworkers.operator.tags.VersionTagResolverTest.NEWEST;
import static io.cfworkers.operator.tags.VersionTagResolverTest.OLDEST;
import static io.cfworkers.operator.tags.VersionTagResolverTest.version;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cfworkers.operator.api.v1alpha1.ResolvedVersionTag;
import io.cfworkers.operator.api.v1alpha1.TagResolution;
import io.cfworkers.operator.api.v1alpha1.VersionTraffic;
import io.cfworkers.operator.cloudflare.WorkerVersion;
import io.cfworkers.operator.tags.DesiredVersions.Resolved;
import io.cfworkers.operator.tags.DesiredVersions.Result;
import io.cfworkers.operator.tags.DesiredVersions.Stalled;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DesiredVersionsTest {
  static final Duration POLL = Duration.ofMinutes(5);
  static final Instant T0 = Instant.parse("2026-11-29T12:00:00Z");
  static final String KEY = "shop/checkout-api";

  static final List<WorkerVersion> UPLOADS =
      List.of(version(NEWEST, "v1.3"), version(MIDDLE, "v1.2"), version(OLDEST, "v1.1"));

  static VersionTraffic id(String id, double p) {
    return new VersionTraffic(id, p);
  }

  static VersionTraffic tag(String tag, double p) {
    return VersionTraffic.tagged(tag, p);
  }

  // ------------------------------------------------------------------ resolution of one split

  static Stream<Arguments> splits() {
    return Stream.of(
        Arguments.of(
            "by id only: unchanged",
            List.of(id(OLDEST, 90), id(MIDDLE, 10)),
            UPLOADS,
            List.of(id(OLDEST, 90), id(MIDDLE, 10)),
            null),
        Arguments.of(
            "one tag found", List.of(tag("v1.2", 100)), UPLOADS, List.of(id(MIDDLE, 100)), null),
        Arguments.of(
            "mixed: stable by id, canary by tag, in the spec's order",
            List.of(id(OLDEST, 90), tag("v1.3", 10)),
            UPLOADS,
            List.of(id(OLDEST, 90), id(NEWEST, 10)),
            null),
        Arguments.of(
            "two tags",
            List.of(tag("v1.1", 50), tag("v1.3", 50)),
            UPLOADS,
            List.of(id(OLDEST, 50), id(NEWEST, 50)),
            null),
        Arguments.of(
            "tag not found",
            List.of(tag("v2.0", 100)),
            UPLOADS,
            null,
            new Stalled(
                "VersionNotFound",
                "spec.versions[0].versionTag: no deployable version tagged v2.0 (the last 100"
                    + " uploaded); upload one with `wrangler versions upload --tag v2.0` or name"
                    + " the version by versionId")),
        Arguments.of(
            "tag on several versions: ids newest first",
            List.of(id(OLDEST, 90), tag("rc", 10)),
            List.of(version(NEWEST, "rc"), version(MIDDLE, "rc"), version(OLDEST, null)),
            null,
            new Stalled(
                "AmbiguousVersionTag",
                "spec.versions[1].versionTag: 2 deployable versions are tagged rc (newest first: "
                    + NEWEST
                    + ", "
                    + MIDDLE
                    + "); deploy by versionId")),
        Arguments.of(
            "both tags fail: the first reason, every message",
            List.of(tag("rc", 50), tag("gone", 50)),
            List.of(version(NEWEST, "rc"), version(MIDDLE, "rc")),
            null,
            new Stalled(
                "AmbiguousVersionTag",
                "spec.versions[0].versionTag: 2 deployable versions are tagged rc (newest first: "
                    + NEWEST
                    + ", "
                    + MIDDLE
                    + "); deploy by versionId; spec.versions[1].versionTag: no deployable version"
                    + " tagged gone (the last 100 uploaded); upload one with `wrangler versions"
                    + " upload --tag gone` or name the version by versionId")),
        Arguments.of(
            "tag names the version the other entry names by id",
            List.of(id(MIDDLE, 90), tag("v1.2", 10)),
            UPLOADS,
            null,
            new Stalled(
                "InvalidSpec",
                "spec.versions: both entries name version "
                    + MIDDLE
                    + " (a tag resolves to it); a split needs two different versions")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("splits")
  void resolvesEveryTagOfTheSplit(
      String reason,
      List<VersionTraffic> declared,
      List<WorkerVersion> versions,
      List<VersionTraffic> expectedSplit,
      Stalled expectedStall) {
    Result result = DesiredVersions.resolveAll(declared, versions);
    if (expectedStall != null) {
      assertEquals(expectedStall, result);
    } else {
      assertEquals(expectedSplit, assertInstanceOf(Resolved.class, result).versions());
    }
  }

  // ------------------------------------------------------------------ when it costs a call

  /** Counts the calls; answers what {@link #versions} holds at the time. */
  static final class Lister implements DesiredVersions.VersionLister {
    List<WorkerVersion> versions = UPLOADS;
    int calls;

    @Override
    public List<WorkerVersion> deployableVersions() {
      calls++;
      return versions;
    }
  }

  final DesiredVersions desired = new DesiredVersions(POLL);
  final Lister lister = new Lister();

  Result at(List<VersionTraffic> declared, TagResolution previous, long generation, Instant now) {
    return desired.resolve(KEY, declared, previous, generation, now, lister);
  }

  @Test
  void splitByIdNeverListsVersionsAndKeepsNoRecord() {
    Resolved r = (Resolved) at(List.of(id(OLDEST, 100)), null, 1, T0);
    assertEquals(List.of(id(OLDEST, 100)), r.versions());
    assertNull(r.record());
    assertEquals(0, lister.calls);
  }

  @Test
  void firstResolutionListsOnceAndRecordsGenerationTimeAndIds() {
    Resolved r = (Resolved) at(List.of(tag("v1.2", 100)), null, 3, T0);
    assertEquals(1, lister.calls);
    assertTrue(r.listed());
    assertEquals(
        new TagResolution(3L, T0.toString(), List.of(new ResolvedVersionTag("v1.2", MIDDLE))),
        r.record());
  }

  @Test
  void reconcilesBetweenPollsReuseTheRecordWithoutACall() {
    List<VersionTraffic> spec = List.of(tag("v1.2", 100));
    TagResolution record = ((Resolved) at(spec, null, 3, T0)).record();
    for (Duration later : List.of(Duration.ofSeconds(1), Duration.ofMinutes(4))) {
      Resolved again = (Resolved) at(spec, record, 3, T0.plus(later));
      assertEquals(List.of(id(MIDDLE, 100)), again.versions());
      assertSame(record, again.record());
      assertFalse(again.listed());
    }
    assertEquals(1, lister.calls);
  }

  @Test
  void eachPollChecksOnceAndAnUnchangedAnswerKeepsTheRecord() {
    List<VersionTraffic> spec = List.of(tag("v1.2", 100));
    TagResolution record = ((Resolved) at(spec, null, 3, T0)).record();
    Resolved poll1 = (Resolved) at(spec, record, 3, T0.plus(POLL));
    Resolved between = (Resolved) at(spec, poll1.record(), 3, T0.plus(POLL).plusSeconds(30));
    Resolved poll2 = (Resolved) at(spec, between.record(), 3, T0.plus(POLL.multipliedBy(2)));
    assertEquals(3, lister.calls, "one call at creation and one per poll");
    assertTrue(poll1.listed());
    assertFalse(between.listed());
    // Nothing moved: the same record, so the status is not rewritten.
    assertSame(record, poll2.record());
  }

  @Test
  void tagMovedToANewerUploadIsPickedUpAtTheNextPoll() {
    List<VersionTraffic> spec = List.of(tag("main", 100));
    lister.versions = List.of(version(MIDDLE, "main"), version(OLDEST, null));
    TagResolution record = ((Resolved) at(spec, null, 3, T0)).record();
    // CI uploads a newer version and moves the tag (the old one lost it).
    lister.versions =
        List.of(version(NEWEST, "main"), version(MIDDLE, null), version(OLDEST, null));
    assertEquals(
        List.of(id(MIDDLE, 100)), ((Resolved) at(spec, record, 3, T0.plusSeconds(60))).versions());
    Resolved poll = (Resolved) at(spec, record, 3, T0.plus(POLL));
    assertEquals(List.of(id(NEWEST, 100)), poll.versions());
    assertEquals(
        new TagResolution(
            3L, T0.plus(POLL).toString(), List.of(new ResolvedVersionTag("main", NEWEST))),
        poll.record());
  }

  @Test
  void newGenerationResolvesAtOnce() {
    TagResolution record = ((Resolved) at(List.of(tag("v1.2", 100)), null, 3, T0)).record();
    Resolved changed = (Resolved) at(List.of(tag("v1.3", 100)), record, 4, T0.plusSeconds(1));
    assertEquals(List.of(id(NEWEST, 100)), changed.versions());
    assertEquals(4L, changed.record().getGeneration());
    assertEquals(2, lister.calls);
  }

  @Test
  void afterARestartARecentRecordIsReusedAndAnOldOneCheckedOnce() {
    List<VersionTraffic> spec = List.of(tag("v1.2", 100));
    TagResolution record = ((Resolved) at(spec, null, 3, T0)).record();
    DesiredVersions restarted = new DesiredVersions(POLL);
    restarted.resolve(KEY, spec, record, 3, T0.plusSeconds(10), lister);
    assertEquals(1, lister.calls, "a record younger than a poll interval stands");
    restarted.resolve(KEY, spec, record, 3, T0.plus(POLL).plusSeconds(10), lister);
    restarted.resolve(KEY, spec, record, 3, T0.plus(POLL).plusSeconds(20), lister);
    assertEquals(2, lister.calls, "an older one is checked once, then the check counts");
  }

  @Test
  void aStallIsNotCachedAndClearsTheRecord() {
    List<VersionTraffic> spec = List.of(tag("v2.0", 100));
    Result first = at(spec, null, 3, T0);
    assertEquals("VersionNotFound", ((Stalled) first).reason());
    // The upload arrives: the next reconciliation finds it.
    lister.versions = List.of(version(NEWEST, "v2.0"));
    Resolved found = (Resolved) at(spec, null, 3, T0.plusSeconds(5));
    assertEquals(List.of(id(NEWEST, 100)), found.versions());
    assertEquals(2, lister.calls);
  }

  @Test
  void aFailedListingPropagatesAndRecordsNoCheck() {
    List<VersionTraffic> spec = List.of(tag("v1.2", 100));
    TagResolution record = ((Resolved) at(spec, null, 3, T0)).record();
    DesiredVersions.VersionLister failing =
        () -> {
          throw new IllegalStateException("unavailable");
        };
    Instant poll = T0.plus(POLL);
    assertThrows(
        IllegalStateException.class, () -> desired.resolve(KEY, spec, record, 3, poll, failing));
    at(spec, record, 3, poll.plusSeconds(1));
    assertEquals(2, lister.calls, "the retry after the failure checks again");
  }

  @Test
  void aRecordForOtherTagsIsNotUsed() {
    TagResolution record =
        new TagResolution(3L, T0.toString(), List.of(new ResolvedVersionTag("v1.1", OLDEST)));
    Resolved r = (Resolved) at(List.of(tag("v1.2", 100)), record, 3, T0.plusSeconds(1));
    assertEquals(List.of(id(MIDDLE, 100)), r.versions());
    assertEquals(1, lister.calls);
  }

  @Test
  void aRecordWithAnUnreadableTimeIsCheckedAgain() {
    TagResolution record =
        new TagResolution(3L, "yesterday", List.of(new ResolvedVersionTag("v1.2", OLDEST)));
    Resolved r = (Resolved) at(List.of(tag("v1.2", 100)), record, 3, T0);
    assertEquals(List.of(id(MIDDLE, 100)), r.versions());
    assertEquals(1, lister.calls);
  }
}
