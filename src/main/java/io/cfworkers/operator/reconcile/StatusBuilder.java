package io.cfworkers.operator.reconcile;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cfworkers.operator.api.v1alpha1.PendingDeployment;
import io.cfworkers.operator.api.v1alpha1.RolloutStatus;
import io.cfworkers.operator.api.v1alpha1.TagResolution;
import io.cfworkers.operator.api.v1alpha1.VersionTraffic;
import io.cfworkers.operator.api.v1alpha1.WorkerDeploymentStatus;
import io.cfworkers.operator.cloudflare.Deployment;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one way a next status is made: a deep copy of the previous status, of which each write path
 * changes only the fields it owns. A field this class does not know (one added to {@link
 * WorkerDeploymentStatus} later) is carried over unchanged on every path. Pure: the same inputs
 * give an equal status, so the reconciler can skip the write when nothing changed.
 */
public final class StatusBuilder {
  private static final ObjectMapper JSON =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final WorkerDeploymentStatus previous;
  private final WorkerDeploymentStatus next;

  private StatusBuilder(WorkerDeploymentStatus previous) {
    this.previous = previous;
    this.next =
        previous == null
            ? new WorkerDeploymentStatus()
            : JSON.convertValue(JSON.valueToTree(previous), WorkerDeploymentStatus.class);
    if (next.getConditions() == null) {
      next.setConditions(new ArrayList<>());
    }
  }

  /** A builder seeded with a deep copy of {@code previous} (an empty status when null). */
  public static StatusBuilder from(WorkerDeploymentStatus previous) {
    return new StatusBuilder(previous);
  }

  /** The generation this status describes. */
  public StatusBuilder generation(long generation) {
    next.setObservedGeneration(generation);
    return this;
  }

  /**
   * What Cloudflare serves: the live deployment's facts, or all of them cleared when it serves
   * none.
   */
  public StatusBuilder live(Optional<Deployment> live) {
    Deployment d = live.orElse(null);
    next.setDeploymentId(d == null ? null : d.id());
    next.setAuthorEmail(d == null ? null : d.authorEmail());
    next.setCreatedOn(d == null || d.createdOn() == null ? null : d.createdOn().toString());
    next.setSource(d == null ? null : d.source());
    next.setVersions(d == null ? null : versions(d));
    next.setVersionSummary(d == null ? null : DesiredDeployment.summary(next.getVersions()));
    next.setMessage(d == null ? null : d.message());
    next.setTriggeredBy(d == null ? null : d.triggeredBy());
    return this;
  }

  /** The intent record; null removes it. */
  public StatusBuilder pending(PendingDeployment pending) {
    next.setPendingDeployment(copy(pending));
    return this;
  }

  /** What the spec's version tags resolved to; null when the spec names none or they failed. */
  public StatusBuilder tagResolution(TagResolution record) {
    next.setTagResolution(
        record == null ? null : JSON.convertValue(JSON.valueToTree(record), TagResolution.class));
    return this;
  }

  /** The rollout's state ({@code status.rollout}); null removes it (no rollout applies). */
  public StatusBuilder rollout(RolloutStatus rollout) {
    next.setRollout(
        rollout == null ? null : JSON.convertValue(JSON.valueToTree(rollout), RolloutStatus.class));
    return this;
  }

  /** A deep copy of an intent record, every property included (null for null). */
  public static PendingDeployment copy(PendingDeployment pending) {
    return pending == null
        ? null
        : JSON.convertValue(JSON.valueToTree(pending), PendingDeployment.class);
  }

  /** The three conditions for {@code state}; the generation is set to {@code generation}. */
  public StatusBuilder conditions(Conditions.State state, long generation, Instant now) {
    next.setObservedGeneration(generation);
    next.setConditions(
        Conditions.apply(
            previous == null ? null : previous.getConditions(), state, generation, now));
    return this;
  }

  /**
   * Reconciling and Stalled of {@code state}, with Ready kept as it was while the spec is
   * unchanged: for an observation that failed, which tells nothing new about what Cloudflare
   * serves. For a changed spec, Ready said something about an older spec and is replaced like the
   * others.
   */
  public StatusBuilder conditionsKeepingReady(
      Conditions.State state, long generation, Instant now) {
    boolean sameSpec =
        previous != null
            && previous.getObservedGeneration() != null
            && previous.getObservedGeneration() == generation;
    if (!sameSpec) {
      return conditions(state, generation, now);
    }
    next.setConditions(
        Conditions.applyKeepingReady(previous.getConditions(), state, generation, now));
    return this;
  }

  public WorkerDeploymentStatus build() {
    return next;
  }

  /** The live split as the CRD's status lists it. */
  public static List<VersionTraffic> versions(Deployment d) {
    List<VersionTraffic> out = new ArrayList<>();
    d.versions().forEach(v -> out.add(new VersionTraffic(v.versionId(), v.percentage())));
    return out;
  }
}
