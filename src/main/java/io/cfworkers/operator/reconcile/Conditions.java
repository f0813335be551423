package io.cfworkers.operator.reconcile;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The three kstatus conditions and how they move. Pure: given the previous list, returns a new one
 * in which {@code lastTransitionTime} changes only for a condition whose {@code status} changed.
 */
public final class Conditions {
  public static final String READY = "Ready";
  public static final String RECONCILING = "Reconciling";
  public static final String STALLED = "Stalled";

  private static final String TRUE = "True";
  private static final String FALSE = "False";

  private Conditions() {}

  /** A desired state of the three conditions; {@link #apply} turns it into metav1.Conditions. */
  public record State(
      boolean ready, boolean reconciling, boolean stalled, String reason, String message) {

    /** Cloudflare serves the spec. */
    public static State ready(String reason, String message) {
      return new State(true, false, false, reason, message);
    }

    /** The operator is working towards the spec. */
    public static State reconciling(String reason, String message) {
      return new State(false, true, false, reason, message);
    }

    /** No progress without a human. */
    public static State stalled(String reason, String message) {
      return new State(false, false, true, reason, message);
    }

    /** Neither progressing nor stuck: e.g. suspended while live differs from the spec. */
    public static State idle(String reason, String message) {
      return new State(false, false, false, reason, message);
    }
  }

  /**
   * The condition list for {@code state}, keeping the previous {@code lastTransitionTime} of every
   * condition whose status is unchanged. Conditions of other types are kept as they are.
   */
  public static List<Condition> apply(
      List<Condition> previous, State state, long generation, Instant now) {
    List<Condition> result = new ArrayList<>();
    List<Condition> old = previous == null ? List.of() : previous;
    result.add(
        condition(old, READY, state.ready(), state.reason(), state.message(), generation, now));
    result.add(
        condition(
            old,
            RECONCILING,
            state.reconciling(),
            state.reason(),
            state.message(),
            generation,
            now));
    result.add(
        condition(old, STALLED, state.stalled(), state.reason(), state.message(), generation, now));
    for (Condition c : old) {
      if (!isOwn(c.getType())) {
        result.add(c);
      }
    }
    return result;
  }

  /**
   * Like {@link #apply}, but the Ready condition stays exactly as it was: for a failed observation,
   * which says nothing new about whether Cloudflare serves the spec.
   */
  public static List<Condition> applyKeepingReady(
      List<Condition> previous, State state, long generation, Instant now) {
    List<Condition> result = apply(previous, state, generation, now);
    Optional<Condition> ready = find(previous, READY);
    if (ready.isPresent()) {
      result.set(0, ready.get());
    }
    return result;
  }

  /** The condition of that type, if present. */
  public static Optional<Condition> find(List<Condition> conditions, String type) {
    if (conditions == null) {
      return Optional.empty();
    }
    return conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  /** True when the condition of that type is present with status True. */
  public static boolean isTrue(List<Condition> conditions, String type) {
    return find(conditions, type).map(c -> TRUE.equals(c.getStatus())).orElse(false);
  }

  private static boolean isOwn(String type) {
    return READY.equals(type) || RECONCILING.equals(type) || STALLED.equals(type);
  }

  private static Condition condition(
      List<Condition> old,
      String type,
      boolean value,
      String reason,
      String message,
      long generation,
      Instant now) {
    String status = value ? TRUE : FALSE;
    String transition =
        find(old, type)
            .filter(c -> Objects.equals(c.getStatus(), status) && c.getLastTransitionTime() != null)
            .map(Condition::getLastTransitionTime)
            .orElse(now.truncatedTo(ChronoUnit.SECONDS).toString());
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message == null ? "" : message)
        .withObservedGeneration(generation)
        .withLastTransitionTime(transition)
        .build();
  }
}
