package io.cfworkers.operator.reconcile;

import io.cfworkers.operator.api.v1alpha1.WorkerDeployment;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.TransformingItemStore;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Informer event sources whose caches keep a slim copy of each object (what {@code slim} returns,
 * plus name, namespace and resourceVersion), not the object itself. Events still carry the whole
 * object; only what stays in memory between events is reduced.
 *
 * <p>An item store belongs to one informer: an informer's re-list drops every key of its store that
 * it did not list, so a store shared by the informers of several namespaces would lose the other
 * namespaces' objects. With several watched namespaces there is therefore one event source, with
 * its own store, per namespace, named {@code name-<namespace>}.
 */
final class SlimInformers {
  private SlimInformers() {}

  /**
   * @param configuration the event source's configuration, given the name it must carry
   * @param slim what of an object the cache keeps
   */
  static <R extends HasMetadata> List<EventSource<?, WorkerDeployment>> of(
      EventSourceContext<WorkerDeployment> context,
      String name,
      Function<String, InformerEventSourceConfiguration.Builder<R>> configuration,
      UnaryOperator<R> slim) {
    Set<String> namespaces =
        context.getControllerConfiguration().getInformerConfig().getNamespaces();
    if (namespaces.size() <= 1) {
      // All namespaces, the current one, or a single one: one informer.
      return List.of(
          new InformerEventSource<>(
              configuration.apply(name).withItemStore(new TransformingItemStore<>(slim)).build(),
              context));
    }
    return namespaces.stream()
        .sorted()
        .<EventSource<?, WorkerDeployment>>map(
            ns ->
                new InformerEventSource<>(
                    configuration
                        .apply(name + "-" + ns)
                        .withNamespaces(ns)
                        .withItemStore(new TransformingItemStore<>(slim))
                        .build(),
                    context))
        .toList();
  }
}
