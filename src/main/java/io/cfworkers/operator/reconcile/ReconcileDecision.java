package io.cfworkers.operator.reconcile;

import io.cfworkers.operator.api.v1alpha1.WorkerDeploymentStatus;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one step of a reconciliation decided, as a value: the reconciler applies it in one place
 * (write the status; only once that write succeeded, emit the events and count the metrics; then
 * send the create, if any; then look again as told).
 *
 * @param status the next status, built from the previous one by {@link StatusBuilder}
 * @param create the split to create after the status (holding its intent record) is written, if any
 * @param events the Events to emit once the status is written
 * @param counters the meters to increment once the status is written
 * @param lookAgain when to reconcile again
 * @param intentGoes true when this decision removes the intent record the previous status held
 */
public record ReconcileDecision(
    WorkerDeploymentStatus status,
    Optional<Create> create,
    List<Note> events,
    List<String> counters,
    LookAgain lookAgain,
    boolean intentGoes) {

  public static final String CREATED = "cfworkers.deployments.created";
  public static final String DRIFT_CORRECTED = "cfworkers.drift.corrected";

  public ReconcileDecision {
    Objects.requireNonNull(status, "status");
    events = List.copyOf(events);
    counters = List.copyOf(counters);
  }

  /** A create to send. {@code drift} when it restores the split someone else changed. */
  public record Create(DesiredSplit split, boolean drift) {}

  /** A Kubernetes Event for people. */
  public record Note(boolean warning, String reason, String message) {
    public static Note normal(String reason, String message) {
      return new Note(false, reason, message);
    }

    public static Note warning(String reason, String message) {
      return new Note(true, reason, message);
    }
  }

  /** When to reconcile again. */
  public record LookAgain(Kind kind, Duration after) {
    public enum Kind {
      /** At the poll interval (with its jitter). */
      POLL,
      /** After {@link #after()} exactly. */
      AFTER,
      /** After {@link #after()} plus a small random spread (many resources wait for one budget). */
      AFTER_SPREAD,
      /**
       * After {@link #after()} exactly, even beyond the poll interval: when a change's reserved
       * budget is due. Its read then observes all a poll would; looking earlier would only find the
       * reservation not due yet, at the cost of a reconciliation.
       */
      WHEN_DUE,
      /** Only when the resource or its Secret changes. */
      ON_CHANGE,
      /** With the framework's back-off: the reconciler rethrows the failure. */
      RETRY
    }

    public static LookAgain poll() {
      return new LookAgain(Kind.POLL, null);
    }

    public static LookAgain after(Duration d) {
      return new LookAgain(Kind.AFTER, d);
    }

    public static LookAgain whenDue(Duration d) {
      return new LookAgain(Kind.WHEN_DUE, d);
    }

    public static LookAgain afterSpread(Duration d) {
      return new LookAgain(Kind.AFTER_SPREAD, d);
    }

    public static LookAgain onChange() {
      return new LookAgain(Kind.ON_CHANGE, null);
    }

    public static LookAgain retry() {
      return new LookAgain(Kind.RETRY, null);
    }
  }
}
