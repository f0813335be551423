package io.cfworkers.operator.reconcile;

import io.cfworkers.operator.api.v1alpha1.PendingDeployment;
import io.cfworkers.operator.api.v1alpha1.VersionTraffic;
import io.cfworkers.operator.cloudflare.Deployment;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The intent record written to status before a create call. Pure.
 *
 * <p>A create call whose answer never arrived may still land. While its record is younger than the
 * in-flight window and Cloudflare does not yet serve its split, the call counts as in flight:
 * nobody sends another. A record whose start time cannot be read counts as in flight (fail closed).
 *
 * <p>Once the outcome is known (Cloudflare answered, or the window has passed and a new deployment
 * is live) but Cloudflare does not serve the split that was asked for, the record blocks a second
 * create for the same generation and Secret: see {@link #notObserved}.
 */
public final class Intent {
  private Intent() {}

  /**
   * The record for a create call about to be sent.
   *
   * @param replaces the deployment serving traffic when the call was decided, if any
   * @param secretVersion resourceVersion of the Secret the call is made with
   */
  public static PendingDeployment record(
      long generation,
      DesiredSplit desired,
      Optional<Deployment> replaces,
      String secretVersion,
      Instant now) {
    List<VersionTraffic> copy = new ArrayList<>();
    desired
        .versions()
        .forEach(v -> copy.add(new VersionTraffic(v.getVersionId(), v.getPercentage())));
    PendingDeployment p = new PendingDeployment(generation, now.toString(), copy);
    p.setStep(desired.step());
    p.setReplacesDeploymentId(replaces.map(Deployment::id).orElse(null));
    p.setSecretVersion(secretVersion);
    return p;
  }

  /** True when Cloudflare serves the split the record was about to deploy. */
  public static boolean landed(PendingDeployment pending, Optional<Deployment> live) {
    return pending != null
        && live.isPresent()
        && SplitDiff.sameSplit(pending.getVersions(), live.get().versions());
  }

  /** True when the record's start time cannot be read: it counts as in flight. */
  public static boolean unreadable(PendingDeployment pending) {
    return pending != null && pending.getDeploymentId() == null && startedAt(pending).isEmpty();
  }

  /**
   * How long to wait before the recorded call can no longer land, or empty when it is not in flight
   * (no record, already landed, answered, or settled). A start time that cannot be read counts as
   * in flight for the whole window.
   */
  public static Optional<Duration> inFlightFor(
      PendingDeployment pending, Optional<Deployment> live, Duration window, Instant now) {
    if (pending == null || pending.getDeploymentId() != null || landed(pending, live)) {
      return Optional.empty();
    }
    Optional<Instant> started = startedAt(pending);
    if (started.isEmpty()) {
      return Optional.of(window);
    }
    Duration left = Duration.between(now, started.get().plus(window));
    return left.isNegative() || left.isZero() ? Optional.empty() : Optional.of(left);
  }

  /**
   * Why the record's create call, whose outcome is known, is not what Cloudflare serves although
   * nobody else deployed since: empty when another create may be sent.
   *
   * <p>The record applies only to its own generation and Secret version. With the create's answer
   * in hand (deployment {@code X}): {@code X} absent from the history, or {@code X} live with
   * another split, block; a deployment newer than {@code X} is someone else's drift and does not.
   * Without an answer (lost), once settled: a deployment other than the one the call replaced is
   * live, which may be the call's own outcome with another split, so it blocks; the replaced one
   * still live means the call did not land, and it does not.
   *
   * @param history the script's deployments, newest (live) first
   */
  public static Optional<String> notObserved(
      PendingDeployment pending,
      long generation,
      String secretVersion,
      List<Deployment> history,
      Duration window,
      Instant now) {
    if (pending == null
        || pending.getGeneration() == null
        || pending.getGeneration() != generation
        || pending.getSecretVersion() == null
        || !pending.getSecretVersion().equals(secretVersion)) {
      return Optional.empty();
    }
    Optional<Deployment> live = history.stream().findFirst();
    String asked = DesiredDeployment.summary(pending.getVersions());
    String serves =
        live.map(d -> "deployment " + d.id() + " serving " + summary(d)).orElse("no deployment");
    String created = pending.getDeploymentId();
    if (created != null) {
      int at = indexOf(history, created);
      if (at > 0) {
        return Optional.empty();
      }
      if (at < 0) {
        return Optional.of(
            "Created deployment "
                + created
                + " of "
                + asked
                + ", but Cloudflare does not list it; it serves "
                + serves);
      }
      return Optional.of(
          "Asked for " + asked + " (deployment " + created + "), but Cloudflare serves " + serves);
    }
    if (landed(pending, live) || inFlightFor(pending, live, window, now).isPresent()) {
      return Optional.empty();
    }
    String replaced = pending.getReplacesDeploymentId();
    if (Objects.equals(live.map(Deployment::id).orElse(null), replaced)) {
      return Optional.empty();
    }
    return Optional.of(
        "A create call of " + asked + " got no answer, and since then Cloudflare serves " + serves);
  }

  private static int indexOf(List<Deployment> history, String id) {
    for (int i = 0; i < history.size(); i++) {
      if (id.equals(history.get(i).id())) {
        return i;
      }
    }
    return -1;
  }

  private static String summary(Deployment d) {
    return DesiredDeployment.summary(StatusBuilder.versions(d));
  }

  private static Optional<Instant> startedAt(PendingDeployment pending) {
    try {
      return Optional.of(Instant.parse(pending.getStartedAt()));
    } catch (DateTimeParseException | NullPointerException e) {
      return Optional.empty();
    }
  }
}
