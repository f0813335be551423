package io.cfworkers.operator.reconcile;

import io.cfworkers.operator.api.v1alpha1.WorkerDeployment;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.ResourceEventAware;
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
 * <p>The deletion comes from the controller's own informer: the framework passes every event of a
 * primary resource to the event sources that ask for them ({@link ResourceEventAware}), before its
 * own filters, and the informer has already dropped the deleted resource from the controller's
 * cache, where a blocked resource looks for the owner. So no second informer, watch or cache of the
 * resources is needed. The same deletion is passed to {@code onDeleted}, so the deleted resource's
 * metrics go with it.
 */
final class ScriptOwners extends AbstractEventSource<Void, WorkerDeployment>
    implements ResourceEventAware<WorkerDeployment> {
  static final String EVENT_SOURCE = "script-owners";

  private final IndexerResourceCache<WorkerDeployment> primaries;
  private final String scriptIndex;
  private final Function<WorkerDeployment, Optional<String>> scriptKey;
  private final Consumer<WorkerDeployment> onDeleted;

  /**
   * @param scriptIndex the primary cache's index of resources by {@code scriptKey}
   * @param scriptKey the account and script a resource declares, as the index keys them
   */
  ScriptOwners(
      IndexerResourceCache<WorkerDeployment> primaries,
      String scriptIndex,
      Function<WorkerDeployment, Optional<String>> scriptKey,
      Consumer<WorkerDeployment> onDeleted) {
    super(Void.class, EVENT_SOURCE);
    this.primaries = primaries;
    this.scriptIndex = scriptIndex;
    this.scriptKey = scriptKey;
    this.onDeleted = onDeleted;
  }

  @Override
  public void onResourceDeleted(WorkerDeployment gone) {
    onDeleted.accept(gone);
    if (!isRunning()) {
      return;
    }
    for (ResourceID other : othersDeclaring(gone, primaries, scriptIndex, scriptKey)) {
      getEventHandler().handleEvent(new Event(other));
    }
  }

  /** Nothing asks this source for resources: it only turns deletions into events. */
  @Override
  public Set<Void> getSecondaryResources(WorkerDeployment primary) {
    return Set.of();
  }

  /** The resources other than {@code gone} that declare its account and script. */
  static Set<ResourceID> othersDeclaring(
      WorkerDeployment gone,
      IndexerResourceCache<WorkerDeployment> primaries,
      String scriptIndex,
      Function<WorkerDeployment, Optional<String>> scriptKey) {
    Optional<String> key = scriptKey.apply(gone);
    if (key.isEmpty()) {
      return Set.of();
    }
    ResourceID id = ResourceID.fromResource(gone);
    return primaries.byIndex(scriptIndex, key.get()).stream()
        .map(ResourceID::fromResource)
        .filter(other -> !other.equals(id))
        .collect(Collectors.toSet());
  }
}
