package io.cfworkers.operator.reconcile;

import io.cfworkers.operator.api.v1alpha1.RolloutStatus;
import io.cfworkers.operator.api.v1alpha1.SecretKeyRef;
import io.cfworkers.operator.api.v1alpha1.TagResolution;
import io.cfworkers.operator.api.v1alpha1.VersionTraffic;
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
import io.cfworkers.operator.cloudflare.WorkersAnalyticsApi;
import io.cfworkers.operator.cloudflare.WorkersDeploymentsApi;
import io.cfworkers.operator.config.OperatorConfig;
import io.cfworkers.operator.rollout.RolloutAnnotations;
import io.cfworkers.operator.rollout.RolloutDecision;
import io.cfworkers.operator.rollout.RolloutInput;
import io.cfworkers.operator.rollout.RolloutPlanner;
import io.cfworkers.operator.rollout.analysis.AnalysisRules;
import io.cfworkers.operator.rollout.analysis.AnalysisSettings;
import io.cfworkers.operator.rollout.analysis.AnalysisVerdict;
import io.cfworkers.operator.rollout.analysis.AnalysisWindow;
import io.cfworkers.operator.tags.DesiredVersions;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
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
import io.quarkiverse.operatorsdk.runtime.api.ConfigurableReconciler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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
@ControllerConfiguration(
    name = WorkerDeploymentReconciler.NAME,
    // Generation changes and cfworkers.io/ annotation changes (rollout requests, hold) start a
    // reconciliation; status writes, including the operator's own, do not: see RequestFilter.
    generationAwareEventProcessing = false,
    informer = @Informer(onUpdateFilter = RequestFilter.class))
// Reconciler is named too: plain JOSDK (tests register it without Quarkus) reads the resource
// type from the directly implemented Reconciler's type argument.
public class WorkerDeploymentReconciler
    implements Reconciler<WorkerDeployment>, ConfigurableReconciler<WorkerDeployment> {
  public static final String NAME = "workerdeployment";

  private static final Logger LOG = Logger.getLogger(WorkerDeploymentReconciler.class);
  private static final String SCRIPT_INDEX = "cfworkers.io/script";

  /** When a measurement found the analytics budget spent: about one slice of it. */
  static final Duration ANALYTICS_RETRY = Duration.ofSeconds(6);

  private final WorkersDeploymentsApi cloudflare;
  private final EventRecorder events;
  private final OperatorConfig.Reconcile settings;

  /**
   * How long after its intent record a create call may still land: the wait for a rate-limit
   * permit, the request timeout, and the settle time.
   */
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

  /** Resolves spec.versions' tags to ids: per generation change and per poll, not per reconcile. */
  private final DesiredVersions desiredVersions;

  private final ConditionMetrics conditionMetrics;
  private final RolloutMetrics rolloutMetrics;

  /** Stretches the poll interval when the resources sharing a credential would exceed its share. */
  private final PollBudget pollBudget;

  /** Measures rollout canaries (spec.rollout.analysis) on Cloudflare's analytics. */
  private final CanaryAnalyst analyst;

  public WorkerDeploymentReconciler(
      WorkersDeploymentsApi cloudflare,
      WorkersAnalyticsApi analytics,
      EventRecorder events,
      OperatorConfig config,
      Clock clock,
      MeterRegistry meters,
      ConditionMetrics conditionMetrics) {
    this.cloudflare = cloudflare;
    this.analyst = new CanaryAnalyst(analytics, meters);
    this.events = events;
    OperatorConfig.requireValid(config);
    this.settings = config.reconcile();
    this.inFlightWindow = inFlightWindow(config);
    this.clock = clock;
    this.meters = meters;
    this.desiredVersions = new DesiredVersions(settings.pollInterval());
    this.conditionMetrics = conditionMetrics;
    this.rolloutMetrics = new RolloutMetrics(meters);
    OperatorConfig.RateLimit rateLimit = config.cloudflare().rateLimit();
    this.pollBudget =
        new PollBudget(
            settings.pollInterval(),
            rateLimit.requests(),
            rateLimit.period(),
            settings.pollBudgetShare(),
            meters);
  }

  /** How long after its intent record a create call may still land. */
  public static Duration inFlightWindow(OperatorConfig config) {
    return config
        .cloudflare()
        .rateLimit()
        .createMaxWait()
        .plus(config.cloudflare().requestTimeout())
        .plus(config.reconcile().settleTime());
  }

  /** The controller's cache keeps each resource without managedFields and kubectl's copy. */
  @Override
  public void updateConfigurationFrom(
      ControllerConfigurationOverrider<WorkerDeployment> overrider) {
    PrimaryCache.configure(overrider);
  }

  @Override
  public List<EventSource<?, WorkerDeployment>> prepareEventSources(
      EventSourceContext<WorkerDeployment> context) {
    context
        .getPrimaryCache()
        .addIndexer(SecretSource.SECRET_INDEX, WorkerDeploymentReconciler::secretKeys);
    context
        .getPrimaryCache()
        .addIndexer(SCRIPT_INDEX, wd -> scriptKey(wd).map(List::of).orElse(List.of()));
    List<EventSource<?, WorkerDeployment>> sources = new ArrayList<>(secrets.eventSources(context));
    sources.add(
        new ScriptOwners(
            context.getPrimaryCache(),
            SCRIPT_INDEX,
            WorkerDeploymentReconciler::scriptKey,
            this::forget));
    return sources;
  }

  @Override
  public UpdateControl<WorkerDeployment> reconcile(
      WorkerDeployment resource, Context<WorkerDeployment> context) {
    Timer.Sample timing = Timer.start(meters);
    Attempt attempt = new Attempt(resource, context);
    try {
      return attempt.run();
    } finally {
      // The resource as its status now stands: written by this attempt, or unchanged.
      conditionMetrics.record(attempt.current);
      rolloutMetrics.record(attempt.current);
      timing.stop(meters.timer("cfworkers.reconcile.duration"));
    }
  }

  /** A deleted resource leaves no series behind. */
  private void forget(WorkerDeployment gone) {
    String namespace = gone.getMetadata().getNamespace();
    String name = gone.getMetadata().getName();
    conditionMetrics.forget(namespace, name);
    rolloutMetrics.forget(namespace, name);
  }

  @Override
  public ErrorStatusUpdateControl<WorkerDeployment> updateErrorStatus(
      WorkerDeployment resource, Context<WorkerDeployment> context, Exception e) {
    // Every failure is logged once here or before it was thrown; the SDK's own line for it is kept
    // at DEBUG (application.properties). Failures the attempt reported already wrote their status.
    ResourceID id = ResourceID.fromResource(resource);
    if (e instanceof Reported || e instanceof CloudflareApiException) {
      LOG.debugf(e, "Reconciliation of %s will be retried", id);
    } else if (e instanceof KubernetesClientException k && k.getCode() == 409) {
      LOG.debugf("Reconciliation of %s will be retried: %s", id, e);
    } else {
      LOG.warnf("Reconciliation of %s failed, will be retried: %s", id, e);
      LOG.debugf(e, "Failure of %s", id);
    }
    return ErrorStatusUpdateControl.noStatusUpdate();
  }

  /**
   * A failure whose status the attempt wrote and that it logged: rethrown only for the back-off.
   */
  static final class Reported extends RuntimeException {
    Reported(Throwable cause) {
      super(cause.toString(), cause);
    }
  }

  /**
   * One reconciliation of one resource: observe → diff → act → report. Decisions are made by {@link
   * Decide} and applied by {@link #apply}; {@link #current} is the latest version written.
   */
  private final class Attempt {
    private final Context<WorkerDeployment> context;
    private final ResourceID id;
    private final WorkerDeploymentSpec spec;
    private final long generation;
    private final Instant now;

    /**
     * The split to work towards: spec.versions, then with each tag resolved to its id, then (with a
     * rollout in charge) the split of the rollout's current step.
     */
    private DesiredSplit desired;

    /** What the tags resolved to, written with every status (null: the spec names no tag). */
    private TagResolution tagResolution;

    /** True once a rollout's plan decides this reconciliation (status.rollout is written). */
    private boolean rolloutInCharge;

    private WorkerDeployment current;
    private String secretVersion;

    /** The credential's id, once resolved: polls are spread over its budget. */
    private String credentialId;

    /** The analytics token, once resolved (only for an analysed rollout). */
    private CredentialResolver.Resolution analyticsToken;

    Attempt(WorkerDeployment resource, Context<WorkerDeployment> context) {
      this.context = context;
      this.current = resource;
      this.id = ResourceID.fromResource(resource);
      this.spec = resource.getSpec();
      this.generation =
          Objects.requireNonNullElse(resource.getMetadata().getGeneration(), 0L).longValue();
      this.now = clock.instant();
      this.desired = spec == null ? null : DesiredSplit.fromSpec(spec);
      this.tagResolution =
          resource.getStatus() == null ? null : resource.getStatus().getTagResolution();
    }

    UpdateControl<WorkerDeployment> run() {
      try {
        return reconcile();
      } catch (CloudflareApiException | KubernetesClientException | Reported e) {
        throw e;
      } catch (RuntimeException e) {
        // A bug, or an answer nobody planned for: said in status, logged once, retried.
        String message = "Unexpected error, retrying with back-off: " + e;
        LOG.warnf(e, "%s: %s", id, message);
        apply(Decide.internalError(facts(), message));
        throw new Reported(e);
      }
    }

    private UpdateControl<WorkerDeployment> reconcile() {
      List<String> problems = SpecCheck.problems(spec);
      if (!problems.isEmpty()) {
        return apply(Decide.stalled(facts(), Reasons.INVALID_SPEC, String.join("; ", problems)));
      }
      Optional<WorkerDeployment> owner = otherOwner();
      if (owner.isPresent()) {
        return apply(
            Decide.stalled(
                facts(),
                Reasons.SCRIPT_CONFLICT,
                "WorkerDeployment "
                    + owner.get().getMetadata().getNamespace()
                    + "/"
                    + owner.get().getMetadata().getName()
                    + " already manages script "
                    + DesiredDeployment.script(spec)
                    + "; two resources declaring one script would undo each other's deployments"));
      }
      Optional<Secret> secret = secrets.read(current, context);
      CredentialResolver.Resolution credentials =
          CredentialResolver.resolve(spec.getAuth(), current.getMetadata().getNamespace(), secret);
      if (credentials instanceof CredentialResolver.Missing missing) {
        return apply(Decide.stalled(facts(), Reasons.CREDENTIALS_NOT_FOUND, missing.message()));
      }
      Credential credential = ((CredentialResolver.Found) credentials).credential();
      credentialId = credential.id();
      secretVersion = secret.get().getMetadata().getResourceVersion();
      String inputs = generation + "/" + secretVersion;
      if (inputs.equals(rejectedCreates.get(id))
          && Conditions.isTrue(status().getConditions(), Conditions.STALLED)) {
        return UpdateControl.noUpdate();
      }
      rejectedCreates.remove(id);
      if (measurementWaitsForBudget(credential)) {
        // Observing now would end in a query the analytics budget cannot pay for: look again
        // later, spending no REST call (many resources analysing on one token wait here).
        return UpdateControl.<WorkerDeployment>noUpdate()
            .rescheduleAfter(
                ANALYTICS_RETRY.plusMillis(
                    ThreadLocalRandom.current().nextLong(ANALYTICS_RETRY.toMillis())));
      }
      ScriptRef script = DesiredDeployment.script(spec);
      try {
        // The desired split by version id: each tag resolved (one listing per change or poll).
        DesiredVersions.Result resolution =
            desiredVersions.resolve(
                id.toString(),
                spec.getVersions(),
                tagResolution,
                generation,
                now,
                () -> cloudflare.deployableVersions(script, credential));
        if (resolution instanceof DesiredVersions.Stalled tagStall) {
          tagResolution = null;
          // A version carrying the tag may be uploaded later: observed again at the next poll.
          return apply(Decide.tagStalled(facts(), tagStall.reason(), tagStall.message()));
        }
        DesiredVersions.Resolved resolved = (DesiredVersions.Resolved) resolution;
        desired = new DesiredSplit(resolved.versions(), null);
        tagResolution = resolved.record();
        // Observe, diff (through the rollout's plan when a rollout is involved).
        // A change takes the create's permit with the read's: a read is never spent on a change
        // whose create then finds the budget spent (see CredentialRateLimiter#acquirePair).
        List<Deployment> history =
            Decide.changePending(current.getStatus(), generation, desired)
                ? cloudflare.listDeploymentsBeforeChange(script, credential, waiter())
                : cloudflare.listDeployments(script, credential);
        ReconcileDecision decision = decide(history, script, credential);
        if (decision.create().isEmpty()) {
          return apply(decision);
        }
        // Act: the intent record is written first; then the create is sent once.
        ReconcileDecision.Create create = decision.create().get();
        desired = create.split();
        if (create.drift()) {
          Deployment live = history.get(0);
          LOG.infof(
              "%s: live deployment %s (%s) differs from the unchanged spec (%s); restoring it",
              id, live.id(), Decide.summary(live), create.split().summary());
        }
        apply(decision);
        return create(script, credential, create, inputs);
      } catch (CloudflareRejectedException e) {
        return apply(Decide.stalled(facts(), Reasons.of(e), describe(e)));
      } catch (CloudflareRateLimitedException e) {
        if (e.permitsReserved()) {
          // The change's calls are reserved at a later slice of the budget: the thread goes back,
          // and the resource comes back when they are due (no status write meanwhile).
          LOG.debugf("%s: change waits for budget, calls reserved in %s", id, e.retryAfter());
          return apply(Decide.waitForReservedBudget(facts(), e.retryAfter()));
        }
        LOG.debugf("%s: rate-limited, next attempt in %s", id, e.retryAfter());
        return apply(Decide.rateLimited(facts(), e, false));
      } catch (CloudflareTransientException e) {
        return unavailable(e);
      }
    }

    /** Sends the create once and reports its outcome. */
    private UpdateControl<WorkerDeployment> create(
        ScriptRef script, Credential credential, ReconcileDecision.Create create, String inputs) {
      Deployment created;
      try {
        created =
            cloudflare.createDeployment(
                script, credential, create.split().request(spec.getMessage()), spec.force());
      } catch (CloudflareRejectedException e) {
        // Refused: nothing was created; the same inputs are not sent again.
        rejectedCreates.put(id, inputs);
        return apply(Decide.createRejected(facts(), Reasons.of(e), describe(e)));
      } catch (CloudflareRateLimitedException e) {
        LOG.debugf("%s: create rate-limited, next attempt in %s", id, e.retryAfter());
        return apply(Decide.rateLimited(facts(), e, true));
      } catch (CloudflareTransientException e) {
        // The call may have landed, or may still land: the intent record stays.
        return unavailable(e);
      }
      return apply(
          rolloutInCharge
              ? Decide.rolloutCreated(facts(), created)
              : Decide.created(facts(), created, create.drift()));
    }

    /**
     * The decision for one observation: as without a rollout, unless spec.rollout is set or
     * status.rollout says one was under way; then the rollout's plan decides (and says when no
     * rollout applies after all).
     */
    private ReconcileDecision decide(
        List<Deployment> history, ScriptRef script, Credential credential) {
      WorkerDeploymentStatus previous = current.getStatus();
      boolean rolloutStatus = previous != null && previous.getRollout() != null;
      if (spec.getRollout() == null && !rolloutStatus) {
        return Decide.observed(facts(), history);
      }
      List<VersionTraffic> live = history.isEmpty() ? null : StatusBuilder.versions(history.get(0));
      RolloutInput input =
          new RolloutInput(
              spec.getRollout(),
              desired.versions().get(0).getVersionId(),
              live,
              rolloutStatus ? previous.getRollout() : null,
              current.getMetadata().getAnnotations(),
              spec.suspended(),
              now);
      RolloutDecision plan = RolloutPlanner.plan(input);
      if (plan.measure().isPresent() && input.previous() != null) {
        plan = measured(input, plan, script, credential);
      }
      if (plan.status() == null) {
        return Decide.withoutRollout(facts(), history, plan);
      }
      rolloutInCharge = true;
      return Decide.rollout(facts(), history, plan);
    }

    /**
     * The plan once the measurement it asked for is made: the verdict recorded in the step's
     * analysis, then planned again from the same observation (so the same events, and the verdict's
     * consequence). Without an analytics permit now, the plan as it was, looked at again after one
     * slice of the analytics budget.
     */
    private RolloutDecision measured(
        RolloutInput input, RolloutDecision plan, ScriptRef script, Credential credential) {
      AnalysisWindow.Due window = plan.measure().get();
      RolloutStatus rollout = plan.status();
      AnalysisSettings analysisSettings = AnalysisSettings.of(spec.getRollout().getAnalysis());
      Optional<AnalysisVerdict> verdict;
      CredentialResolver.Resolution token = analyticsCredential(credential);
      if (token instanceof CredentialResolver.Missing missing) {
        verdict = Optional.of(analyst.failed(id.toString(), window, missing.message()));
      } else {
        verdict =
            analyst.measure(
                id.toString(),
                new CanaryAnalyst.Request(
                    script,
                    ((CredentialResolver.Found) token).credential(),
                    analysisSettings,
                    window,
                    rollout.getCanaryVersionId(),
                    rollout.getStableVersionId()));
      }
      if (verdict.isEmpty()) {
        return new RolloutDecision(
            plan.create(),
            plan.status(),
            plan.condition(),
            plan.events(),
            Optional.of(ANALYTICS_RETRY),
            Optional.empty());
      }
      RolloutStatus previous = new RolloutStatus(input.previous());
      previous.setAnalysis(
          AnalysisRules.record(
              rollout.getAnalysis(),
              Instant.parse(rollout.getStepStartedAt()),
              verdict.get(),
              now));
      return RolloutPlanner.plan(
          new RolloutInput(
              input.rollout(),
              input.targetVersionId(),
              input.live(),
              previous,
              input.annotations(),
              input.suspended(),
              input.now()));
    }

    /**
     * True when the last status shows a step whose measurement is due (and nothing else to do that
     * a new observation could show: same generation, no request) but the analytics token has no
     * query left now.
     */
    private boolean measurementWaitsForBudget(Credential credential) {
      WorkerDeploymentStatus previous = current.getStatus();
      if (spec.getRollout() == null
          || spec.getRollout().getAnalysis() == null
          || previous == null
          || previous.getRollout() == null
          || !Objects.equals(previous.getObservedGeneration(), generation)
          || previous.getPendingDeployment() != null) {
        return false;
      }
      boolean due =
          RolloutPlanner.measurementDue(
              new RolloutInput(
                  spec.getRollout(),
                  previous.getRollout().getCanaryVersionId(),
                  previous.getVersions(),
                  previous.getRollout(),
                  current.getMetadata().getAnnotations(),
                  spec.suspended(),
                  now));
      if (!due) {
        return false;
      }
      CredentialResolver.Resolution token = analyticsCredential(credential);
      return token instanceof CredentialResolver.Found found
          && !analyst.canQueryNow(found.credential());
    }

    /**
     * The analytics token: its own Secret's when the analysis names one, else spec.auth's. Resolved
     * once per attempt: the budget check and the measurement use the same.
     */
    private CredentialResolver.Resolution analyticsCredential(Credential credential) {
      if (analyticsToken == null) {
        SecretKeyRef ref = spec.getRollout().getAnalysis().getAnalyticsTokenSecretRef();
        analyticsToken =
            CredentialResolver.resolveAnalytics(
                ref,
                current.getMetadata().getNamespace(),
                ref == null ? Optional.empty() : secrets.readAnalytics(current, context),
                credential);
      }
      return analyticsToken;
    }

    private UpdateControl<WorkerDeployment> unavailable(CloudflareTransientException e) {
      String message = "Cloudflare API unavailable, retrying with back-off: " + describe(e);
      LOG.warnf("%s: %s", id, message);
      apply(Decide.unavailable(facts(), message));
      throw e;
    }

    /**
     * Report: writes the decision's status when it differs (a PUT of the status subresource with
     * optimistic locking); only once that succeeded, emits its events and counts its metrics.
     */
    private UpdateControl<WorkerDeployment> apply(ReconcileDecision decision) {
      write(decision.status());
      decision
          .events()
          .forEach(
              n -> {
                if (n.warning()) {
                  events.warning(current, n.reason(), n.message());
                } else {
                  events.normal(current, n.reason(), n.message());
                }
              });
      decision.counters().forEach(name -> meters.counter(name).increment());
      rolloutMetrics.count(current, decision.events());
      ReconcileDecision.LookAgain next = decision.lookAgain();
      return switch (next.kind()) {
        case POLL -> poll(pollInterval());
        // Never later than the poll: drift is still noticed during a long rollout pause.
        case AFTER ->
            UpdateControl.<WorkerDeployment>noUpdate()
                .rescheduleAfter(min(next.after(), settings.pollInterval()));
        case WHEN_DUE -> UpdateControl.<WorkerDeployment>noUpdate().rescheduleAfter(next.after());
        case AFTER_SPREAD ->
            UpdateControl.<WorkerDeployment>noUpdate()
                .rescheduleAfter(
                    next.after().plusMillis(ThreadLocalRandom.current().nextLong(50, 500)));
        case ON_CHANGE, RETRY -> UpdateControl.noUpdate();
      };
    }

    /** The poll interval of this resource's credential: stretched when polls exceed its share. */
    private Duration pollInterval() {
      Optional<String> secret =
          SecretSource.secretId(current)
              .map(sid -> sid.getNamespace().orElseThrow() + "/" + sid.getName());
      if (credentialId == null || secret.isEmpty()) {
        return settings.pollInterval();
      }
      return pollBudget.interval(
          credentialId,
          secret.get(),
          key -> context.getPrimaryCache().byIndex(SecretSource.SECRET_INDEX, key).size());
    }

    private Decide.Facts facts() {
      return new Decide.Facts(
          current.getStatus(),
          generation,
          desired,
          spec != null && spec.suspended(),
          secretVersion,
          now,
          inFlightWindow,
          hold(current),
          tagResolution);
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

    /** Who a change's reserved budget is for: this resource, by namespace/name. */
    private String waiter() {
      return current.getMetadata().getNamespace() + "/" + current.getMetadata().getName();
    }

    private void write(WorkerDeploymentStatus next) {
      WorkerDeploymentStatus previous = current.getStatus();
      if (next.equals(previous)
          || (previous == null && next.equals(new WorkerDeploymentStatus()))) {
        // Unchanged, or nothing to say yet (a change waiting for budget before its first status).
        return;
      }
      current.setStatus(next);
      current = context.resourceOperations().updatePrimaryStatus(current);
    }

    private WorkerDeploymentStatus status() {
      return current.getStatus() == null ? new WorkerDeploymentStatus() : current.getStatus();
    }
  }

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

  /** The break-glass hold's reason, or null when the resource is not held. */
  static String hold(WorkerDeployment wd) {
    Map<String, String> annotations = wd.getMetadata().getAnnotations();
    String reason = annotations == null ? null : annotations.get(RolloutAnnotations.HOLD);
    if (reason == null) {
      return null;
    }
    return reason.isBlank() ? "no reason given" : reason;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private UpdateControl<WorkerDeployment> poll(Duration interval) {
    double jitter = settings.pollJitter() * ThreadLocalRandom.current().nextDouble();
    long millis = (long) (interval.toMillis() * (1 + jitter));
    return UpdateControl.<WorkerDeployment>noUpdate().rescheduleAfter(Duration.ofMillis(millis));
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

  private static List<String> secretKeys(WorkerDeployment wd) {
    return SecretSource.secretIds(wd).stream()
        .map(id -> id.getNamespace().orElseThrow() + "/" + id.getName())
        .sorted()
        .toList();
  }
}
