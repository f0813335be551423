package io.cfworkers.operator.reconcile;

import io.cfworkers.operator.api.v1alpha1.PendingDeployment;
import io.cfworkers.operator.api.v1alpha1.TagResolution;
import io.cfworkers.operator.api.v1alpha1.VersionTraffic;
import io.cfworkers.operator.api.v1alpha1.WorkerDeploymentStatus;
import io.cfworkers.operator.cloudflare.CloudflareRateLimitedException;
import io.cfworkers.operator.cloudflare.Deployment;
import io.cfworkers.operator.cloudflare.DeploymentVersion;
import io.cfworkers.operator.reconcile.ReconcileDecision.Create;
import io.cfworkers.operator.reconcile.ReconcileDecision.LookAgain;
import io.cfworkers.operator.reconcile.ReconcileDecision.Note;
import io.cfworkers.operator.rollout.RolloutAnnotations;
import io.cfworkers.operator.rollout.RolloutDecision;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The reconcile decisions, as pure functions from what is known to a {@link ReconcileDecision}.
 * Nothing here calls Cloudflare or Kubernetes, reads a clock or logs: {@link
 * WorkerDeploymentReconciler} observes, calls these, and applies what they return.
 */
public final class Decide {
  private Decide() {}

  /** Ready reasons that say the split is served. */
  static final Set<String> READY_REASONS =
      Set.of(Reasons.DEPLOYED, Reasons.ADOPTED, Reasons.DRIFT_CORRECTED);

  /**
   * What one reconciliation knows before it decides.
   *
   * @param previous the status as last written (may be null)
   * @param generation the spec's metadata.generation
   * @param desired the split to work towards
   * @param suspended spec.suspend
   * @param secretVersion resourceVersion of the credentials Secret (null before it is read)
   * @param now this reconciliation's time
   * @param inFlightWindow how long after its intent record a create call may still land
   * @param hold the reason of the break-glass hold (annotation {@code cfworkers.io/hold}), or null
   *     when not held
   * @param tagResolution what the spec's version tags resolved to, written with every status
   */
  public record Facts(
      WorkerDeploymentStatus previous,
      long generation,
      DesiredSplit desired,
      boolean suspended,
      String secretVersion,
      Instant now,
      Duration inFlightWindow,
      String hold,
      TagResolution tagResolution) {

    /** Facts of a resource that is not held, its tag resolution as previously written. */
    public Facts(
        WorkerDeploymentStatus previous,
        long generation,
        DesiredSplit desired,
        boolean suspended,
        String secretVersion,
        Instant now,
        Duration inFlightWindow) {
      this(
          previous,
          generation,
          desired,
          suspended,
          secretVersion,
          now,
          inFlightWindow,
          null,
          previous == null ? null : previous.getTagResolution());
    }

    /** The same facts, with the status as it is now (after a write). */
    public Facts withPrevious(WorkerDeploymentStatus status) {
      return new Facts(
          status,
          generation,
          desired,
          suspended,
          secretVersion,
          now,
          inFlightWindow,
          hold,
          tagResolution);
    }

    /** The same facts, for a suspended resource. */
    public Facts withSuspended() {
      return new Facts(
          previous,
          generation,
          desired,
          true,
          secretVersion,
          now,
          inFlightWindow,
          hold,
          tagResolution);
    }

    /** The same facts, working towards {@code split}. */
    public Facts withDesired(DesiredSplit split) {
      return new Facts(
          previous,
          generation,
          split,
          suspended,
          secretVersion,
          now,
          inFlightWindow,
          hold,
          tagResolution);
    }

    StatusBuilder next() {
      return StatusBuilder.from(previous).generation(generation).tagResolution(tagResolution);
    }

    PendingDeployment pending() {
      return previous == null ? null : previous.getPendingDeployment();
    }
  }

  /**
   * True when this reconciliation will probably create a deployment, so its read and its create
   * take their budget permits together: the spec changed since the last report (or nothing was
   * reported yet), or the split last seen live is not the one wanted. A read while a create call
   * may still land (an intent record without an answer) only waits, and a rollout under way serves
   * a step's split on purpose, so neither is a change.
   *
   * @param previous the status as last written (may be null)
   * @param desired the split to work towards
   */
  public static boolean changePending(
      WorkerDeploymentStatus previous, long generation, DesiredSplit desired) {
    if (previous == null || !Objects.equals(previous.getObservedGeneration(), generation)) {
      return true;
    }
    PendingDeployment pending = previous.getPendingDeployment();
    if (pending != null && pending.getDeploymentId() == null) {
      return false;
    }
    if (previous.getRollout() != null) {
      // A rollout under way serves a step's split on purpose; its plan creates only at a step's
      // end, so most of its observations are reads.
      return false;
    }
    List<VersionTraffic> live = previous.getVersions();
    return live == null
        || live.isEmpty()
        || !SplitDiff.sameSplit(
            desired.versions(),
            live.stream()
                .map(v -> new DeploymentVersion(v.getVersionId(), v.getPercentage()))
                .toList());
  }

  /** Cannot progress without a change by a human; everything observed before is kept. */
  public static ReconcileDecision stalled(Facts f, String reason, String message) {
    return stalled(f, reason, message, f.next(), false);
  }

  /**
   * After observing the script's deployments ({@code history}, newest first): in sync, suspended,
   * waiting for a call in flight, blocked by a create that was not observed, or create.
   */
  public static ReconcileDecision observed(Facts f, List<Deployment> history) {
    return withHoldNotes(f, observe(f, history));
  }

  private static ReconcileDecision observe(Facts f, List<Deployment> history) {
    Optional<Deployment> live = history.stream().findFirst();
    PendingDeployment pending = f.pending();
    if (live.isPresent() && SplitDiff.sameSplit(f.desired().versions(), live.get().versions())) {
      return inSync(f, live.get());
    }
    if (f.suspended() || f.hold() != null) {
      return suspended(f, live);
    }
    Optional<String> notObserved =
        Intent.notObserved(
            pending, f.generation(), f.secretVersion(), history, f.inFlightWindow(), f.now());
    if (notObserved.isPresent()) {
      String message =
          notObserved.get()
              + ". Not creating again for this generation until the spec or the Secret changes, or"
              + " someone else deploys";
      return stalled(f, Reasons.DEPLOYMENT_NOT_OBSERVED, message, f.next().live(live), true);
    }
    Optional<Duration> inFlight = Intent.inFlightFor(pending, live, f.inFlightWindow(), f.now());
    if (inFlight.isPresent()) {
      PendingDeployment kept = pending;
      if (Intent.unreadable(pending)) {
        // Fail closed: counted as in flight for a whole window from now, then settled as usual.
        kept = copy(pending);
        kept.setStartedAt(f.now().toString());
      }
      WorkerDeploymentStatus next =
          f.next()
              .live(live)
              .pending(kept)
              .conditions(
                  Conditions.State.reconciling(
                      Reasons.DEPLOYING,
                      "Waiting for the outcome of a create call whose answer was lost"),
                  f.generation(),
                  f.now())
              .build();
      return decision(f, next, Optional.empty(), List.of(), List.of(), after(inFlight.get()));
    }
    boolean drift = isDrift(f, live);
    PendingDeployment intent =
        Intent.record(f.generation(), f.desired(), live, f.secretVersion(), f.now());
    WorkerDeploymentStatus next =
        f.next()
            .pending(intent)
            .conditions(
                Conditions.State.reconciling(
                    Reasons.DEPLOYING, "Creating a deployment of " + f.desired().summary()),
                f.generation(),
                f.now())
            .build();
    return decision(
        f,
        next,
        Optional.of(new Create(f.desired(), drift)),
        List.of(),
        List.of(),
        LookAgain.poll());
  }

  /**
   * A version tag of the spec names no deployable version, or several: stalled, and the record of
   * what the tags resolved to goes. Observed again at the next poll, so a version uploaded later
   * with the tag is deployed without a change to the resource.
   */
  public static ReconcileDecision tagStalled(Facts f, String reason, String message) {
    return stalled(f, reason, message, f.next().tagResolution(null), true);
  }

  /**
   * After observing the script's deployments, with a rollout in charge ({@code plan.status()} not
   * null): the rollout's split is created at most once (through the intent record, which knows its
   * step), and the rollout's status, conditions and events are reported.
   */
  public static ReconcileDecision rollout(Facts f, List<Deployment> history, RolloutDecision plan) {
    return withHoldNotes(f, rolloutStep(f, history, plan));
  }

  private static ReconcileDecision rolloutStep(
      Facts f, List<Deployment> history, RolloutDecision plan) {
    Optional<Deployment> live = history.stream().findFirst();
    PendingDeployment pending = f.pending();
    Conditions.State state = state(plan.condition());
    List<Note> events = new ArrayList<>(notes(plan));
    List<String> counters = new ArrayList<>();
    Optional<Duration> inFlight = Intent.inFlightFor(pending, live, f.inFlightWindow(), f.now());
    if (pending != null && pending.getDeploymentId() == null && Intent.landed(pending, live)) {
      // Our create call landed although its answer was lost.
      counters.add(ReconcileDecision.CREATED);
      events.add(
          0,
          Note.normal(Reasons.DEPLOYED, "Created deployment " + live.get().id() + " (confirmed)"));
    }
    if (plan.create().isEmpty()) {
      WorkerDeploymentStatus next =
          f.next()
              .live(live)
              .pending(inFlight.isPresent() ? pending : null)
              .rollout(plan.status())
              .conditions(state, f.generation(), f.now())
              .build();
      LookAgain lookAgain =
          inFlight.isPresent()
              ? after(inFlight.get())
              : plan.lookAgainAfter().map(LookAgain::after).orElse(LookAgain.poll());
      return decision(f, next, Optional.empty(), events, counters, lookAgain);
    }
    RolloutDecision.Create wanted = plan.create().get();
    DesiredSplit split =
        new DesiredSplit(wanted.versions(), wanted.step() > 0 ? wanted.step() : null);
    Facts g = f.withDesired(split);
    if (inFlight.isPresent()) {
      // A create call (of this step or an earlier one) may still land: nobody sends another
      // until it has settled, so two calls cannot land out of order.
      WorkerDeploymentStatus next =
          g.next()
              .live(live)
              .pending(Intent.unreadable(pending) ? restarted(pending, f.now()) : pending)
              .rollout(plan.status())
              .conditions(state, f.generation(), f.now())
              .build();
      return decision(g, next, Optional.empty(), events, counters, after(inFlight.get()));
    }
    if (pending != null && sameVersions(pending.getVersions(), split.versions())) {
      // The same split was asked for before: if Cloudflare took it but serves something else,
      // asking again would loop.
      Optional<String> notObserved =
          Intent.notObserved(
              pending, f.generation(), f.secretVersion(), history, f.inFlightWindow(), f.now());
      if (notObserved.isPresent()) {
        String message =
            notObserved.get()
                + ". Not creating again for this generation until the spec or the Secret changes,"
                + " or someone else deploys";
        return stalled(
            g,
            Reasons.DEPLOYMENT_NOT_OBSERVED,
            message,
            g.next().live(live).rollout(plan.status()),
            true);
      }
    }
    PendingDeployment intent =
        Intent.record(f.generation(), split, live, f.secretVersion(), f.now());
    WorkerDeploymentStatus next =
        g.next()
            .pending(intent)
            .rollout(plan.status())
            .conditions(state, f.generation(), f.now())
            .build();
    return decision(
        g, next, Optional.of(new Create(split, false)), events, counters, LookAgain.poll());
  }

  /**
   * Cloudflare answered a rollout's create call with {@code created}: recorded in the intent record
   * and as live; the rollout's conditions stand until the next observation (at once) sees the split
   * live and the plan moves on.
   */
  public static ReconcileDecision rolloutCreated(Facts f, Deployment created) {
    PendingDeployment record = copy(f.pending());
    if (record == null) {
      record =
          Intent.record(f.generation(), f.desired(), Optional.empty(), f.secretVersion(), f.now());
    }
    record.setDeploymentId(created.id());
    WorkerDeploymentStatus next = f.next().live(Optional.of(created)).pending(record).build();
    String step = f.desired().step() == null ? "" : " (rollout step " + f.desired().step() + ")";
    return decision(
        f,
        next,
        Optional.empty(),
        List.of(Note.normal(Reasons.DEPLOYED, createdMessage(false, created) + step)),
        List.of(ReconcileDecision.CREATED),
        LookAgain.after(Duration.ZERO));
  }

  /**
   * No rollout applies ({@code plan.status()} is null): the observation is decided as without a
   * rollout, {@code status.rollout} goes, and the plan's events (e.g. RolloutRemoved) are kept.
   */
  public static ReconcileDecision withoutRollout(
      Facts f, List<Deployment> history, RolloutDecision plan) {
    ReconcileDecision d = observed(f, history);
    WorkerDeploymentStatus next = StatusBuilder.from(d.status()).rollout(null).build();
    List<Note> events = new ArrayList<>(notes(plan));
    events.addAll(d.events());
    return new ReconcileDecision(
        next, d.create(), events, d.counters(), d.lookAgain(), d.intentGoes());
  }

  /** The conditions a rollout's plan reports. */
  static Conditions.State state(RolloutDecision.RolloutCondition c) {
    return new Conditions.State(c.ready(), c.reconciling(), c.stalled(), c.reason(), c.message());
  }

  private static List<Note> notes(RolloutDecision plan) {
    return plan.events().stream()
        .map(
            e ->
                RolloutDecision.RolloutEvent.WARNING.equals(e.type())
                    ? Note.warning(e.reason(), e.message())
                    : Note.normal(e.reason(), e.message()))
        .toList();
  }

  /**
   * The hold's Events: one when it is first reported (the previous status did not say Held), one
   * when it is gone.
   */
  static ReconcileDecision withHoldNotes(Facts f, ReconcileDecision d) {
    boolean wasHeld = heldIn(f.previous());
    boolean held = f.hold() != null;
    if (wasHeld == held) {
      return d;
    }
    List<Note> events = new ArrayList<>(d.events());
    if (held) {
      events.add(
          0,
          Note.warning(
              Reasons.HELD,
              "Held ("
                  + RolloutAnnotations.HOLD
                  + ": "
                  + f.hold()
                  + "): observing and reporting only; nothing is deployed or restored until the"
                  + " annotation is removed"));
    } else {
      events.add(
          0,
          Note.normal(
              Reasons.HOLD_RELEASED,
              RolloutAnnotations.HOLD + " removed: deploying the declared state again"));
    }
    return new ReconcileDecision(
        d.status(), d.create(), events, d.counters(), d.lookAgain(), d.intentGoes());
  }

  private static boolean heldIn(WorkerDeploymentStatus s) {
    return s != null
        && s.getConditions() != null
        && s.getConditions().stream().anyMatch(c -> Reasons.HELD.equals(c.getReason()));
  }

  private static boolean sameVersions(List<VersionTraffic> a, List<VersionTraffic> b) {
    return a != null
        && SplitDiff.sameSplit(
            a,
            b.stream()
                .map(v -> new DeploymentVersion(v.getVersionId(), v.getPercentage()))
                .toList());
  }

  private static PendingDeployment restarted(PendingDeployment pending, Instant now) {
    PendingDeployment kept = copy(pending);
    kept.setStartedAt(now.toString());
    return kept;
  }

  /**
   * Cloudflare answered the create call with {@code created}: Ready, trusting the answer, with the
   * intent record keeping the answer's id. No observation follows at once (it would cost a second
   * read per change); the next poll confirms it: {@link #observed} then drops the record when the
   * deployment is live with the split asked for, and reports Stalled/DeploymentNotObserved when it
   * is not.
   */
  public static ReconcileDecision created(Facts f, Deployment created, boolean drift) {
    String reason = drift ? Reasons.DRIFT_CORRECTED : Reasons.DEPLOYED;
    String message = createdMessage(drift, created);
    PendingDeployment record = copy(f.pending());
    if (record == null) {
      record =
          Intent.record(f.generation(), f.desired(), Optional.empty(), f.secretVersion(), f.now());
    }
    record.setDeploymentId(created.id());
    WorkerDeploymentStatus next =
        f.next()
            .live(Optional.of(created))
            .pending(record)
            .conditions(Conditions.State.ready(reason, message), f.generation(), f.now())
            .build();
    List<String> counters = new ArrayList<>(List.of(ReconcileDecision.CREATED));
    if (drift) {
      counters.add(ReconcileDecision.DRIFT_CORRECTED);
    }
    return decision(
        f,
        next,
        Optional.empty(),
        List.of(Note.normal(reason, message)),
        counters,
        LookAgain.poll());
  }

  /** Cloudflare refused the create call: nothing was created, so the intent record goes. */
  public static ReconcileDecision createRejected(Facts f, String reason, String message) {
    return stalled(f, reason, message, f.next().pending(null), false);
  }

  /**
   * No call was made, or Cloudflare answered 429. {@code createRefused}: the refused call was the
   * create, whose intent record goes.
   */
  public static ReconcileDecision rateLimited(
      Facts f, CloudflareRateLimitedException e, boolean createRefused) {
    Duration wait = e.retryAfter().isNegative() ? Duration.ZERO : e.retryAfter();
    LookAgain retry = LookAgain.afterSpread(wait);
    if (!createRefused && readyAtGeneration(f)) {
      // Nothing was observed, so the last report stands: a Ready resource stays Ready and its
      // status is not rewritten. When many resources share a token most throttled attempts are
      // resyncs; writing each would multiply status writes (see docs/benchmark.md).
      return decision(f, f.next().build(), Optional.empty(), List.of(), List.of(), retry);
    }
    String message =
        e.fromCloudflare()
            ? "Cloudflare rate-limited the credential; next attempt after its Retry-After"
            : "The credential's client-side request budget is spent; next attempt when it refills";
    StatusBuilder next = f.next();
    if (createRefused) {
      next.pending(null);
    }
    next.conditionsKeepingReady(
        Conditions.State.reconciling(Reasons.RATE_LIMITED, message), f.generation(), f.now());
    return decision(f, next.build(), Optional.empty(), List.of(), List.of(), retry);
  }

  /**
   * Nothing was sent: the change's calls are reserved at a later slice of its credential's budget,
   * due in {@code wait}. A wait in the queue, not a failure: the status stays as it was (no write,
   * so many changes queued on one token cost no status writes), and the resource is looked at again
   * when its calls are due, even if that is beyond the poll interval: its read then observes what a
   * poll would, and looking earlier would only find the reservation not due yet.
   */
  public static ReconcileDecision waitForReservedBudget(Facts f, Duration wait) {
    WorkerDeploymentStatus unchanged =
        f.previous() == null ? new WorkerDeploymentStatus() : f.previous();
    return decision(
        f,
        unchanged,
        Optional.empty(),
        List.of(),
        List.of(),
        LookAgain.whenDue(wait.isNegative() ? Duration.ZERO : wait));
  }

  /**
   * Cloudflare did not answer usably (5xx, timeout, unreadable answer): retried with back-off. An
   * intent record stays: a create's outcome is unknown.
   */
  public static ReconcileDecision unavailable(Facts f, String message) {
    WorkerDeploymentStatus next =
        f.next()
            .conditionsKeepingReady(
                Conditions.State.reconciling(Reasons.API_UNAVAILABLE, message),
                f.generation(),
                f.now())
            .build();
    return decision(f, next, Optional.empty(), List.of(), List.of(), LookAgain.retry());
  }

  /** A failure nobody planned for (a bug, an answer the client let through): reported, retried. */
  public static ReconcileDecision internalError(Facts f, String message) {
    WorkerDeploymentStatus next =
        f.next()
            .conditions(
                Conditions.State.reconciling(Reasons.INTERNAL_ERROR, message),
                f.generation(),
                f.now())
            .build();
    return decision(f, next, Optional.empty(), List.of(), List.of(), LookAgain.retry());
  }

  // --- the observation's outcomes -------------------------------------------------------------

  private static ReconcileDecision inSync(Facts f, Deployment live) {
    WorkerDeploymentStatus previous = f.previous();
    PendingDeployment pending = f.pending();
    Optional<Duration> inFlight =
        Intent.inFlightFor(pending, Optional.of(live), f.inFlightWindow(), f.now());
    List<Note> events = new ArrayList<>();
    List<String> counters = new ArrayList<>();
    String reason;
    String message;
    if (pending != null && live.id().equals(pending.getDeploymentId())) {
      // The create's answer, now seen live.
      reason =
          Conditions.find(conditions(previous), Conditions.READY)
              .map(c -> c.getReason())
              .filter(Reasons.DRIFT_CORRECTED::equals)
              .or(
                  () ->
                      Conditions.find(conditions(previous), Conditions.RECONCILING)
                          .map(c -> c.getReason())
                          .filter(Reasons.DRIFT_CORRECTED::equals))
              .orElse(Reasons.DEPLOYED);
      message = createdMessage(Reasons.DRIFT_CORRECTED.equals(reason), live);
    } else if (pending != null
        && pending.getDeploymentId() == null
        && Intent.landed(pending, Optional.of(live))) {
      // Our create call landed although its answer was lost.
      reason = Reasons.DEPLOYED;
      message = serves(live);
      counters.add(ReconcileDecision.CREATED);
      events.add(Note.normal(reason, "Created deployment " + live.id() + " (confirmed)"));
    } else if (previous != null && Objects.equals(live.id(), previous.getDeploymentId())) {
      // Already reported: keep the reason it was reported with.
      Optional<io.fabric8.kubernetes.api.model.Condition> ready =
          Conditions.find(previous.getConditions(), Conditions.READY)
              .filter(c -> READY_REASONS.contains(c.getReason()));
      reason = ready.map(c -> c.getReason()).orElse(Reasons.DEPLOYED);
      message = ready.map(c -> c.getMessage()).orElse(serves(live));
    } else {
      reason = Reasons.ADOPTED;
      message =
          "Adopted deployment "
              + live.id()
              + " (source "
              + live.source()
              + "), which already serves "
              + summary(live);
      events.add(Note.normal(reason, message));
    }
    if (f.hold() != null) {
      reason = Reasons.HELD;
      message = holdMessage(f) + "; " + serves(live) + " as declared";
    }
    WorkerDeploymentStatus next =
        f.next()
            .live(Optional.of(live))
            .pending(inFlight.isPresent() ? pending : null)
            .conditions(Conditions.State.ready(reason, message), f.generation(), f.now())
            .build();
    // A create call that may still land is watched until it settles.
    LookAgain lookAgain = inFlight.isPresent() ? after(inFlight.get()) : LookAgain.poll();
    return decision(f, next, Optional.empty(), events, counters, lookAgain);
  }

  private static ReconcileDecision suspended(Facts f, Optional<Deployment> live) {
    boolean held = f.hold() != null;
    String message =
        (held ? holdMessage(f) + ": Cloudflare serves " : "Suspended: Cloudflare serves ")
            + live.map(Decide::summary).orElse("no deployment")
            + ", the spec declares "
            + f.desired().summary()
            + (held
                ? "; no deployment is created or restored while the hold is present"
                : "; no deployment is created while spec.suspend is true");
    List<Note> events =
        isForeign(f, live)
            ? List.of(
                Note.warning(
                    Reasons.DRIFT_DETECTED,
                    "Live deployment "
                        + live.get().id()
                        + (held
                            ? " differs from the spec; held, not restored"
                            : " differs from the spec; suspended, not restored")))
            : List.of();
    WorkerDeploymentStatus next =
        f.next()
            .live(live)
            .conditions(
                Conditions.State.idle(held ? Reasons.HELD : Reasons.SUSPENDED, message),
                f.generation(),
                f.now())
            .build();
    return decision(f, next, Optional.empty(), events, List.of(), LookAgain.poll());
  }

  private static String holdMessage(Facts f) {
    return "Held (" + RolloutAnnotations.HOLD + ": " + f.hold() + "): observing only";
  }

  private static ReconcileDecision stalled(
      Facts f, String reason, String message, StatusBuilder next, boolean keepObserving) {
    boolean changed =
        !Conditions.find(conditions(f.previous()), Conditions.STALLED)
            .map(c -> "True".equals(c.getStatus()) && reason.equals(c.getReason()))
            .orElse(false);
    WorkerDeploymentStatus status =
        next.conditions(Conditions.State.stalled(reason, message), f.generation(), f.now()).build();
    return decision(
        f,
        status,
        Optional.empty(),
        changed ? List.of(Note.warning(reason, message)) : List.of(),
        List.of(),
        keepObserving ? LookAgain.poll() : LookAgain.onChange());
  }

  // --- helpers ----------------------------------------------------------------------------------

  private static ReconcileDecision decision(
      Facts f,
      WorkerDeploymentStatus next,
      Optional<Create> create,
      List<Note> events,
      List<String> counters,
      LookAgain lookAgain) {
    boolean intentGoes = f.pending() != null && next.getPendingDeployment() == null;
    return new ReconcileDecision(next, create, events, counters, lookAgain, intentGoes);
  }

  private static LookAgain after(Duration wait) {
    return LookAgain.after(wait);
  }

  private static boolean readyAtGeneration(Facts f) {
    return f.previous() != null
        && Objects.equals(f.previous().getObservedGeneration(), f.generation())
        && Conditions.isTrue(f.previous().getConditions(), Conditions.READY);
  }

  /**
   * Cloudflare serves a deployment that neither this operator reported nor its own create call
   * made: someone else deployed behind its back.
   */
  private static boolean isForeign(Facts f, Optional<Deployment> live) {
    WorkerDeploymentStatus s = f.previous();
    return s != null
        && live.isPresent()
        && s.getDeploymentId() != null
        && !Objects.equals(live.get().id(), s.getDeploymentId())
        && !Intent.landed(s.getPendingDeployment(), live);
  }

  /** Drift: someone else deployed while the spec stayed as the operator last reported it. */
  static boolean isDrift(Facts f, Optional<Deployment> live) {
    Long observed = f.previous() == null ? null : f.previous().getObservedGeneration();
    return isForeign(f, live) && observed != null && observed == f.generation();
  }

  private static String createdMessage(boolean drift, Deployment created) {
    return (drift ? "Restored the declared split: created deployment " : "Created deployment ")
        + created.id()
        + " serving "
        + summary(created);
  }

  private static List<io.fabric8.kubernetes.api.model.Condition> conditions(
      WorkerDeploymentStatus s) {
    return s == null ? null : s.getConditions();
  }

  private static PendingDeployment copy(PendingDeployment p) {
    return StatusBuilder.copy(p);
  }

  static String serves(Deployment live) {
    return "Deployment " + live.id() + " serves " + summary(live);
  }

  static String summary(Deployment d) {
    return DesiredDeployment.summary(StatusBuilder.versions(d));
  }
}
