package io.cfworkers.operator.reconcile;

import io.cfworkers.operator.api.v1alpha1.WorkerDeployment;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.processing.event.source.informer.TransformingItemStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The controller's cache of WorkerDeployments, holding each resource without the two parts of its
 * metadata that only the API server and kubectl use: {@code metadata.managedFields} (a real API
 * server adds an entry per writer: kubectl's spec fields, the operator's status fields) and the
 * {@value #LAST_APPLIED} annotation (a JSON copy of the whole applied object). On a real cluster
 * they are most of a cached object. Everything the operator reads stays: spec, status, name,
 * namespace, uid, generation, resourceVersion, creationTimestamp, labels and every other annotation
 * ({@code cfworkers.io/} requests and hold included). The strings that many resources repeat
 * (namespace, account, condition reasons, …) are shared ({@link SharedStrings}).
 *
 * <p>The object is pruned where the informer stores it, before any event handler or reconciler sees
 * it (in place: the informer hands the store a freshly read object), so no reader ever sees a field
 * that another copy has. A status write sends the pruned object, and the API server ignores the
 * metadata of a status write (and keeps managedFields a request omits).
 *
 * <p>An item store belongs to one informer (an informer's re-list drops every key of its store that
 * it did not list), and the framework gives the one store of the configuration to each namespace's
 * informer; so the store is used only when the controller has one informer: all namespaces or a
 * single one. With several watched namespaces the cache keeps the objects as read.
 */
public final class PrimaryCache extends TransformingItemStore<WorkerDeployment> {
  /** kubectl's client-side apply record: a JSON copy of the applied object. */
  public static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

  public PrimaryCache() {
    super(UnaryOperator.identity());
  }

  /**
   * Prunes {@code obj} before the store sees it: the base store puts back the name, namespace and
   * resourceVersion it read from the object it was given, which must be the shared instances.
   */
  @Override
  public WorkerDeployment put(String key, WorkerDeployment obj) {
    return super.put(key, prune(obj));
  }

  /** Sets this store on the controller's informer when it has one informer (see class doc). */
  static void configure(ControllerConfigurationOverrider<WorkerDeployment> overrider) {
    Set<String> namespaces = overrider.build().getInformerConfig().getNamespaces();
    if (fits(namespaces)) {
      overrider.withItemStore(new PrimaryCache());
    }
  }

  /** True when the controller has one informer for these namespaces, so one store fits. */
  static boolean fits(Set<String> namespaces) {
    return namespaces.size() <= 1;
  }

  /**
   * Drops managedFields and the last-applied annotation from {@code wd}, shares its repeated
   * strings ({@link SharedStrings}), and returns it.
   */
  static WorkerDeployment prune(WorkerDeployment wd) {
    ObjectMeta metadata = wd.getMetadata();
    if (metadata == null) {
      return SharedStrings.share(wd);
    }
    metadata.setManagedFields(null);
    Map<String, String> annotations = metadata.getAnnotations();
    if (annotations != null && annotations.containsKey(LAST_APPLIED)) {
      Map<String, String> kept = new LinkedHashMap<>(annotations);
      kept.remove(LAST_APPLIED);
      metadata.setAnnotations(kept);
    }
    return SharedStrings.share(wd);
  }
}
