package io.cfworkers.operator.reconcile;

import io.cfworkers.operator.api.v1alpha1.SecretKeyRef;
import io.cfworkers.operator.api.v1alpha1.WorkerDeployment;
import io.cfworkers.operator.api.v1alpha1.WorkerDeploymentSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The Secrets that hold the credentials, read so that memory does not grow with the Secrets of the
 * cluster: the informer on Secrets caches only their metadata (a changed Secret still triggers a
 * reconciliation of the resources naming it), and the data of a Secret a resource names is read
 * with a GET the first time each resourceVersion of it is needed. Only Secrets some resource names
 * are kept in full, and only their data.
 */
public final class SecretSource {
  static final String EVENT_SOURCE = "auth-secrets";

  /** Index of the primary cache: "namespace/name" of the Secret a resource names. */
  static final String SECRET_INDEX = "cfworkers.io/auth-secret";

  /** Referenced Secrets as last read: metadata (name, namespace, resourceVersion) and data. */
  private final Map<ResourceID, Secret> read = new ConcurrentHashMap<>();

  /**
   * The event sources of Secret metadata: an event on a Secret reconciles the resources that name
   * it. Requires the {@link #SECRET_INDEX} indexer on the primary cache.
   */
  List<EventSource<?, WorkerDeployment>> eventSources(
      EventSourceContext<WorkerDeployment> context) {
    IndexerResourceCache<WorkerDeployment> primaries = context.getPrimaryCache();
    return SlimInformers.of(
        context,
        EVENT_SOURCE,
        name ->
            InformerEventSourceConfiguration.from(Secret.class, WorkerDeployment.class)
                .withName(name)
                .withSecondaryToPrimaryMapper(
                    (Secret s) -> {
                      Set<ResourceID> naming =
                          primaries
                              .byIndex(
                                  SECRET_INDEX,
                                  s.getMetadata().getNamespace() + "/" + s.getMetadata().getName())
                              .stream()
                              .map(ResourceID::fromResource)
                              .collect(Collectors.toSet());
                      if (naming.isEmpty()) {
                        read.remove(ResourceID.fromResource(s));
                      }
                      return naming;
                    })
                .withPrimaryToSecondaryMapper((WorkerDeployment wd) -> secretIds(wd)),
        SecretSource::metadataOnly);
  }

  /**
   * The Secret {@code resource} names, with its data, or empty when it names none or it does not
   * exist. Reads it from the API server when the cached metadata shows a version not read yet.
   */
  public Optional<Secret> read(WorkerDeployment resource, Context<WorkerDeployment> context) {
    return read(secretId(resource), context);
  }

  /**
   * The Secret holding the analytics token ({@code spec.rollout.analysis.analyticsTokenSecretRef}),
   * with its data, or empty when the resource names none or it does not exist.
   */
  public Optional<Secret> readAnalytics(
      WorkerDeployment resource, Context<WorkerDeployment> context) {
    return read(analyticsSecretId(resource), context);
  }

  private Optional<Secret> read(Optional<ResourceID> id, Context<WorkerDeployment> context) {
    if (id.isEmpty()) {
      return Optional.empty();
    }
    Optional<String> cachedVersion =
        context
            .getSecondaryResourcesAsStream(Secret.class)
            .filter(s -> ResourceID.fromResource(s).equals(id.get()))
            .map(s -> s.getMetadata().getResourceVersion())
            .findFirst();
    return read(id.get(), cachedVersion, context.getClient());
  }

  /**
   * @param cachedVersion the Secret's resourceVersion in the informer's cache, empty when the cache
   *     has no such Secret
   */
  Optional<Secret> read(ResourceID id, Optional<String> cachedVersion, KubernetesClient client) {
    if (cachedVersion.isEmpty()) {
      read.remove(id);
      return Optional.empty();
    }
    Secret known = read.get(id);
    if (known != null
        && Objects.equals(known.getMetadata().getResourceVersion(), cachedVersion.get())) {
      return Optional.of(known);
    }
    Secret fresh =
        client.secrets().inNamespace(id.getNamespace().orElseThrow()).withName(id.getName()).get();
    if (fresh == null) {
      read.remove(id);
      return Optional.empty();
    }
    Secret kept = dataOnly(fresh);
    read.put(id, kept);
    return Optional.of(kept);
  }

  /** How many Secrets are kept in full: those read for some resource and not deleted since. */
  int keptInFull() {
    return read.size();
  }

  /** What the informer caches of a Secret: identity and version, no data, labels or annotations. */
  static Secret metadataOnly(Secret s) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName(s.getMetadata().getName())
        .withNamespace(s.getMetadata().getNamespace())
        .withResourceVersion(s.getMetadata().getResourceVersion())
        .withUid(s.getMetadata().getUid())
        .endMetadata()
        .build();
  }

  /**
   * What is kept of a Secret read in full: identity, version and data (annotations can repeat the
   * data, e.g. kubectl's last-applied-configuration, and are not needed).
   */
  static Secret dataOnly(Secret s) {
    Secret kept = metadataOnly(s);
    kept.setData(s.getData());
    return kept;
  }

  /** The Secrets the resource names (credentials and analytics token), in its own namespace. */
  static Set<ResourceID> secretIds(WorkerDeployment wd) {
    Set<ResourceID> ids = new HashSet<>();
    secretId(wd).ifPresent(ids::add);
    analyticsSecretId(wd).ifPresent(ids::add);
    return ids;
  }

  /** The Secret of {@code spec.rollout.analysis.analyticsTokenSecretRef}, if named. */
  static Optional<ResourceID> analyticsSecretId(WorkerDeployment wd) {
    WorkerDeploymentSpec spec = wd.getSpec();
    if (spec == null || spec.getRollout() == null || spec.getRollout().getAnalysis() == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(spec.getRollout().getAnalysis().getAnalyticsTokenSecretRef())
        .map(SecretKeyRef::getName)
        .map(name -> new ResourceID(name, wd.getMetadata().getNamespace()));
  }

  /** The Secret the resource names: in its own namespace, the only place it may be. */
  static Optional<ResourceID> secretId(WorkerDeployment wd) {
    if (wd.getSpec() == null) {
      return Optional.empty();
    }
    return CredentialResolver.secretRef(wd.getSpec().getAuth())
        .map(SecretKeyRef::getName)
        .map(name -> new ResourceID(name, wd.getMetadata().getNamespace()));
  }
}
