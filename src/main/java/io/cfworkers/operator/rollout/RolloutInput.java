package io.cfworkers.operator.rollout;

import io.cfworkers.operator.api.v1alpha1.RolloutSpec;
import io.cfworkers.operator.api.v1alpha1.RolloutStatus;
import io.cfworkers.operator.api.v1alpha1.VersionTraffic;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything {@link RolloutPlanner#plan} looks at: nothing else, so a plan can be repeated by any
 * process from the resource and one observation of Cloudflare.
 *
 * @param rollout {@code spec.rollout}; null when the spec has none (or it was removed)
 * @param targetVersionId the version id of the spec's single {@code versions} entry, resolved
 * @param live the split Cloudflare serves now; null when the script has no deployment
 * @param previous {@code status.rollout} as last written; null when there is none
 * @param annotations the resource's annotations (requests and hold); null is read as none
 * @param suspended {@code spec.suspend}
 * @param now the time of this plan
 */
public record RolloutInput(
    RolloutSpec rollout,
    String targetVersionId,
    List<VersionTraffic> live,
    RolloutStatus previous,
    Map<String, String> annotations,
    boolean suspended,
    Instant now) {

  public RolloutInput {
    // A null value (which the API server never stores, but a client's map may hold) is no value.
    Map<String, String> present = new HashMap<>();
    if (annotations != null) {
      annotations.forEach(
          (k, v) -> {
            if (v != null) {
              present.put(k, v);
            }
          });
    }
    annotations = Map.copyOf(present);
  }

  /** The value of annotation {@code key}, or null. */
  public String annotation(String key) {
    return annotations.get(key);
  }
}
