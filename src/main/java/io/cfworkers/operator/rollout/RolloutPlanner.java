package io.cfworkers.operator.rollout;

import static io.cfworkers.operator.api.v1alpha1.RolloutStatus.ABORTED;
import static io.cfworkers.operator.api.v1alpha1.RolloutStatus.COMPLETED;
import static io.cfworkers.operator.api.v1alpha1.RolloutStatus.PAUSED;
import static io.cfworkers.operator.api.v1alpha1.RolloutStatus.PROGRESSING;

import io.cfworkers.operator.api.v1alpha1.AnalysisStatus;
import io.cfworkers.operator.api.v1alpha1.RolloutPause;
import io.cfworkers.operator.api.v1alpha1.RolloutStatus;
import io.cfworkers.operator.api.v1alpha1.RolloutStep;
import io.cfworkers.operator.api.v1alpha1.VersionTraffic;
import io.cfworkers.operator.rollout.RolloutDecision.Create;
import io.cfworkers.operator.rollout.RolloutDecision.Purpose;
import io.cfworkers.operator.rollout.RolloutDecision.RolloutCondition;
import io.cfworkers.operator.rollout.RolloutDecision.RolloutEvent;
import io.cfworkers.operator.rollout.analysis.AnalysisDecision;
import io.cfworkers.operator.rollout.analysis.AnalysisRules;
import io.cfworkers.operator.rollout.analysis.AnalysisSettings;
import io.cfworkers.operator.rollout.analysis.AnalysisWindow;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A progressive rollout as a pure function: {@code plan(input) → decision}. It never calls
 * Cloudflare, never reads a clock and keeps nothing between calls; everything it needs is in the
 * input (spec, previous {@code status.rollout}, the live split, annotations, now), so a new process
 * continues a rollout where status says it is. The state machine is documented in docs/rollouts.md.
 *
 * <p>Contract with the caller: call it whenever the spec's target is resolved and the live split is
 * observed, also when {@code spec.rollout} is absent (the plan then says "no rollout" and how to
 * reach the target directly). Create {@link RolloutDecision#create()} at most once (the intent
 * record), write {@link RolloutDecision#status()}, report the condition, emit the events, and
 * requeue after {@link RolloutDecision#lookAgainAfter()}. A break-glass hold is read from the
 * annotations; the caller passes {@code spec.suspend}.
 */
public final class RolloutPlanner {
  /** Two splits match when every version's share is within this of the other's (as wrangler). */
  static final double TOLERANCE = 0.001;

  private RolloutPlanner() {}

  /** The decision for {@code in}. Pure and deterministic. */
  public static RolloutDecision plan(RolloutInput in) {
    return new Plan(in).decide();
  }

  /**
   * Whether the plan for {@code in} would ask for a measurement, as far as {@code in.previous()}
   * tells without a new observation: a step under analysis held live, no request to handle, no wait
   * for a person, and a window due. Lets the caller put off an observation that would end in a
   * query it cannot send now (the analytics budget spent) rather than spend a REST call on it.
   */
  public static boolean measurementDue(RolloutInput in) {
    RolloutStatus r = in.previous();
    if (in.rollout() == null
        || in.rollout().getAnalysis() == null
        || r == null
        || in.suspended()
        || in.annotation(RolloutAnnotations.HOLD) != null
        || !PAUSED.equals(r.getPhase())
        || r.getStepStartedAt() == null
        || r.getProgressingSince() != null
        || r.fullPromotionRequested()) {
      return false;
    }
    Requests requests = new Requests(in);
    if (requests.promote(r) || requests.promoteFull(r) || requests.abort(r) || requests.retry(r)) {
      return false;
    }
    AnalysisSettings settings = AnalysisSettings.of(in.rollout().getAnalysis());
    Instant started = Instant.parse(r.getStepStartedAt());
    AnalysisStatus a =
        AnalysisRules.belongsToStep(r.getAnalysis(), started) ? r.getAnalysis() : null;
    if (a != null
        && (value(a.getConsecutiveInconclusive()) >= AnalysisRules.HALT_AFTER_CONSECUTIVE
            || value(a.getConsecutiveErrors()) >= AnalysisRules.HALT_AFTER_CONSECUTIVE
            || value(a.getFailed()) > settings.failureLimit())) {
      return false;
    }
    return AnalysisRules.plan(in.now(), started, a, settings) instanceof AnalysisWindow.Due;
  }

  /** One plan's working state: the status being built and the events so far. */
  private static final class Plan {
    private final RolloutInput in;
    private final List<RolloutEvent> events = new ArrayList<>();
    private final Requests requests;
    private List<RolloutStep> steps;
    private RolloutStatus s;

    /** spec.rollout.analysis read, or null when the rollout has no analysis. */
    private AnalysisSettings analysis;

    Plan(RolloutInput in) {
      this.in = in;
      this.requests = new Requests(in);
    }

    RolloutDecision decide() {
      RolloutStatus previous = in.previous();
      List<VersionTraffic> target = List.of(traffic(in.targetVersionId(), 100));
      if (in.rollout() == null) {
        if (inProgress(previous)) {
          events.add(
              RolloutEvent.normal(
                  RolloutReasons.REMOVED,
                  "spec.rollout removed at step "
                      + previous.getStep()
                      + "/"
                      + previous.getSteps()
                      + ": going straight to "
                      + shortId(in.targetVersionId())
                      + "@100"));
        }
        return direct(frozen() ? null : target);
      }
      steps = in.rollout().getSteps() == null ? List.of() : in.rollout().getSteps();
      if (steps.isEmpty()) {
        throw new IllegalArgumentException("spec.rollout.steps: must have 1 to 10 steps");
      }
      if (in.rollout().getAnalysis() != null) {
        analysis = AnalysisSettings.of(in.rollout().getAnalysis());
      }
      if (frozen()) {
        return freeze();
      }
      if (in.live() == null || in.live().isEmpty()) {
        return direct(target);
      }
      if (previous == null
          || !Objects.equals(previous.getCanaryVersionId(), in.targetVersionId())) {
        return start();
      }
      s = new RolloutStatus(previous);
      s.setSteps(steps.size());
      s.setWeight(canaryWeightLive());
      return switch (String.valueOf(previous.getPhase())) {
        case ABORTED -> aborted();
        case COMPLETED -> completed();
        default -> progress();
      };
    }

    // --- no rollout, frozen, start -----------------------------------------------------------

    private RolloutDecision direct(List<VersionTraffic> split) {
      Optional<Create> create =
          split == null || matches(in.live(), split)
              ? Optional.empty()
              : Optional.of(new Create(split, 0, Purpose.DIRECT));
      return new RolloutDecision(create, null, null, events, Optional.empty());
    }

    private boolean frozen() {
      return in.suspended() || in.annotation(RolloutAnnotations.HOLD) != null;
    }

    /** Suspended or held: nothing is created, no step advances, requests wait, no deadline. */
    private RolloutDecision freeze() {
      String hold = in.annotation(RolloutAnnotations.HOLD);
      RolloutCondition condition =
          hold != null
              ? RolloutCondition.idle(
                  RolloutReasons.HELD,
                  "Held (" + RolloutAnnotations.HOLD + ": " + hold + "): observing only")
              : RolloutCondition.idle(
                  RolloutReasons.SUSPENDED, "spec.suspend is true: observing only");
      if (in.previous() == null) {
        return new RolloutDecision(Optional.empty(), null, condition, events, Optional.empty());
      }
      s = new RolloutStatus(in.previous());
      if (in.live() != null) {
        s.setWeight(canaryWeightLive());
      }
      // The deadline clock restarts when the freeze ends: frozen time never counts.
      s.setProgressingSince(null);
      return new RolloutDecision(Optional.empty(), s, condition, events, Optional.empty());
    }

    private RolloutDecision start() {
      RolloutStatus previous = in.previous();
      String canary = in.targetVersionId();
      boolean midRollout = inProgress(previous) && previous.getStableVersionId() != null;
      String stable = midRollout ? previous.getStableVersionId() : mostTraffic(in.live());
      s = new RolloutStatus();
      s.setCanaryVersionId(canary);
      s.setStableVersionId(stable);
      s.setSteps(steps.size());
      s.setStep(1);
      s.setWeight(canaryWeightLive());
      requests.absorbAll(s, previous);
      if (matches(in.live(), List.of(traffic(canary, 100)))) {
        // Nothing to roll out: the target already serves everything.
        s.setStableVersionId(midRollout ? stable : null);
        s.setStep(steps.size());
        return complete("Completed: " + shortId(canary) + " already serves 100%", false);
      }
      if (canary.equals(stable)) {
        // Rolling back to the stable version, or the target already serves most traffic: no steps.
        events.add(
            RolloutEvent.normal(
                RolloutReasons.STRAIGHT_TO_TARGET,
                shortId(canary)
                    + " is the stable version: going straight to "
                    + shortId(canary)
                    + "@100 without steps"));
        return direct(List.of(traffic(canary, 100)));
      }
      events.add(
          midRollout
              ? RolloutEvent.normal(
                  RolloutReasons.RESTARTED,
                  "New target "
                      + shortId(canary)
                      + ": rollout of "
                      + shortId(previous.getCanaryVersionId())
                      + " dropped, restarting from stable "
                      + shortId(stable))
              : RolloutEvent.normal(
                  RolloutReasons.STARTED,
                  "Rolling out "
                      + shortId(canary)
                      + " from stable "
                      + shortId(stable)
                      + " in "
                      + steps.size()
                      + (steps.size() == 1 ? " step" : " steps")));
      enterStep();
      return evaluate();
    }

    // --- the phases ----------------------------------------------------------------------------

    private RolloutDecision aborted() {
      if (requests.retry(s)) {
        s.setLastHandledRetry(requests.value(RolloutAnnotations.RETRY));
        requests.recordIgnored(this, s, "a retry was requested too");
        s.setAbortReason(null);
        s.setStep(1);
        events.add(
            RolloutEvent.normal(
                RolloutReasons.RETRIED,
                "Retry requested: restarting the rollout of "
                    + shortId(s.getCanaryVersionId())
                    + " at step 1/"
                    + steps.size()));
        enterStep();
        return evaluate();
      }
      requests.recordIgnored(this, s, "the rollout is aborted; retry it first");
      return abortedDecision();
    }

    private RolloutDecision completed() {
      requests.recordIgnored(this, s, "the rollout is complete");
      s.setStep(steps.size());
      List<VersionTraffic> full = List.of(traffic(s.getCanaryVersionId(), 100));
      if (matches(in.live(), full)) {
        s.setProgressingSince(null);
        return new RolloutDecision(
            Optional.empty(),
            s,
            RolloutCondition.ready(RolloutReasons.ROLLED_OUT, s.getMessage()),
            events,
            Optional.empty());
      }
      if (s.getProgressingSince() == null) {
        s.setProgressingSince(in.now().toString());
        events.add(
            RolloutEvent.warning(
                RolloutReasons.DRIFT_DETECTED,
                "Cloudflare serves "
                    + describe(in.live())
                    + " instead of "
                    + describe(full)
                    + ": restoring it"));
      }
      return new RolloutDecision(
          Optional.of(new Create(full, steps.size(), Purpose.FULL)),
          s,
          RolloutCondition.reconciling(
              RolloutReasons.PROGRESSING, "Completed, but drifted: restoring " + describe(full)),
          events,
          Optional.empty());
    }

    private RolloutDecision progress() {
      int step = Math.max(1, Math.min(value(s.getStep()), steps.size()));
      if (step != value(s.getStep())) {
        s.setStep(step);
        s.setStepStartedAt(null);
        s.setPausedUntil(null);
        events.add(
            RolloutEvent.normal(
                RolloutReasons.STEP_EDITED,
                "spec.rollout.steps changed: continuing at step " + step + "/" + steps.size()));
      } else if (!s.fullPromotionRequested()
          && s.getStepStartedAt() != null
          && s.getProgressingSince() == null
          && in.previous().getWeight() != null
          && !same(in.previous().getWeight(), stepWeight())) {
        // The step was live at its old weight: its weight was edited, so the step starts over.
        s.setStepStartedAt(null);
        s.setPausedUntil(null);
        events.add(
            RolloutEvent.normal(
                RolloutReasons.STEP_EDITED,
                "spec.rollout.steps changed: step "
                    + step
                    + "/"
                    + steps.size()
                    + " now wants "
                    + pct(stepWeight())
                    + "%"));
      }
      if (requests.abort(s)) {
        s.setLastHandledAbort(requests.value(RolloutAnnotations.ABORT));
        requests.recordIgnored(this, s, "the rollout is being aborted");
        return abort(RolloutStatus.ABORT_MANUAL);
      }
      if (requests.retry(s)) {
        s.setLastHandledRetry(requests.value(RolloutAnnotations.RETRY));
        ignored("retry", "the rollout is not aborted");
      }
      if (requests.promoteFull(s)) {
        s.setLastHandledPromoteFull(requests.value(RolloutAnnotations.PROMOTE_FULL));
        if (requests.promote(s)) {
          s.setLastHandledPromote(requests.value(RolloutAnnotations.PROMOTE));
          ignored("promote", "promote-full was requested too");
        }
        if (!s.fullPromotionRequested()) {
          events.add(
              RolloutEvent.normal(
                  RolloutReasons.PROMOTED_FULL,
                  "Promote-full requested at step "
                      + s.getStep()
                      + "/"
                      + steps.size()
                      + ": going to "
                      + shortId(s.getCanaryVersionId())
                      + "@100"));
          s.setFullPromotion(true);
          enterStep();
        }
      } else if (requests.promote(s)) {
        s.setLastHandledPromote(requests.value(RolloutAnnotations.PROMOTE));
        if (s.fullPromotionRequested()) {
          ignored("promote", "the rollout is already going to 100%");
        } else {
          events.add(
              RolloutEvent.normal(
                  RolloutReasons.PROMOTED,
                  "Promote requested: step " + s.getStep() + "/" + steps.size() + " ended"));
          advance();
        }
      }
      return evaluate();
    }

    // --- stepping -------------------------------------------------------------------------------

    /** The current step (or the full promotion) begins: its split is not live yet. */
    private void enterStep() {
      s.setPhase(PROGRESSING);
      s.setStepStartedAt(null);
      s.setPausedUntil(null);
      s.setProgressingSince(null);
      if (s.fullPromotionRequested()) {
        events.add(
            RolloutEvent.normal(
                RolloutReasons.STEP_STARTED,
                "Promoting: "
                    + describe(wanted())
                    + " (step "
                    + s.getStep()
                    + "/"
                    + steps.size()
                    + " done)"));
      } else {
        events.add(
            RolloutEvent.normal(
                RolloutReasons.STEP_STARTED,
                "Step " + s.getStep() + "/" + steps.size() + " started: " + describe(wanted())));
      }
    }

    private void advance() {
      if (value(s.getStep()) < steps.size()) {
        s.setStep(value(s.getStep()) + 1);
      } else {
        s.setFullPromotion(true);
      }
      enterStep();
    }

    /** Drives the current step: wait for its split, hold its pause, or move on. */
    private RolloutDecision evaluate() {
      while (true) {
        List<VersionTraffic> wanted = wanted();
        if (!matches(in.live(), wanted)) {
          return waitForSplit(wanted);
        }
        s.setProgressingSince(null);
        boolean justLive = s.getStepStartedAt() == null;
        if (justLive) {
          s.setStepStartedAt(in.now().toString());
        }
        if (s.fullPromotionRequested()) {
          s.setStep(steps.size());
          return complete(
              "Completed: " + shortId(s.getCanaryVersionId()) + " serves 100%", justLive);
        }
        if (justLive) {
          events.add(
              RolloutEvent.normal(
                  RolloutReasons.STEP_LIVE,
                  "Step " + s.getStep() + "/" + steps.size() + " is live: " + describe(wanted)));
        }
        RolloutPause pause = steps.get(s.getStep() - 1).getPause();
        if (analysis != null) {
          Optional<RolloutDecision> held = analyse(pause, justLive);
          if (held.isPresent()) {
            return held.get();
          }
          advance();
          continue;
        }
        if (pause == null) {
          advance();
          continue;
        }
        String label = label();
        if (pause.getDuration() == null) {
          s.setPhase(PAUSED);
          s.setPausedUntil(null);
          s.setMessage(label + ": waiting for promote");
          if (justLive) {
            events.add(
                RolloutEvent.normal(
                    RolloutReasons.WAITING_FOR_PROMOTION,
                    label
                        + ": waiting for promote (kubectl annotate --overwrite "
                        + RolloutAnnotations.PROMOTE
                        + "=<new value>)"));
          }
          return new RolloutDecision(
              Optional.empty(),
              s,
              RolloutCondition.reconciling(RolloutReasons.WAITING_FOR_PROMOTION, s.getMessage()),
              events,
              Optional.empty());
        }
        Duration length =
            RolloutDurations.parse(
                pause.getDuration(),
                "spec.rollout.steps[" + (s.getStep() - 1) + "].pause.duration");
        Instant until = Instant.parse(s.getStepStartedAt()).plus(length);
        if (!in.now().isBefore(until)) {
          advance();
          continue;
        }
        s.setPhase(PAUSED);
        s.setPausedUntil(until.toString());
        s.setMessage(label + ": paused until " + until);
        if (justLive) {
          events.add(
              RolloutEvent.normal(
                  RolloutReasons.PAUSED,
                  label + ": paused for " + pause.getDuration() + ", until " + until));
        }
        return new RolloutDecision(
            Optional.empty(),
            s,
            RolloutCondition.reconciling(RolloutReasons.PAUSED, s.getMessage()),
            events,
            Optional.of(Duration.between(in.now(), until)));
      }
    }

    private String label() {
      return "Step " + s.getStep() + "/" + steps.size() + " (" + pct(stepWeight()) + "%)";
    }

    /**
     * A live step under analysis: held until {@link AnalysisRules#decide} lets it go (its pause
     * over and a successful measurement), aborted on too many failed measurements, waiting for a
     * human on inconclusive measurements or failed queries in a row. Asks for a measurement when
     * one is due. Empty: the step may end.
     */
    private Optional<RolloutDecision> analyse(RolloutPause pause, boolean justLive) {
      Instant started = Instant.parse(s.getStepStartedAt());
      if (!AnalysisRules.belongsToStep(s.getAnalysis(), started)) {
        // The counts belong to one step: this one starts from zero.
        AnalysisStatus fresh = new AnalysisStatus();
        fresh.setStepStartedAt(started.toString());
        s.setAnalysis(fresh);
      }
      Instant until = null;
      if (pause != null && pause.getDuration() != null) {
        until =
            started.plus(
                RolloutDurations.parse(
                    pause.getDuration(),
                    "spec.rollout.steps[" + (s.getStep() - 1) + "].pause.duration"));
      }
      boolean promoteOnly = pause != null && pause.getDuration() == null;
      boolean pauseOver = pause == null || (until != null && !in.now().isBefore(until));
      String label = label();
      if (justLive) {
        events.add(
            RolloutEvent.normal(
                RolloutReasons.PAUSED,
                label
                    + ": analysing "
                    + shortId(s.getCanaryVersionId())
                    + (promoteOnly
                        ? " until a promote"
                        : until == null ? "" : ", paused for " + pause.getDuration())));
      }
      boolean measuredNow = measuredAt(in.now());
      AnalysisDecision verdict =
          AnalysisRules.decide(s.getAnalysis(), started, pauseOver, analysis);
      if (verdict instanceof AnalysisDecision.Advance pass) {
        events.add(
            RolloutEvent.normal(RolloutReasons.ANALYSIS_PASSED, label + ": " + pass.message()));
        return Optional.empty();
      }
      if (verdict instanceof AnalysisDecision.Abort failed) {
        return Optional.of(abort(RolloutStatus.ABORT_ANALYSIS_FAILED, failed.message()));
      }
      s.setPhase(PAUSED);
      if (verdict instanceof AnalysisDecision.WaitForHuman wait) {
        // No more measurements: a person promotes or aborts.
        s.setPausedUntil(null);
        s.setMessage(
            label
                + ": "
                + wait.message()
                + " (kubectl annotate --overwrite "
                + RolloutAnnotations.PROMOTE
                + "=<new value>, or "
                + RolloutAnnotations.ABORT
                + ")");
        if (measuredNow) {
          events.add(RolloutEvent.warning(wait.reason(), s.getMessage()));
        }
        return Optional.of(
            new RolloutDecision(
                Optional.empty(),
                s,
                RolloutCondition.reconciling(wait.reason(), s.getMessage()),
                events,
                Optional.empty(),
                Optional.empty()));
      }
      boolean pausing = until != null && in.now().isBefore(until);
      s.setPausedUntil(pausing ? until.toString() : null);
      s.setMessage(label + ": " + verdict.message());
      String reason =
          promoteOnly
              ? RolloutReasons.WAITING_FOR_PROMOTION
              : pausing ? RolloutReasons.PAUSED : RolloutReasons.ANALYSING;
      AnalysisWindow.Plan next = AnalysisRules.plan(in.now(), started, s.getAnalysis(), analysis);
      Optional<AnalysisWindow.Due> measure = Optional.empty();
      Duration lookAgain;
      if (next instanceof AnalysisWindow.Due due) {
        measure = Optional.of(due);
        lookAgain = analysis.interval();
      } else {
        lookAgain = ((AnalysisWindow.NotYet) next).after(in.now());
      }
      if (pausing) {
        Duration toEnd = Duration.between(in.now(), until);
        lookAgain = toEnd.compareTo(lookAgain) < 0 ? toEnd : lookAgain;
      }
      return Optional.of(
          new RolloutDecision(
              Optional.empty(),
              s,
              RolloutCondition.reconciling(reason, s.getMessage()),
              events,
              Optional.of(lookAgain),
              measure));
    }

    /** Whether the step's last measurement was taken at {@code t} (in this plan's reconcile). */
    private boolean measuredAt(Instant t) {
      AnalysisStatus a = s.getAnalysis();
      return a != null
          && a.getLastMeasurement() != null
          && t.toString().equals(a.getLastMeasurement().getTakenAt());
    }

    private RolloutDecision waitForSplit(List<VersionTraffic> wanted) {
      if (s.getProgressingSince() == null) {
        if (s.getStepStartedAt() != null) {
          events.add(
              RolloutEvent.warning(
                  RolloutReasons.DRIFT_DETECTED,
                  "Cloudflare serves "
                      + describe(in.live())
                      + " instead of step "
                      + s.getStep()
                      + "/"
                      + steps.size()
                      + "'s "
                      + describe(wanted)
                      + ": restoring it"));
        }
        s.setProgressingSince(in.now().toString());
      }
      Optional<Duration> lookAgain = Optional.empty();
      String deadline = in.rollout().getProgressDeadline();
      if (deadline != null) {
        Instant expires =
            Instant.parse(s.getProgressingSince())
                .plus(RolloutDurations.parse(deadline, "spec.rollout.progressDeadline"));
        if (!in.now().isBefore(expires)) {
          return abort(RolloutStatus.ABORT_PROGRESS_DEADLINE_EXCEEDED);
        }
        lookAgain = Optional.of(Duration.between(in.now(), expires));
      }
      s.setPhase(PROGRESSING);
      s.setPausedUntil(null);
      s.setMessage(
          (s.fullPromotionRequested()
                  ? "Promoting"
                  : "Step " + s.getStep() + "/" + steps.size() + " (" + pct(stepWeight()) + "%)")
              + ": waiting for "
              + describe(wanted)
              + " to be live");
      Create create =
          s.fullPromotionRequested()
              ? new Create(wanted, steps.size(), Purpose.FULL)
              : new Create(wanted, s.getStep(), Purpose.STEP);
      return new RolloutDecision(
          Optional.of(create),
          s,
          RolloutCondition.reconciling(RolloutReasons.PROGRESSING, s.getMessage()),
          events,
          lookAgain);
    }

    private RolloutDecision complete(String message, boolean announce) {
      s.setPhase(COMPLETED);
      s.setFullPromotion(null);
      s.setPausedUntil(null);
      s.setProgressingSince(null);
      s.setMessage(message);
      if (announce) {
        events.add(RolloutEvent.normal(RolloutReasons.COMPLETED, message));
      }
      return new RolloutDecision(
          Optional.empty(),
          s,
          RolloutCondition.ready(RolloutReasons.ROLLED_OUT, message),
          events,
          Optional.empty());
    }

    private RolloutDecision abort(String reason) {
      String at = "step " + s.getStep() + "/" + steps.size();
      return abort(
          reason,
          RolloutStatus.ABORT_PROGRESS_DEADLINE_EXCEEDED.equals(reason)
              ? "the split of "
                  + at
                  + " was not live within progressDeadline "
                  + in.rollout().getProgressDeadline()
              : "abort requested at " + at);
    }

    private RolloutDecision abort(String reason, String why) {
      s.setPhase(ABORTED);
      s.setAbortReason(reason);
      s.setFullPromotion(null);
      s.setStepStartedAt(null);
      s.setPausedUntil(null);
      s.setProgressingSince(null);
      s.setMessage(
          "Aborted: "
              + why
              + "; "
              + shortId(s.getStableVersionId())
              + " serves 100% until a retry");
      events.add(RolloutEvent.warning(conditionReason(reason), s.getMessage()));
      return abortedDecision();
    }

    private RolloutDecision abortedDecision() {
      s.setStep(Math.max(1, Math.min(value(s.getStep()), steps.size())));
      List<VersionTraffic> stable = List.of(traffic(s.getStableVersionId(), 100));
      Optional<Create> create =
          matches(in.live(), stable)
              ? Optional.empty()
              : Optional.of(new Create(stable, 0, Purpose.ABORT));
      return new RolloutDecision(
          create,
          s,
          RolloutCondition.stalled(conditionReason(s.getAbortReason()), s.getMessage()),
          events,
          Optional.empty());
    }

    private static String conditionReason(String abortReason) {
      if (RolloutStatus.ABORT_PROGRESS_DEADLINE_EXCEEDED.equals(abortReason)) {
        return RolloutReasons.PROGRESS_DEADLINE_EXCEEDED;
      }
      if (RolloutStatus.ABORT_ANALYSIS_FAILED.equals(abortReason)) {
        return RolloutReasons.ANALYSIS_FAILED;
      }
      return RolloutReasons.ABORTED;
    }

    void ignored(String request, String why) {
      events.add(
          RolloutEvent.normal(
              RolloutReasons.REQUEST_IGNORED, "Request " + request + " ignored: " + why));
    }

    // --- splits ---------------------------------------------------------------------------------

    private double stepWeight() {
      return steps.get(s.getStep() - 1).getWeight();
    }

    /** What the current step wants Cloudflare to serve, stable version first. */
    private List<VersionTraffic> wanted() {
      if (s.fullPromotionRequested()) {
        return List.of(traffic(s.getCanaryVersionId(), 100));
      }
      double w = stepWeight();
      return List.of(
          traffic(
              s.getStableVersionId(),
              BigDecimal.valueOf(100).subtract(BigDecimal.valueOf(w)).doubleValue()),
          traffic(s.getCanaryVersionId(), w));
    }

    private double canaryWeightLive() {
      if (in.live() == null) {
        return 0;
      }
      return in.live().stream()
          .filter(v -> in.targetVersionId().equals(v.getVersionId()))
          .mapToDouble(VersionTraffic::getPercentage)
          .sum();
    }
  }

  /**
   * The requests of one plan: an annotation value differing from the last handled one in the status
   * being built. Once recorded there, a request is no longer new.
   */
  private static final class Requests {
    private final RolloutInput in;

    Requests(RolloutInput in) {
      this.in = in;
    }

    String value(String annotation) {
      return in.annotation(annotation);
    }

    boolean promote(RolloutStatus s) {
      return isNew(RolloutAnnotations.PROMOTE, s.getLastHandledPromote());
    }

    boolean promoteFull(RolloutStatus s) {
      return isNew(RolloutAnnotations.PROMOTE_FULL, s.getLastHandledPromoteFull());
    }

    boolean abort(RolloutStatus s) {
      return isNew(RolloutAnnotations.ABORT, s.getLastHandledAbort());
    }

    boolean retry(RolloutStatus s) {
      return isNew(RolloutAnnotations.RETRY, s.getLastHandledRetry());
    }

    /** A new rollout: every request made before it counts as handled, none acts on it. */
    void absorbAll(RolloutStatus s, RolloutStatus previous) {
      s.setLastHandledPromote(
          keep(RolloutAnnotations.PROMOTE, previous, RolloutStatus::getLastHandledPromote));
      s.setLastHandledPromoteFull(
          keep(
              RolloutAnnotations.PROMOTE_FULL, previous, RolloutStatus::getLastHandledPromoteFull));
      s.setLastHandledAbort(
          keep(RolloutAnnotations.ABORT, previous, RolloutStatus::getLastHandledAbort));
      s.setLastHandledRetry(
          keep(RolloutAnnotations.RETRY, previous, RolloutStatus::getLastHandledRetry));
    }

    /** Records every request still new as handled, with an event saying it had no effect. */
    void recordIgnored(Plan plan, RolloutStatus s, String why) {
      if (promote(s)) {
        s.setLastHandledPromote(value(RolloutAnnotations.PROMOTE));
        plan.ignored("promote", why);
      }
      if (promoteFull(s)) {
        s.setLastHandledPromoteFull(value(RolloutAnnotations.PROMOTE_FULL));
        plan.ignored("promote-full", why);
      }
      if (abort(s)) {
        s.setLastHandledAbort(value(RolloutAnnotations.ABORT));
        plan.ignored("abort", why);
      }
      if (retry(s)) {
        s.setLastHandledRetry(value(RolloutAnnotations.RETRY));
        plan.ignored("retry", why);
      }
    }

    private String keep(
        String annotation, RolloutStatus previous, Function<RolloutStatus, String> lastHandled) {
      String current = value(annotation);
      return current != null ? current : previous == null ? null : lastHandled.apply(previous);
    }

    private boolean isNew(String annotation, String lastHandled) {
      String current = value(annotation);
      return current != null && !current.equals(lastHandled);
    }
  }

  // --- helpers --------------------------------------------------------------------------------

  private static boolean inProgress(RolloutStatus status) {
    return status != null
        && (PROGRESSING.equals(status.getPhase()) || PAUSED.equals(status.getPhase()));
  }

  /** The version serving the most traffic; on a tie the smaller id, so the choice is repeatable. */
  static String mostTraffic(List<VersionTraffic> live) {
    return live.stream()
        .max(
            Comparator.comparingDouble(VersionTraffic::getPercentage)
                .thenComparing(VersionTraffic::getVersionId, Comparator.reverseOrder()))
        .orElseThrow()
        .getVersionId();
  }

  /** Same versions, each share within {@link #TOLERANCE}; order does not matter. */
  static boolean matches(List<VersionTraffic> live, List<VersionTraffic> wanted) {
    if (live == null || live.size() != wanted.size()) {
      return false;
    }
    for (VersionTraffic w : wanted) {
      boolean found =
          live.stream()
              .anyMatch(
                  l ->
                      w.getVersionId().equals(l.getVersionId())
                          && l.getPercentage() != null
                          && same(l.getPercentage(), w.getPercentage()));
      if (!found) {
        return false;
      }
    }
    return true;
  }

  private static boolean same(double a, double b) {
    return Math.abs(a - b) <= TOLERANCE;
  }

  private static int value(Integer i) {
    return i == null ? 0 : i;
  }

  private static VersionTraffic traffic(String versionId, double percentage) {
    return new VersionTraffic(versionId, percentage);
  }

  static String describe(List<VersionTraffic> split) {
    return split.stream()
        .map(v -> shortId(v.getVersionId()) + "@" + pct(v.getPercentage()))
        .collect(Collectors.joining(","));
  }

  static String shortId(String versionId) {
    return versionId == null ? "?" : versionId.substring(0, Math.min(8, versionId.length()));
  }

  static String pct(double percentage) {
    return BigDecimal.valueOf(percentage).stripTrailingZeros().toPlainString();
  }
}
