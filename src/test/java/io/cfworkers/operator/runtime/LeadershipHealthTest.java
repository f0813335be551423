package io.cfworkers.operator.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cfworkers.operator.runtime.LeadershipHealth.LeaseView;
import io.cfworkers.operator.runtime.LeadershipHealth.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LeadershipHealthTest {
  private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
  private static final Duration FIFTEEN = Duration.ofSeconds(15);

  private static LeaseView heldBy(String holder, int secondsAgo) {
    return LeaseView.of(holder, NOW.minusSeconds(secondsAgo), FIFTEEN);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        // reason, started, election, leading, stoppedLeading, lease, up, leader
        Arguments.of(
            "not started yet", false, true, false, false, LeaseView.absent(), false, false),
        Arguments.of(
            "no election: the only replica acts",
            true,
            false,
            false,
            false,
            LeaseView.absent(),
            true,
            true),
        Arguments.of("leads and renewed", true, true, true, false, heldBy("me", 2), true, true),
        Arguments.of(
            "standby behind a live leader is ready",
            true,
            true,
            false,
            false,
            heldBy("other", 2),
            true,
            false),
        Arguments.of(
            "nobody renewed within the duration",
            true,
            true,
            false,
            false,
            heldBy("other", 40),
            false,
            false),
        Arguments.of(
            "a leader that cannot renew is not ready",
            true,
            true,
            true,
            false,
            heldBy("me", 40),
            false,
            true),
        Arguments.of(
            "no Lease: nobody elected", true, true, false, false, LeaseView.absent(), false, false),
        Arguments.of(
            "Lease released (no holder)",
            true,
            true,
            false,
            false,
            LeaseView.of("", NOW, FIFTEEN),
            false,
            false),
        Arguments.of(
            "Lease unreadable",
            true,
            true,
            false,
            false,
            LeaseView.unreadable("HTTP 403 Forbidden"),
            false,
            false),
        Arguments.of(
            "believes it leads, Lease says otherwise",
            true,
            true,
            true,
            false,
            heldBy("other", 1),
            false,
            true),
        Arguments.of(
            "election ended after losing the Lease",
            true,
            true,
            false,
            true,
            heldBy("other", 1),
            false,
            false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void decides(
      String reason,
      boolean started,
      boolean election,
      boolean leading,
      boolean stoppedLeading,
      LeaseView lease,
      boolean up,
      boolean leader) {
    Verdict verdict =
        LeadershipHealth.decide(started, election, "me", leading, stoppedLeading, lease, NOW);

    assertEquals(up, verdict.up(), verdict.reason());
    assertEquals(leader, verdict.data().get("leader"), verdict.data().toString());
  }
}
