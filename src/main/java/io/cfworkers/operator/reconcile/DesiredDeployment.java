package io.cfworkers.operator.reconcile;

import io.cfworkers.operator.api.v1alpha1.VersionTraffic;
import io.cfworkers.operator.api.v1alpha1.WorkerDeploymentSpec;
import io.cfworkers.operator.cloudflare.ScriptRef;
import java.util.List;

/** The target script and how splits are written for people. Pure. */
public final class DesiredDeployment {
  private DesiredDeployment() {}

  public static ScriptRef script(WorkerDeploymentSpec spec) {
    return new ScriptRef(spec.getAccountId(), spec.getScriptName());
  }

  /** The split in short, e.g. {@code 182bd5e5@90,7a3c0b4e@10}: for columns, events and logs. */
  public static String summary(List<VersionTraffic> versions) {
    if (versions == null || versions.isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    for (VersionTraffic v : versions) {
      if (out.length() > 0) {
        out.append(',');
      }
      String id = v.getVersionId() == null ? "?" : v.getVersionId();
      out.append(id, 0, Math.min(8, id.length())).append('@').append(percent(v.getPercentage()));
    }
    return out.toString();
  }

  /** A percentage as people write it: {@code 90}, {@code 33.33}. */
  static String percent(Double p) {
    if (p == null) {
      return "?";
    }
    if (p == Math.rint(p)) {
      return Long.toString(p.longValue());
    }
    return java.math.BigDecimal.valueOf(p).stripTrailingZeros().toPlainString();
  }
}
