package io.cfworkers.operator.reconcile;

import io.cfworkers.operator.api.v1alpha1.PendingDeployment;
import io.cfworkers.operator.api.v1alpha1.WorkerDeployment;
import io.cfworkers.operator.api.v1alpha1.WorkerDeploymentSpec;
import io.cfworkers.operator.api.v1alpha1.WorkerDeploymentStatus;
import io.cfworkers.operator.cloudflare.CloudflareApiException;
import io.cfworkers.operator.cloudflare.CloudflareRateLimitedException;
import io.cfworkers.operator.cloudflare.CloudflareRejectedException;
import io.cfworkers.operator.cloudflare.CloudflareTransientException;
import io.cfworkers.operator.cloudflare.Credential;
import io.cfworkers.operator.cloudflare.Deployment;
import io.cfworkers.operator.cloudflare.Rejection;
import io.cfworkers.operator.cloudflare.ScriptRef;
import io.cfworkers.operator.cloudflare.WorkersDeploymentsApi;
import io.cfworkers.operator.config.OperatorConfig;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.jboss.logging.Logger;

/**
 * Makes Cloudflare serve the split a {@link WorkerDeployment} declares. Each reconciliation reads
 * as: credentials → observe → diff → act → report.
 *
 * <p>Cloudflare failures are classified once, in {@link WorkersDeploymentsApi}'s exceptions:
 * rejected → Stalled, not retried until the spec or the Secret changes; rate limited → Reconciling,
 * next attempt after {@code Retry-After}; transient → Reconciling, thrown so the framework retries
 * with exponential back-off, and every retry observes Cloudflare again before it may create.
 */
@ControllerConfiguration(name = WorkerDeploymentReconciler.NAME)
public class WorkerDeploymentReconciler implements Reconciler<WorkerDeployment> {
  public static final String NAME = "workerdeployment";

  private static final Logger LOG = Logger.getLogger(WorkerDeploymentReconciler.class);
  private static final String SCRIPT_INDEX = "cfworkers.io/script";

  private final WorkersDeploymentsApi cloudflare;
  private final EventRecorder events;
  private final OperatorConfig.Reconcile settings;

  /** How long after its intent record a create call may still land: request timeout + settle. */
  private final Duration inFlightWindow;

  private final Clock clock;
  private final MeterRegistry meters;

  /**
   * Create calls Cloudflare rejected, by resource: the generation and Secret version they were made
   * with. The same inputs are not sent again; a new generation or a changed Secret are.
   */
  private final Map<ResourceID, String> rejectedCreates = new ConcurrentHashMap<>();

  /** The credentials' Secrets: metadata cached, data read when a resource needs it. */
  private final SecretSource secrets = new SecretSource();

  public WorkerDeploymentReconciler(
      WorkersDeploymentsApi cloudflare,
      EventRecorder events,
      OperatorConfig config,
      Clock clock,
      MeterRegistry meters) {
    this.cloudflare = cloudflare;
    this.events = events;
    this.settings = config.reconcile();
    this.inFlightWindow = config.cloudflare().requestTimeout().plus(settings.settleTime());
    this.clock = clock;
    this.meters = meters;
  }

  @Override
  public List<EventSource<?, WorkerDeployment>> prepareEventSources(
      EventSourceContext<WorkerDeployment> context) {
    context
        .getPrimaryCache()
        .addIndexer(SecretSource.SECRET_INDEX, wd -> secretKey(wd).map(List::of).orElse(List.of()));
    context
        .getPrimaryCache()
        .addIndexer(SCRIPT_INDEX, wd -> scriptKey(wd).map(List::of).orElse(List.of()));
    List<EventSource<?, WorkerDeployment>> sources = new ArrayList<>(secrets.eventSources(context));
    sources.addAll(
        ScriptOwners.eventSources(context, SCRIPT_INDEX, WorkerDeploymentReconciler::scriptKey));
    return sources;
  }

  @Override
  public UpdateControl<WorkerDeployment> reconcile(
      WorkerDeployment resource, Context<WorkerDeployment> context) {
    Timer.Sample timing = Timer.start(meters);
    try {
      return new Attempt(resource, context).run();
    } finally {
      timing.stop(meters.timer("cfworkers.reconcile.duration"));
    }
  }

  @Override
  public ErrorStatusUpdateControl<WorkerDeployment> updateErrorStatus(
      WorkerDeployment resource, Context<WorkerDeployment> context, Exception e) {
    // Cloudflare failures have written their status already; others (a status write conflict, an
    // API server hiccup) only need the retry.
    if (!(e instanceof CloudflareApiException)) {
      LOG.debugf("Reconciliation of %s will be retried: %s", ResourceID.fromResource(resource), e);
    }
    return ErrorStatusUpdateControl.noStatusUpdate();
  }

  /** One reconciliation of one resource. {@link #current} is the latest version written. */
  private final class Attempt {
    private final Context<WorkerDeployment> context;
    private final ResourceID id;
    private final WorkerDeploymentSpec spec;
    private final long generation;
    private final Instant now;
    private WorkerDeployment current;

    /** Set when a create call was refused: the intent record goes with the next status write. */
    private boolean dropPending;

    Attempt(WorkerDeployment resource, Context<WorkerDeployment> context) {
      this.context = context;
      this.current = resource;
      this.id = ResourceID.fromResource(resource);
      this.spec = resource.getSpec();
      this.generation =
          Objects.requireNonNullElse(resource.getMetadata().getGeneration(), 0L).longValue();
      this.now = clock.instant();
    }

    UpdateControl<WorkerDeployment> run() {
      List<String> problems = SpecCheck.problems(spec);
      if (!problems.isEmpty()) {
        return stalled(Reasons.INVALID_SPEC, String.join("; ", problems));
      }
      Optional<WorkerDeployment> owner = otherOwner();
      if (owner.isPresent()) {
        return stalled(
            Reasons.SCRIPT_CONFLICT,
            "WorkerDeployment "
                + owner.get().getMetadata().getNamespace()
                + "/"
                + owner.get().getMetadata().getName()
                + " already manages script "
                + DesiredDeployment.script(spec)
                + "; two resources declaring one script would undo each other's deployments");
      }
      Optional<Secret> secret = secrets.read(current, context);
      CredentialResolver.Resolution credentials =
          CredentialResolver.resolve(spec.getAuth(), current.getMetadata().getNamespace(), secret);
      if (credentials instanceof CredentialResolver.Missing missing) {
        return stalled(Reasons.CREDENTIALS_NOT_FOUND, missing.message());
      }
      Credential credential = ((CredentialResolver.Found) credentials).credential();
      String inputs = generation + "/" + secret.get().getMetadata().getResourceVersion();
      if (inputs.equals(rejectedCreates.get(id))
          && Conditions.isTrue(statusConditions(), Conditions.STALLED)) {
        return UpdateControl.noUpdate();
      }
      rejectedCreates.remove(id);
      ScriptRef script = DesiredDeployment.script(spec);
      try {
        Optional<Deployment> live = cloudflare.activeDeployment(script, credential);
        SplitDiff.Outcome diff = SplitDiff.compare(spec.getVersions(), live);
        if (diff == SplitDiff.Outcome.IN_SYNC) {
          return inSync(live.get());
        }
        if (spec.suspended()) {
          return suspended(live);
        }
        PendingDeployment pending = status().getPendingDeployment();
        Optional<Duration> inFlight = Intent.inFlightFor(pending, live, inFlightWindow, now);
        if (inFlight.isPresent()) {
          return waitForInFlight(live, inFlight.get());
        }
        return deploy(script, credential, live, inputs);
      } catch (CloudflareRejectedException e) {
        return stalled(Reasons.of(e), describe(e));
      } catch (CloudflareRateLimitedException e) {
        return rateLimited(e);
      } catch (CloudflareTransientException e) {
        reportTransient(e);
        throw e;
      }
    }

    /** Act: record intent, create once, report what was created. */
    private UpdateControl<WorkerDeployment> deploy(
        ScriptRef script, Credential credential, Optional<Deployment> live, String inputs) {
      boolean drift = isDrift(live);
      String summary = DesiredDeployment.summary(spec.getVersions());
      if (drift) {
        LOG.infof(
            "%s: live deployment %s (%s) differs from the unchanged spec (%s); restoring it",
            id, live.get().id(), StatusReport.versions(live.get()), summary);
      }
      PendingDeployment intent = Intent.record(generation, spec.getVersions(), clock.instant());
      write(
          StatusReport.withPending(
              status(),
              generation,
              intent,
              Conditions.State.reconciling(
                  Reasons.DEPLOYING, "Creating a deployment of " + summary),
              now));
      Deployment created;
      try {
        created =
            cloudflare.createDeployment(
                script, credential, DesiredDeployment.request(spec), spec.force());
      } catch (CloudflareRejectedException e) {
        // Refused: nothing was created, so the intent record goes with the next status write.
        rejectedCreates.put(id, inputs);
        dropPending = true;
        throw e;
      } catch (CloudflareRateLimitedException e) {
        dropPending = true;
        throw e;
      }
      // A transient failure keeps the record: the call may have landed, or may still land.
      String reason = drift ? Reasons.DRIFT_CORRECTED : Reasons.DEPLOYED;
      String message =
          (drift ? "Restored the declared split: created deployment " : "Created deployment ")
              + created.id()
              + " serving "
              + summary;
      write(
          StatusReport.build(
              status(),
              generation,
              Optional.of(created),
              Conditions.State.ready(reason, message),
              null,
              now));
      meters.counter("cfworkers.deployments.created").increment();
      if (drift) {
        meters.counter("cfworkers.drift.corrected").increment();
      }
      events.normal(current, reason, message);
      return poll();
    }

    private UpdateControl<WorkerDeployment> inSync(Deployment live) {
      WorkerDeploymentStatus previous = status();
      String reason;
      String message;
      PendingDeployment pending = previous.getPendingDeployment();
      Optional<Duration> inFlight =
          Intent.inFlightFor(pending, Optional.of(live), inFlightWindow, now);
      if (Intent.landed(pending, Optional.of(live))) {
        // Our create call landed although its answer was lost.
        reason = Reasons.DEPLOYED;
        message = serves(live);
        meters.counter("cfworkers.deployments.created").increment();
        events.normal(current, reason, "Created deployment " + live.id() + " (confirmed)");
      } else if (Objects.equals(live.id(), previous.getDeploymentId())) {
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
        events.normal(current, reason, message);
      }
      write(
          StatusReport.build(
              previous,
              generation,
              Optional.of(live),
              Conditions.State.ready(reason, message),
              inFlight.isPresent() ? pending : null,
              now));
      // A create call that may still land is watched until it settles.
      return inFlight.isPresent() && inFlight.get().compareTo(settings.pollInterval()) < 0
          ? UpdateControl.<WorkerDeployment>noUpdate().rescheduleAfter(inFlight.get())
          : poll();
    }

    private UpdateControl<WorkerDeployment> suspended(Optional<Deployment> live) {
      String message =
          "Suspended: Cloudflare serves "
              + live.map(WorkerDeploymentReconciler::summary).orElse("no deployment")
              + ", the spec declares "
              + DesiredDeployment.summary(spec.getVersions())
              + "; no deployment is created while spec.suspend is true";
      if (isForeign(live)) {
        events.warning(
            current,
            Reasons.DRIFT_DETECTED,
            "Live deployment "
                + live.get().id()
                + " differs from the spec; suspended, not restored");
      }
      write(
          StatusReport.build(
              status(),
              generation,
              live,
              Conditions.State.idle(Reasons.SUSPENDED, message),
              status().getPendingDeployment(),
              now));
      return poll();
    }

    private UpdateControl<WorkerDeployment> waitForInFlight(
        Optional<Deployment> live, Duration wait) {
      LOG.debugf("%s: a create call may still be in flight; observing again in %s", id, wait);
      write(
          StatusReport.build(
              status(),
              generation,
              live,
              Conditions.State.reconciling(
                  Reasons.DEPLOYING,
                  "Waiting for the outcome of a create call whose answer was lost"),
              status().getPendingDeployment(),
              now));
      return UpdateControl.<WorkerDeployment>noUpdate().rescheduleAfter(wait);
    }

    private UpdateControl<WorkerDeployment> stalled(String reason, String message) {
      boolean changed =
          !Conditions.find(statusConditions(), Conditions.STALLED)
              .map(c -> "True".equals(c.getStatus()) && reason.equals(c.getReason()))
              .orElse(false);
      if (changed) {
        events.warning(current, reason, message);
      }
      write(
          withoutPendingIfDropped(
              StatusReport.withConditions(
                  status(), generation, Conditions.State.stalled(reason, message), now)));
      return UpdateControl.noUpdate();
    }

    private UpdateControl<WorkerDeployment> rateLimited(CloudflareRateLimitedException e) {
      Duration wait = e.retryAfter().isNegative() ? Duration.ZERO : e.retryAfter();
      LOG.debugf("%s: rate-limited, next attempt in %s", id, wait);
      UpdateControl<WorkerDeployment> retry =
          UpdateControl.<WorkerDeployment>noUpdate()
              .rescheduleAfter(wait.plusMillis(ThreadLocalRandom.current().nextLong(50, 500)));
      if (!dropPending && readyAtGeneration()) {
        // Nothing was observed, so the last report stands: a Ready resource stays Ready and its
        // status is not rewritten. When many resources share a token most throttled attempts are
        // resyncs; writing each would multiply status writes (see docs/benchmark.md).
        return retry;
      }
      String message =
          e.fromCloudflare()
              ? "Cloudflare rate-limited the credential; next attempt after its Retry-After"
              : "The credential's client-side request budget is spent; next attempt when it refills";
      write(
          withoutPendingIfDropped(
              StatusReport.withConditionsKeepingReady(
                  status(),
                  generation,
                  Conditions.State.reconciling(Reasons.RATE_LIMITED, message),
                  now)));
      return retry;
    }

    private boolean readyAtGeneration() {
      return Objects.equals(status().getObservedGeneration(), generation)
          && Conditions.isTrue(statusConditions(), Conditions.READY);
    }

    private void reportTransient(CloudflareTransientException e) {
      String message = "Cloudflare API unavailable, retrying with back-off: " + describe(e);
      LOG.warnf("%s: %s", id, message);
      write(
          StatusReport.withConditionsKeepingReady(
              status(),
              generation,
              Conditions.State.reconciling(Reasons.API_UNAVAILABLE, message),
              now));
    }

    private WorkerDeploymentStatus withoutPendingIfDropped(WorkerDeploymentStatus next) {
      if (dropPending) {
        next.setPendingDeployment(null);
      }
      return next;
    }

    /** The oldest other resource declaring the same script, which owns it, if any. */
    private Optional<WorkerDeployment> otherOwner() {
      return scriptKey(current)
          .map(key -> context.getPrimaryCache().byIndex(SCRIPT_INDEX, key))
          .orElse(List.of())
          .stream()
          .filter(other -> !ResourceID.fromResource(other).equals(id))
          .filter(other -> ownsBefore(other, current))
          .findFirst();
    }

    /**
     * Cloudflare serves a deployment that neither this operator reported nor its own lost create
     * call made: someone else deployed behind its back.
     */
    private boolean isForeign(Optional<Deployment> live) {
      WorkerDeploymentStatus s = status();
      return live.isPresent()
          && s.getDeploymentId() != null
          && !Objects.equals(live.get().id(), s.getDeploymentId())
          && !Intent.landed(s.getPendingDeployment(), live);
    }

    /** Drift: someone else deployed while the spec stayed as the operator last reported it. */
    private boolean isDrift(Optional<Deployment> live) {
      Long observed = status().getObservedGeneration();
      return isForeign(live) && observed != null && observed == generation;
    }

    /** Report: writes the status when it differs, with optimistic locking. */
    private void write(WorkerDeploymentStatus next) {
      if (next.equals(current.getStatus())) {
        return;
      }
      current.setStatus(next);
      current = context.resourceOperations().updatePrimaryStatus(current);
    }

    private WorkerDeploymentStatus status() {
      return current.getStatus() == null ? new WorkerDeploymentStatus() : current.getStatus();
    }

    private List<io.fabric8.kubernetes.api.model.Condition> statusConditions() {
      return status().getConditions();
    }
  }

  private static final Set<String> READY_REASONS =
      Set.of(Reasons.DEPLOYED, Reasons.ADOPTED, Reasons.DRIFT_CORRECTED);

  /** True when {@code a} was created before {@code b} (ties broken by namespace/name). */
  private static boolean ownsBefore(WorkerDeployment a, WorkerDeployment b) {
    String ta = Objects.requireNonNullElse(a.getMetadata().getCreationTimestamp(), "");
    String tb = Objects.requireNonNullElse(b.getMetadata().getCreationTimestamp(), "");
    int byTime = ta.compareTo(tb);
    if (byTime != 0) {
      return byTime < 0;
    }
    return ResourceID.fromResource(a).toString().compareTo(ResourceID.fromResource(b).toString())
        < 0;
  }

  private static Optional<String> scriptKey(WorkerDeployment wd) {
    WorkerDeploymentSpec spec = wd.getSpec();
    if (spec == null || spec.getAccountId() == null || spec.getScriptName() == null) {
      return Optional.empty();
    }
    return Optional.of(spec.getAccountId() + "/" + spec.getScriptName());
  }

  private UpdateControl<WorkerDeployment> poll() {
    double jitter = settings.pollJitter() * ThreadLocalRandom.current().nextDouble();
    long millis = (long) (settings.pollInterval().toMillis() * (1 + jitter));
    return UpdateControl.<WorkerDeployment>noUpdate().rescheduleAfter(Duration.ofMillis(millis));
  }

  private static String serves(Deployment live) {
    return "Deployment " + live.id() + " serves " + summary(live);
  }

  private static String summary(Deployment d) {
    return DesiredDeployment.summary(StatusReport.versions(d));
  }

  /** Cloudflare's own words, with its code, and what to do for the cases that have a fix. */
  private static String describe(CloudflareApiException e) {
    String cloudflare = e.cloudflareMessage();
    String text =
        "Cloudflare "
            + (e.httpStatus() > 0 ? "answered HTTP " + e.httpStatus() : "did not answer")
            + (cloudflare.isEmpty() ? ": " + e.getMessage() : ": " + cloudflare);
    if (e instanceof CloudflareRejectedException r && r.rejection() == Rejection.SECRET_CHANGED) {
      text += ". Set spec.force: true to deploy anyway";
    }
    return text;
  }

  private static Optional<String> secretKey(WorkerDeployment wd) {
    return SecretSource.secretId(wd)
        .map(id -> id.getNamespace().orElseThrow() + "/" + id.getName());
  }
}
