package io.cfworkers.operator.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cfworkers.operator.api.v1alpha1.PendingDeployment;
import io.cfworkers.operator.api.v1alpha1.WorkerDeploymentStatus;
import io.cfworkers.operator.cloudflare.CloudflareRateLimitedException;
import io.cfworkers.operator.cloudflare.Deployment;
import io.cfworkers.operator.cloudflare.DeploymentVersion;
import io.cfworkers.operator.reconcile.ReconcileDecision.LookAgain.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The reconcile decisions as a table: what is known → what is decided. */
class DecideTest {
  static final String A = "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e";
  static final String B = "7a3c0b4e-1f2d-4c5b-9e8f-0a1b2c3d4e5f";
  static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");
  static final Duration WINDOW = Duration.ofSeconds(90);
  static final long GEN = 4;
  static final String SECRET = "rv-7";
  static final DesiredSplit WANT = new DesiredSplit(SplitDiffTest.spec(A, 90, B, 10), null);

  // --- the table ---------------------------------------------------------------------------------

  /** What a case expects; null where it does not matter. */
  record Expect(
      boolean creates,
      String reason,
      String readyStatus,
      List<String> events,
      List<String> counters,
      Kind lookAgain,
      Boolean pendingKept) {}

  static Stream<Arguments> observations() {
    Deployment old = deployment("d-old", A, 100);
    Deployment wanted = deployment("d-new", A, 90, B, 10);
    Deployment rounded = deployment("d-new", A, 90.004, B, 9.996);
    Deployment foreign = deployment("d-hand", B, 100);
    return Stream.of(
        row(
            "live serves the split already: adopted, with an event",
            status(null, "d-old", GEN - 1),
            List.of(deployment("d-x", A, 90, B, 10)),
            new Expect(false, "Adopted", "True", List.of("Adopted"), List.of(), Kind.POLL, false)),
        row(
            "live serves the split reported before: no event, nothing counted",
            status(null, "d-new", GEN),
            List.of(wanted),
            new Expect(false, "Deployed", "True", List.of(), List.of(), Kind.POLL, false)),
        row(
            "the create's answer is now seen live: Ready, record dropped, no second event",
            status(answered("d-new"), "d-new", GEN),
            List.of(wanted, old),
            new Expect(false, "Deployed", "True", List.of(), List.of(), Kind.POLL, false)),
        row(
            "a restored split reported Ready on the answer, now seen live: DriftCorrected stays",
            driftCorrected(status(answered("d-new"), "d-new", GEN)),
            List.of(wanted, old),
            new Expect(false, "DriftCorrected", "True", List.of(), List.of(), Kind.POLL, false)),
        row(
            "a lost create landed: confirmed event and counted once",
            status(lost(T0.minusSeconds(5), "d-old"), "d-old", GEN),
            List.of(wanted, old),
            new Expect(
                false,
                "Deployed",
                "True",
                List.of("Deployed"),
                List.of(ReconcileDecision.CREATED),
                Kind.POLL,
                false)),
        row(
            "the split differs: the intent is recorded and a create is asked for",
            status(null, "d-old", GEN - 1),
            List.of(old),
            new Expect(true, "Deploying", "False", List.of(), List.of(), Kind.POLL, true)),
        row(
            "no deployment at all: create",
            status(null, null, GEN),
            List.of(),
            new Expect(true, "Deploying", "False", List.of(), List.of(), Kind.POLL, true)),
        row(
            "a lost create may still land: wait, no create",
            status(lost(T0.minusSeconds(5), "d-old"), "d-old", GEN),
            List.of(old),
            new Expect(false, "Deploying", "False", List.of(), List.of(), Kind.AFTER, true)),
        row(
            "an unreadable start time counts as in flight (fail closed)",
            status(lost(null, "d-old"), "d-old", GEN),
            List.of(old),
            new Expect(false, "Deploying", "False", List.of(), List.of(), Kind.AFTER, true)),
        row(
            "a lost create settled without landing: create again",
            status(lost(T0.minus(WINDOW).minusSeconds(1), "d-old"), "d-old", GEN),
            List.of(old),
            new Expect(true, "Deploying", "False", List.of(), List.of(), Kind.POLL, true)),
        row(
            "the created deployment is live with another split (rounding): Stalled, no create",
            status(answered("d-new"), "d-new", GEN),
            List.of(rounded, old),
            new Expect(
                false,
                "DeploymentNotObserved",
                "False",
                List.of("DeploymentNotObserved"),
                List.of(),
                Kind.POLL,
                true)),
        row(
            "the created deployment is not listed (eventual consistency): Stalled, no create",
            status(answered("d-new"), "d-new", GEN),
            List.of(old),
            new Expect(
                false,
                "DeploymentNotObserved",
                "False",
                List.of("DeploymentNotObserved"),
                List.of(),
                Kind.POLL,
                true)),
        row(
            "already Stalled for it: no second event",
            stalledNotObserved(status(answered("d-new"), "d-new", GEN)),
            List.of(old),
            new Expect(
                false, "DeploymentNotObserved", "False", List.of(), List.of(), Kind.POLL, true)),
        row(
            "a settled lost create, and a new deployment with another split: Stalled, no create",
            status(lost(T0.minus(WINDOW).minusSeconds(1), "d-old"), "d-old", GEN),
            List.of(rounded, old),
            new Expect(
                false,
                "DeploymentNotObserved",
                "False",
                List.of("DeploymentNotObserved"),
                List.of(),
                Kind.POLL,
                true)),
        row(
            "someone deployed after the created one: drift, create again",
            status(answered("d-new"), "d-new", GEN),
            List.of(foreign, rounded, old),
            new Expect(true, "Deploying", "False", List.of(), List.of(), Kind.POLL, true)),
        row(
            "the spec changed since the create: the record does not block",
            status(answered("d-new", GEN - 1, SECRET), "d-new", GEN - 1),
            List.of(rounded, old),
            new Expect(true, "Deploying", "False", List.of(), List.of(), Kind.POLL, true)),
        row(
            "the Secret changed since the create: the record does not block",
            status(answered("d-new", GEN, "rv-6"), "d-new", GEN),
            List.of(rounded, old),
            new Expect(true, "Deploying", "False", List.of(), List.of(), Kind.POLL, true)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("observations")
  void observed(
      String reason, WorkerDeploymentStatus previous, List<Deployment> history, Expect e) {
    ReconcileDecision d = Decide.observed(facts(previous, false), history);
    assertExpected(d, e);
  }

  static Stream<Arguments> suspendedRows() {
    return Stream.of(
        row(
            "suspended, someone else's deployment: DriftDetected, no create",
            status(null, "d-old", GEN),
            List.of(deployment("d-hand", B, 100)),
            new Expect(
                false, "Suspended", "False", List.of("DriftDetected"), List.of(), Kind.POLL, null)),
        row(
            "suspended and in sync: Ready",
            status(null, "d-old", GEN),
            List.of(deployment("d-x", A, 90, B, 10)),
            new Expect(false, "Adopted", "True", List.of("Adopted"), List.of(), Kind.POLL, null)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("suspendedRows")
  void suspended(
      String reason, WorkerDeploymentStatus previous, List<Deployment> history, Expect e) {
    assertExpected(Decide.observed(facts(previous, true), history), e);
  }

  static Stream<Arguments> outcomes() {
    WorkerDeploymentStatus intent = status(lost(T0, "d-old"), "d-old", GEN);
    WorkerDeploymentStatus ready = readyAt(status(null, "d-old", GEN));
    CloudflareRateLimitedException limited =
        new CloudflareRateLimitedException(Duration.ofSeconds(3), 429, List.of(), "slow down");
    return Stream.of(
        Arguments.of(
            "create answered: Ready on the answer, the record kept until the next poll confirms it",
            (Function<Decide.Facts, ReconcileDecision>)
                f -> Decide.created(f, deployment("d-new", A, 90, B, 10), false),
            intent,
            new Expect(
                false,
                "Deployed",
                "True",
                List.of("Deployed"),
                List.of(ReconcileDecision.CREATED),
                Kind.POLL,
                true)),
        Arguments.of(
            "drift restored: counted as created and as drift corrected",
            (Function<Decide.Facts, ReconcileDecision>)
                f -> Decide.created(f, deployment("d-new", A, 90, B, 10), true),
            intent,
            new Expect(
                false,
                "DriftCorrected",
                "True",
                List.of("DriftCorrected"),
                List.of(ReconcileDecision.CREATED, ReconcileDecision.DRIFT_CORRECTED),
                Kind.POLL,
                true)),
        Arguments.of(
            "create rejected: Stalled, the intent record goes",
            (Function<Decide.Facts, ReconcileDecision>)
                f -> Decide.createRejected(f, Reasons.VERSION_NOT_FOUND, "10224"),
            intent,
            new Expect(
                false,
                "VersionNotFound",
                "False",
                List.of("VersionNotFound"),
                List.of(),
                Kind.ON_CHANGE,
                false)),
        Arguments.of(
            "create rate-limited: the intent record goes, wait for Retry-After",
            (Function<Decide.Facts, ReconcileDecision>) f -> Decide.rateLimited(f, limited, true),
            intent,
            new Expect(false, "RateLimited", null, List.of(), List.of(), Kind.AFTER_SPREAD, false)),
        Arguments.of(
            "observation rate-limited while Ready: nothing rewritten",
            (Function<Decide.Facts, ReconcileDecision>) f -> Decide.rateLimited(f, limited, false),
            ready,
            new Expect(false, "Deployed", "True", List.of(), List.of(), Kind.AFTER_SPREAD, null)),
        Arguments.of(
            "Cloudflare unavailable after the create: the record stays, retried",
            (Function<Decide.Facts, ReconcileDecision>) f -> Decide.unavailable(f, "503"),
            intent,
            new Expect(false, "ApiUnavailable", null, List.of(), List.of(), Kind.RETRY, true)),
        Arguments.of(
            "unexpected error: Reconciling/InternalError, not Ready, retried",
            (Function<Decide.Facts, ReconcileDecision>) f -> Decide.internalError(f, "NPE"),
            ready,
            new Expect(false, "InternalError", "False", List.of(), List.of(), Kind.RETRY, null)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("outcomes")
  void outcome(
      String reason,
      Function<Decide.Facts, ReconcileDecision> decide,
      WorkerDeploymentStatus previous,
      Expect e) {
    assertExpected(decide.apply(facts(previous, false)), e);
  }

  static Stream<Arguments> waitsForReservedBudget() {
    return Stream.of(
        Arguments.of("an intent record", status(lost(T0, "d-old"), "d-old", GEN)),
        Arguments.of("Ready", readyAt(status(null, "d-old", GEN))),
        Arguments.of("no status yet", null));
  }

  @ParameterizedTest(name = "previous status: {0}")
  @MethodSource("waitsForReservedBudget")
  void aChangeWaitingForItsReservedBudgetWritesNothingAndComesBackWhenItIsDue(
      String reason, WorkerDeploymentStatus previous) {
    ReconcileDecision d =
        Decide.waitForReservedBudget(facts(previous, false), Duration.ofMillis(2500));

    assertEquals(previous == null ? new WorkerDeploymentStatus() : previous, d.status());
    assertTrue(d.create().isEmpty());
    assertEquals(List.of(), d.events());
    assertEquals(List.of(), d.counters());
    assertEquals(Kind.WHEN_DUE, d.lookAgain().kind());
    assertEquals(Duration.ofMillis(2500), d.lookAgain().after());
    assertFalse(d.intentGoes());
  }

  // --- every status field survives every write path ---------------------------------------------

  static final Set<String> LIVE =
      Set.of(
          "deploymentId",
          "authorEmail",
          "createdOn",
          "source",
          "versions",
          "versionSummary",
          "message",
          "triggeredBy");
  static final Set<String> BASE = Set.of("observedGeneration", "conditions");
  static final Set<String> PENDING = Set.of("pendingDeployment");

  static Stream<Arguments> writePaths() {
    Deployment wanted = deployment("d-new", A, 90, B, 10);
    Deployment old = deployment("d-old", A, 100);
    CloudflareRateLimitedException limited =
        new CloudflareRateLimitedException(Duration.ofSeconds(3), 0, List.of(), "budget");
    return Stream.of(
        path("stalled", s -> s, f -> Decide.stalled(f, "InvalidSpec", "x"), BASE),
        path(
            "observed: in sync",
            s -> s,
            f -> Decide.observed(f, List.of(wanted)),
            union(BASE, LIVE, PENDING)),
        path(
            "observed: suspended",
            s -> s,
            f -> Decide.observed(f.withSuspended(), List.of(old)),
            union(BASE, LIVE)),
        path(
            "observed: waiting for a call in flight",
            s -> with(s, lost(T0, "d-old")),
            f -> Decide.observed(f, List.of(old)),
            union(BASE, LIVE, PENDING)),
        path(
            "observed: create",
            s -> with(s, null),
            f -> Decide.observed(f, List.of(old)),
            union(BASE, PENDING)),
        path(
            "observed: created deployment not observed",
            s -> with(s, answered("d-new")),
            f -> Decide.observed(f, List.of(old)),
            union(BASE, LIVE)),
        path(
            "create answered",
            s -> with(s, lost(T0, "d-old")),
            f -> Decide.created(f, wanted, false),
            union(BASE, LIVE, PENDING)),
        path(
            "create rejected",
            s -> s,
            f -> Decide.createRejected(f, "Rejected", "x"),
            union(BASE, PENDING)),
        path("rate-limited observation", s -> s, f -> Decide.rateLimited(f, limited, false), BASE),
        path(
            "rate-limited create",
            s -> s,
            f -> Decide.rateLimited(f, limited, true),
            union(BASE, PENDING)),
        path(
            "waiting for reserved budget",
            s -> s,
            f -> Decide.waitForReservedBudget(f, Duration.ofSeconds(3)),
            Set.of()),
        path("unavailable", s -> s, f -> Decide.unavailable(f, "503"), BASE),
        path("internal error", s -> s, f -> Decide.internalError(f, "NPE"), BASE));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("writePaths")
  void everyFieldAPathDoesNotOwnSurvivesIt(
      String path,
      UnaryOperator<WorkerDeploymentStatus> prepare,
      Function<Decide.Facts, ReconcileDecision> decide,
      Set<String> owned) {
    WorkerDeploymentStatus previous = prepare.apply(StatusFields.filled());
    var before = StatusFields.tree(previous);
    ReconcileDecision d = decide.apply(facts(previous, false));
    var after = StatusFields.tree(d.status());
    for (String name : StatusFields.topLevelProperties()) {
      if (!owned.contains(name)) {
        assertEquals(before.get(name), after.get(name), path + " keeps " + name);
      }
    }
    assertEquals(before, StatusFields.tree(previous), path + " leaves the previous status alone");
  }

  // --- helpers ----------------------------------------------------------------------------------

  static Arguments row(
      String reason, WorkerDeploymentStatus previous, List<Deployment> history, Expect e) {
    return Arguments.of(reason, previous, history, e);
  }

  static Arguments path(
      String name,
      UnaryOperator<WorkerDeploymentStatus> prepare,
      Function<Decide.Facts, ReconcileDecision> decide,
      Set<String> owned) {
    return Arguments.of(name, prepare, decide, owned);
  }

  @SafeVarargs
  static Set<String> union(Set<String>... sets) {
    Set<String> out = new java.util.HashSet<>();
    for (Set<String> s : sets) {
      out.addAll(s);
    }
    return out;
  }

  static void assertExpected(ReconcileDecision d, Expect e) {
    assertEquals(e.creates(), d.create().isPresent(), "creates");
    if (e.creates()) {
      assertEquals(WANT.versions(), d.create().get().split().versions());
    }
    var reconciling = Conditions.find(d.status().getConditions(), Conditions.RECONCILING);
    assertEquals(e.reason(), reconciling.get().getReason(), "reason");
    if (e.readyStatus() != null) {
      assertEquals(
          e.readyStatus(),
          Conditions.find(d.status().getConditions(), Conditions.READY).get().getStatus(),
          "Ready");
    }
    assertEquals(e.events(), d.events().stream().map(ReconcileDecision.Note::reason).toList());
    assertEquals(e.counters(), d.counters());
    assertEquals(e.lookAgain(), d.lookAgain().kind(), "look again");
    if (e.pendingKept() != null) {
      assertEquals(e.pendingKept(), d.status().getPendingDeployment() != null, "record kept");
    }
    if (d.create().isPresent()) {
      PendingDeployment intent = d.status().getPendingDeployment();
      assertEquals(GEN, intent.getGeneration());
      assertEquals(SECRET, intent.getSecretVersion());
      assertEquals(WANT.versions(), intent.getVersions());
    }
    if ("DeploymentNotObserved".equals(e.reason())) {
      String message = reconciling.get().getMessage();
      assertTrue(message.contains("182bd5e5@90,7a3c0b4e@10"), "names the split asked: " + message);
      assertTrue(message.contains("serving 182bd5e5@"), "names the live split: " + message);
    }
  }

  static Decide.Facts facts(WorkerDeploymentStatus previous, boolean suspended) {
    return new Decide.Facts(previous, GEN, WANT, suspended, SECRET, T0, WINDOW);
  }

  static Deployment deployment(String id, Object... pairs) {
    List<DeploymentVersion> versions = new ArrayList<>();
    for (int i = 0; i < pairs.length; i += 2) {
      versions.add(new DeploymentVersion((String) pairs[i], ((Number) pairs[i + 1]).doubleValue()));
    }
    return new Deployment(id, T0, "api", "percentage", versions, null, null, "a@b.c");
  }

  static WorkerDeploymentStatus status(PendingDeployment pending, String liveId, long observed) {
    WorkerDeploymentStatus s = new WorkerDeploymentStatus();
    s.setObservedGeneration(observed);
    s.setDeploymentId(liveId);
    s.setPendingDeployment(pending);
    return s;
  }

  static WorkerDeploymentStatus readyAt(WorkerDeploymentStatus s) {
    return StatusBuilder.from(s)
        .conditions(Conditions.State.ready(Reasons.DEPLOYED, "done"), GEN, T0)
        .build();
  }

  static WorkerDeploymentStatus driftCorrected(WorkerDeploymentStatus s) {
    return StatusBuilder.from(s)
        .conditions(Conditions.State.ready(Reasons.DRIFT_CORRECTED, "restored"), GEN, T0)
        .build();
  }

  static Stream<Arguments> pendingChanges() {
    WorkerDeploymentStatus served = served(status(null, "d-new", GEN), A, 90, B, 10);
    return Stream.of(
        Arguments.of("nothing reported yet", null, true),
        Arguments.of("the spec changed since the last report", generation(served, GEN - 1), true),
        Arguments.of("served as wanted: a resync", served, false),
        Arguments.of("another split served", served(status(null, "d-old", GEN), A, 100), true),
        Arguments.of("nothing served", status(null, null, GEN), true),
        Arguments.of(
            "a create call may still land: the read only waits",
            served(status(lost(T0, "d-old"), "d-old", GEN), A, 100),
            false),
        Arguments.of(
            "a rollout under way serves a step's split: its plan decides, mostly reads",
            withRollout(served(status(null, "d-old", GEN), A, 100)),
            false),
        Arguments.of(
            "the create was answered: its confirmation is a resync",
            served(status(answered("d-new"), "d-new", GEN), A, 90, B, 10),
            false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pendingChanges")
  void changePending(String reason, WorkerDeploymentStatus previous, boolean pending) {
    assertEquals(pending, Decide.changePending(previous, GEN, WANT));
  }

  static WorkerDeploymentStatus served(WorkerDeploymentStatus s, Object... pairs) {
    return StatusBuilder.from(s).live(Optional.of(deployment(s.getDeploymentId(), pairs))).build();
  }

  static WorkerDeploymentStatus withRollout(WorkerDeploymentStatus s) {
    WorkerDeploymentStatus copy = StatusBuilder.from(s).build();
    copy.setRollout(new io.cfworkers.operator.api.v1alpha1.RolloutStatus());
    return copy;
  }

  static WorkerDeploymentStatus generation(WorkerDeploymentStatus s, long observed) {
    WorkerDeploymentStatus copy = StatusBuilder.from(s).build();
    copy.setObservedGeneration(observed);
    return copy;
  }

  static WorkerDeploymentStatus stalledNotObserved(WorkerDeploymentStatus s) {
    return StatusBuilder.from(s)
        .conditions(Conditions.State.stalled(Reasons.DEPLOYMENT_NOT_OBSERVED, "x"), GEN, T0)
        .build();
  }

  static WorkerDeploymentStatus with(WorkerDeploymentStatus s, PendingDeployment p) {
    s.setPendingDeployment(p);
    return s;
  }

  /** A record whose create call got no answer (yet). */
  static PendingDeployment lost(Instant startedAt, String replaces) {
    PendingDeployment p =
        Intent.record(
            GEN,
            WANT,
            Optional.of(deployment(replaces, A, 100)),
            SECRET,
            startedAt == null ? T0 : startedAt);
    if (startedAt == null) {
      p.setStartedAt("yesterday");
    }
    return p;
  }

  /** A record whose create call Cloudflare answered with deployment {@code id}. */
  static PendingDeployment answered(String id) {
    return answered(id, GEN, SECRET);
  }

  static PendingDeployment answered(String id, long generation, String secret) {
    PendingDeployment p =
        Intent.record(generation, WANT, Optional.of(deployment("d-old", A, 100)), secret, T0);
    p.setDeploymentId(id);
    return p;
  }
}
