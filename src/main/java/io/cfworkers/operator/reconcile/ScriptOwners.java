package io.cfworkers.operator.reconcile;

import io.cfworkers.operator.api.v1alpha1.WorkerDeployment;
import io.cfworkers.operator.api.v1alpha1.WorkerDeploymentSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Releases a resource blocked by {@code ScriptConflict} when the resource that owns the script is
 * deleted: the deletion of a WorkerDeployment reconciles the other resources declaring the same
 * account and script. (Account and script are immutable, so deletion is the only way a script
 * changes hands.) Without it the blocked resource would wait for the framework's maximum
 * reconciliation interval.
 *
 * <p>The deletion comes from an informer of its own, which may see it before the controller's cache
 * does; the blocked resource looks for the owner in the controller's cache, so the event is sent
 * once that cache no longer holds the deleted resource (or after {@link #PRIMARY_CACHE_WAIT}). Its
 * cache keeps only identity, account and script of each resource. The same deletion is passed to
 * {@code onDeleted}, so the deleted resource's metrics go with it.
 */
final class ScriptOwners {
  static final String EVENT_SOURCE = "script-owners";
  static final Duration PRIMARY_CACHE_WAIT = Duration.ofSeconds(2);

  private ScriptOwners() {}

  /**
   * @param scriptIndex the primary cache's index of resources by {@code scriptKey}
   * @param scriptKey the account and script a resource declares, as the index keys them
   */
  static List<EventSource<?, WorkerDeployment>> eventSources(
      EventSourceContext<WorkerDeployment> context,
      String scriptIndex,
      Function<WorkerDeployment, Optional<String>> scriptKey,
      Consumer<WorkerDeployment> onDeleted) {
    IndexerResourceCache<WorkerDeployment> primaries = context.getPrimaryCache();
    return SlimInformers.of(
        context,
        EVENT_SOURCE,
        name ->
            InformerEventSourceConfiguration.from(WorkerDeployment.class, WorkerDeployment.class)
                .withName(name)
                // Only deletions: creating or changing a resource never hands a script over.
                .withOnAddFilter(wd -> false)
                .withOnUpdateFilter((newer, older) -> false)
                .withSecondaryToPrimaryMapper(
                    (WorkerDeployment gone) -> {
                      // Called for deletions only (the filters above): the deleted resource's
                      // per-resource metrics go too.
                      onDeleted.accept(gone);
                      return othersDeclaring(gone, primaries, scriptIndex, scriptKey);
                    })
                // Nothing asks for this source's resources: no primary-to-secondary index.
                .withPrimaryToSecondaryMapper((WorkerDeployment wd) -> Set.of()),
        ScriptOwners::identityAndScript);
  }

  static Set<ResourceID> othersDeclaring(
      WorkerDeployment gone,
      IndexerResourceCache<WorkerDeployment> primaries,
      String scriptIndex,
      Function<WorkerDeployment, Optional<String>> scriptKey) {
    Optional<String> key = scriptKey.apply(gone);
    if (key.isEmpty() || others(gone, primaries, scriptIndex, key.get()).isEmpty()) {
      return Set.of();
    }
    ResourceID id = ResourceID.fromResource(gone);
    long deadline = System.nanoTime() + PRIMARY_CACHE_WAIT.toNanos();
    while (primaries
            .get(id)
            .filter(r -> Objects.equals(r.getMetadata().getUid(), gone.getMetadata().getUid()))
            .isPresent()
        && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return others(gone, primaries, scriptIndex, key.get());
  }

  private static Set<ResourceID> others(
      WorkerDeployment gone,
      IndexerResourceCache<WorkerDeployment> primaries,
      String scriptIndex,
      String key) {
    ResourceID id = ResourceID.fromResource(gone);
    return primaries.byIndex(scriptIndex, key).stream()
        .map(ResourceID::fromResource)
        .filter(other -> !other.equals(id))
        .collect(Collectors.toSet());
  }

  /**
   * What the cache keeps: identity, account and script (strings shared with the controller's cache,
   * {@link SharedStrings}); no versions, status or auth.
   */
  static WorkerDeployment identityAndScript(WorkerDeployment wd) {
    WorkerDeployment slim = new WorkerDeployment();
    slim.setMetadata(
        new ObjectMetaBuilder()
            .withName(SharedStrings.of(wd.getMetadata().getName()))
            .withNamespace(SharedStrings.of(wd.getMetadata().getNamespace()))
            .withUid(SharedStrings.of(wd.getMetadata().getUid()))
            .withResourceVersion(wd.getMetadata().getResourceVersion())
            .build());
    if (wd.getSpec() != null) {
      WorkerDeploymentSpec spec = new WorkerDeploymentSpec();
      spec.setAccountId(SharedStrings.of(wd.getSpec().getAccountId()));
      spec.setScriptName(SharedStrings.of(wd.getSpec().getScriptName()));
      slim.setSpec(spec);
    }
    return slim;
  }
}
