package io.cfworkers.operator.reconcile;

import io.cfworkers.operator.api.v1alpha1.WorkerDeployment;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Which updates of a WorkerDeployment start a reconciliation: a new generation (the spec changed),
 * a changed annotation under {@code cfworkers.io/} (a rollout request such as {@code
 * cfworkers.io/promote}, or the break-glass {@code cfworkers.io/hold}), or the deletion mark.
 * Anything else, in particular a status write (the operator's own included), does not: the
 * framework's generation-aware processing would ignore the annotations too, so requests would wait
 * for the next poll.
 */
public final class RequestFilter implements OnUpdateFilter<WorkerDeployment> {
  /** The prefix of the annotations the operator reads. */
  public static final String PREFIX = "cfworkers.io/";

  @Override
  public boolean accept(WorkerDeployment newer, WorkerDeployment older) {
    ObjectMeta n = newer.getMetadata();
    ObjectMeta o = older.getMetadata();
    return !Objects.equals(n.getGeneration(), o.getGeneration())
        || (n.getDeletionTimestamp() != null && o.getDeletionTimestamp() == null)
        || !ours(n.getAnnotations()).equals(ours(o.getAnnotations()));
  }

  private static Map<String, String> ours(Map<String, String> annotations) {
    Map<String, String> out = new TreeMap<>();
    if (annotations != null) {
      annotations.forEach(
          (k, v) -> {
            if (k.startsWith(PREFIX)) {
              out.put(k, v);
            }
          });
    }
    return out;
  }
}
