package io.cfworkers.operator.rollout;

import static io.cfworkers.operator.rollout.RolloutFixtures.CANARY;
import static io.cfworkers.operator.rollout.RolloutFixtures.STABLE;
import static io.cfworkers.operator.rollout.RolloutFixtures.T0;
import static io.cfworkers.operator.rollout.RolloutFixtures.d;
import static io.cfworkers.operator.rollout.RolloutFixtures.rollout;
import static io.cfworkers.operator.rollout.RolloutFixtures.split;
import static io.cfworkers.operator.rollout.RolloutFixtures.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cfworkers.operator.api.v1alpha1.RolloutSpec;
import io.cfworkers.operator.api.v1alpha1.RolloutStatus;
import io.cfworkers.operator.api.v1alpha1.VersionTraffic;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Whole rollouts on a simulated clock: a loop that plays the reconciler (plan, create at most once
 * per decision as the intent record would, write status) against a simulated Cloudflare whose
 * created splits go live a few seconds later. A 30-minute rollout runs in milliseconds.
 */
class RolloutScenarioTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration POLL = Duration.ofSeconds(30);
  private static final Duration PROPAGATION = Duration.ofSeconds(3);

  /** The simulated world: Cloudflare's live split, the resource's status and annotations. */
  static final class World {
    Instant now = T0;
    List<VersionTraffic> live = split("aaaaaaaa", 100);
    List<VersionTraffic> pendingSplit;
    Instant pendingLiveAt;
    final List<String> deployments = new ArrayList<>();
    final List<String> events = new ArrayList<>();
    final Map<String, String> annotations = new HashMap<>();
    RolloutStatus status;
    RolloutSpec spec;

    World(RolloutSpec spec) {
      this.spec = spec;
    }

    /** One reconcile: observe, plan, act once, report. Returns the decision. */
    RolloutDecision reconcile() {
      if (pendingSplit != null && !now.isBefore(pendingLiveAt)) {
        live = pendingSplit;
        pendingSplit = null;
      }
      RolloutDecision d =
          RolloutPlanner.plan(
              new RolloutInput(spec, CANARY, live, status, annotations, false, now));
      d.create()
          .ifPresent(
              c -> {
                String described = RolloutPlanner.describe(c.versions());
                boolean alreadyAsked =
                    pendingSplit != null && described.equals(RolloutPlanner.describe(pendingSplit));
                if (!alreadyAsked) { // the intent record: one create per wanted split
                  deployments.add(described);
                  pendingSplit = c.versions();
                  pendingLiveAt = now.plus(PROPAGATION);
                }
              });
      d.events().forEach(e -> events.add(e.reason()));
      status = d.status();
      return d;
    }

    /** Reconciles until {@code until}, waking at each requeue, create, or poll. */
    void runUntil(Instant until) {
      while (now.isBefore(until)) {
        RolloutDecision d = reconcile();
        Duration next = d.lookAgainAfter().filter(x -> x.compareTo(POLL) < 0).orElse(POLL);
        if (pendingSplit != null) {
          next =
              Duration.between(now, pendingLiveAt).isNegative()
                  ? Duration.ZERO
                  : Duration.between(now, pendingLiveAt);
        }
        now = now.plus(next.isZero() ? Duration.ofMillis(1) : next);
      }
    }
  }

  /** 10% for 10m, 25% for 10m, 50% for 10m: about 30 minutes. */
  static RolloutSpec thirtyMinutes() {
    return rollout("5m", step(10, "10m"), step(25, "10m"), step(50, "10m"));
  }

  @Test
  void thirtyMinuteRolloutCreatesOneDeploymentPerStepAndCompletes() {
    long started = System.nanoTime();
    World world = new World(thirtyMinutes());
    world.runUntil(T0.plus(d("45m")));
    assertEquals(
        List.of(
            "aaaaaaaa@90,cccccccc@10",
            "aaaaaaaa@75,cccccccc@25",
            "aaaaaaaa@50,cccccccc@50",
            "cccccccc@100"),
        world.deployments);
    assertEquals(RolloutStatus.COMPLETED, world.status.getPhase());
    assertEquals(3, world.status.getStep());
    assertEquals(100.0, world.status.getWeight());
    assertEquals(
        List.of(
            "RolloutStarted",
            "StepStarted",
            "StepLive",
            "RolloutPaused",
            "StepStarted",
            "StepLive",
            "RolloutPaused",
            "StepStarted",
            "StepLive",
            "RolloutPaused",
            "StepStarted",
            "RolloutCompleted"),
        world.events);
    assertTrue(Duration.ofNanos(System.nanoTime() - started).toMillis() < 5_000);
  }

  @Test
  void completesThirtyMinutesAfterTheFirstStepWentLive() {
    World world = new World(thirtyMinutes());
    Instant completedAt = null;
    while (completedAt == null && world.now.isBefore(T0.plus(d("1h")))) {
      world.runUntil(world.now.plusSeconds(1));
      if (world.status != null && RolloutStatus.COMPLETED.equals(world.status.getPhase())) {
        completedAt = world.now;
      }
    }
    // Three 10-minute pauses, each starting when its split went live (3 s after its create).
    Duration took = Duration.between(T0, completedAt);
    assertTrue(took.compareTo(d("30m")) > 0 && took.compareTo(d("31m")) < 0, took.toString());
  }

  @Test
  void promoteMidPauseEndsThePauseAtOnce() {
    World world = new World(rollout(null, step(10, "1h"), step(50, null)));
    world.runUntil(T0.plus(d("5m")));
    assertEquals(RolloutStatus.PAUSED, world.status.getPhase());
    assertEquals(1, world.status.getStep());

    world.annotations.put(RolloutAnnotations.PROMOTE, "1");
    world.runUntil(T0.plus(d("6m")));
    assertEquals(2, world.status.getStep());
    assertEquals("Step 2/2 (50%): waiting for promote", world.status.getMessage());

    world.runUntil(T0.plus(d("3h"))); // the same value is not a second request
    assertEquals(2, world.status.getStep());

    world.annotations.put(RolloutAnnotations.PROMOTE, "2");
    world.runUntil(T0.plus(d("3h1m")));
    assertEquals(RolloutStatus.COMPLETED, world.status.getPhase());
    assertEquals(
        List.of("aaaaaaaa@90,cccccccc@10", "aaaaaaaa@50,cccccccc@50", "cccccccc@100"),
        world.deployments);
  }

  @Test
  void abortGoesBackToStableAndStaysThereUntilRetry() {
    World world = new World(thirtyMinutes());
    world.runUntil(T0.plus(d("12m")));
    assertEquals(2, world.status.getStep());

    world.annotations.put(RolloutAnnotations.ABORT, "incident-7");
    world.runUntil(T0.plus(d("2h")));
    assertEquals(RolloutStatus.ABORTED, world.status.getPhase());
    assertEquals(RolloutStatus.ABORT_MANUAL, world.status.getAbortReason());
    assertEquals(split("aaaaaaaa", 100), world.live);
    assertEquals(
        List.of("aaaaaaaa@90,cccccccc@10", "aaaaaaaa@75,cccccccc@25", "aaaaaaaa@100"),
        world.deployments);

    world.annotations.put(RolloutAnnotations.RETRY, "1");
    world.runUntil(T0.plus(d("2h1m")));
    assertEquals(RolloutStatus.PAUSED, world.status.getPhase());
    assertEquals(1, world.status.getStep());
    assertEquals(STABLE, world.status.getStableVersionId());
  }

  @Test
  void restartDuringAPauseContinuesWithTheSameClock() throws Exception {
    World world = new World(thirtyMinutes());
    world.runUntil(T0.plus(d("4m")));
    RolloutStatus before = world.status;
    String pausedUntil = before.getPausedUntil();

    // A new process: only the status as stored in the cluster (JSON) and Cloudflare's live split.
    World restarted = new World(thirtyMinutes());
    restarted.now = world.now.plus(d("1m"));
    restarted.live = world.live;
    restarted.status = JSON.readValue(JSON.writeValueAsString(before), RolloutStatus.class);
    assertEquals(before, restarted.status);

    RolloutDecision d = restarted.reconcile();
    assertEquals(pausedUntil, d.status().getPausedUntil());
    assertEquals(
        Duration.between(restarted.now, Instant.parse(pausedUntil)), d.lookAgainAfter().get());
    assertTrue(d.create().isEmpty());

    restarted.runUntil(Instant.parse(pausedUntil).plusSeconds(1));
    assertEquals(List.of("aaaaaaaa@75,cccccccc@25"), restarted.deployments);
    assertEquals(2, restarted.status.getStep());
  }

  @Test
  void progressDeadlineAbortsWhenCloudflareNeverServesTheStep() {
    World world = new World(thirtyMinutes());
    world.runUntil(T0.plus(d("10m3s")));
    // From now on Cloudflare accepts creates but never serves them.
    World stuck = world;
    stuck.pendingLiveAt = Instant.MAX;
    Instant end = T0.plus(d("30m"));
    while (stuck.now.isBefore(end)) {
      stuck.reconcile();
      if (stuck.pendingSplit != null) {
        stuck.pendingLiveAt = Instant.MAX;
      }
      stuck.now = stuck.now.plus(POLL);
    }
    assertEquals(RolloutStatus.ABORTED, stuck.status.getPhase());
    assertEquals(RolloutStatus.ABORT_PROGRESS_DEADLINE_EXCEEDED, stuck.status.getAbortReason());
    assertTrue(stuck.events.contains("ProgressDeadlineExceeded"));
    assertEquals(CANARY, stuck.status.getCanaryVersionId());
  }
}
