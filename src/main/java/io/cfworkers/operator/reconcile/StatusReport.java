package io.cfworkers.operator.reconcile;

import io.cfworkers.operator.api.v1alpha1.PendingDeployment;
import io.cfworkers.operator.api.v1alpha1.VersionTraffic;
import io.cfworkers.operator.api.v1alpha1.WorkerDeploymentStatus;
import io.cfworkers.operator.cloudflare.Deployment;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Builds the next status from the previous one. Pure: the same inputs give an equal status, so the
 * reconciler can skip the write when nothing changed.
 */
public final class StatusReport {
  private StatusReport() {}

  /**
   * The status after observing {@code live}: the live deployment's facts, the conditions of {@code
   * state}, the generation and the intent record.
   *
   * @param live what Cloudflare serves; empty keeps the previous deployment facts cleared
   * @param pending the intent record to keep, or null to clear it
   */
  public static WorkerDeploymentStatus build(
      WorkerDeploymentStatus previous,
      long generation,
      Optional<Deployment> live,
      Conditions.State state,
      PendingDeployment pending,
      Instant now) {
    WorkerDeploymentStatus next = new WorkerDeploymentStatus();
    next.setObservedGeneration(generation);
    live.ifPresent(d -> copyLive(d, next));
    next.setPendingDeployment(pending);
    next.setConditions(
        Conditions.apply(
            previous == null ? null : previous.getConditions(), state, generation, now));
    return next;
  }

  /**
   * The status with only the conditions changed, keeping every observed fact: for outcomes that
   * observed nothing new (a failure before or instead of the observation).
   */
  public static WorkerDeploymentStatus withConditions(
      WorkerDeploymentStatus previous, long generation, Conditions.State state, Instant now) {
    WorkerDeploymentStatus next = copy(previous);
    next.setObservedGeneration(generation);
    next.setConditions(
        Conditions.apply(
            previous == null ? null : previous.getConditions(), state, generation, now));
    return next;
  }

  /**
   * The status with the Reconciling and Stalled conditions of {@code state} and Ready kept as it
   * was when the spec is unchanged, every observed fact kept: for an observation that failed, which
   * tells nothing new about what Cloudflare serves.
   */
  public static WorkerDeploymentStatus withConditionsKeepingReady(
      WorkerDeploymentStatus previous, long generation, Conditions.State state, Instant now) {
    boolean sameSpec =
        previous != null
            && previous.getObservedGeneration() != null
            && previous.getObservedGeneration() == generation;
    if (!sameSpec) {
      // Ready said something about an older spec: it cannot stand for this one.
      return withConditions(previous, generation, state, now);
    }
    WorkerDeploymentStatus next = copy(previous);
    next.setConditions(
        Conditions.applyKeepingReady(previous.getConditions(), state, generation, now));
    return next;
  }

  /** The status with the intent record set, and conditions saying a deployment is under way. */
  public static WorkerDeploymentStatus withPending(
      WorkerDeploymentStatus previous,
      long generation,
      PendingDeployment pending,
      Conditions.State state,
      Instant now) {
    WorkerDeploymentStatus next = withConditions(previous, generation, state, now);
    next.setPendingDeployment(pending);
    return next;
  }

  /** The live split as the CRD's status lists it. */
  public static List<VersionTraffic> versions(Deployment d) {
    List<VersionTraffic> out = new ArrayList<>();
    d.versions().forEach(v -> out.add(new VersionTraffic(v.versionId(), v.percentage())));
    return out;
  }

  private static void copyLive(Deployment d, WorkerDeploymentStatus next) {
    next.setDeploymentId(d.id());
    next.setAuthorEmail(d.authorEmail());
    next.setCreatedOn(d.createdOn() == null ? null : d.createdOn().toString());
    next.setSource(d.source());
    next.setVersions(versions(d));
    next.setVersionSummary(DesiredDeployment.summary(next.getVersions()));
    next.setMessage(d.message());
    next.setTriggeredBy(d.triggeredBy());
  }

  private static WorkerDeploymentStatus copy(WorkerDeploymentStatus s) {
    WorkerDeploymentStatus c = new WorkerDeploymentStatus();
    if (s == null) {
      return c;
    }
    c.setObservedGeneration(s.getObservedGeneration());
    c.setDeploymentId(s.getDeploymentId());
    c.setAuthorEmail(s.getAuthorEmail());
    c.setCreatedOn(s.getCreatedOn());
    c.setSource(s.getSource());
    c.setVersions(s.getVersions() == null ? null : new ArrayList<>(s.getVersions()));
    c.setVersionSummary(s.getVersionSummary());
    c.setMessage(s.getMessage());
    c.setTriggeredBy(s.getTriggeredBy());
    c.setPendingDeployment(s.getPendingDeployment());
    c.setConditions(
        s.getConditions() == null ? new ArrayList<>() : new ArrayList<>(s.getConditions()));
    return c;
  }
}
