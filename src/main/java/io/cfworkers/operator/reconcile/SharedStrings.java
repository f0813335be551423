package io.cfworkers.operator.reconcile;

import io.cfworkers.operator.api.v1alpha1.CloudflareAuth;
import io.cfworkers.operator.api.v1alpha1.PendingDeployment;
import io.cfworkers.operator.api.v1alpha1.SecretKeyRef;
import io.cfworkers.operator.api.v1alpha1.VersionTraffic;
import io.cfworkers.operator.api.v1alpha1.WorkerDeployment;
import io.cfworkers.operator.api.v1alpha1.WorkerDeploymentSpec;
import io.cfworkers.operator.api.v1alpha1.WorkerDeploymentStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.List;

/**
 * One String instance for each value that many cached resources repeat. Every resource read from
 * the API server comes with its own copy of each string: the namespace, apiVersion, account id,
 * Secret name and key, version ids (in spec, status and the pending record), condition types,
 * statuses, reasons and transition times (to the second), the status's source and author. At 5,000
 * resources these copies were about a third of the live heap. {@link #share} replaces them, in
 * place and with equal values, by the JVM's interned instance (the intern table holds them weakly:
 * a value no resource uses any more goes with the next collection). Values that are unique per
 * resource and change with it (messages, deployment ids, summaries, time stamps with fractions) are
 * left as read.
 */
final class SharedStrings {
  private SharedStrings() {}

  /** The shared instance of {@code s}: equal, and the same object for every equal value. */
  static String of(String s) {
    return s == null ? null : s.intern();
  }

  /** Replaces the repeated strings of {@code wd} by shared instances; returns {@code wd}. */
  static WorkerDeployment share(WorkerDeployment wd) {
    ObjectMeta m = wd.getMetadata();
    if (m != null) {
      m.setNamespace(of(m.getNamespace()));
      m.setName(of(m.getName()));
      m.setUid(of(m.getUid()));
      m.setCreationTimestamp(of(m.getCreationTimestamp()));
    }
    WorkerDeploymentSpec spec = wd.getSpec();
    if (spec != null) {
      spec.setAccountId(of(spec.getAccountId()));
      spec.setScriptName(of(spec.getScriptName()));
      spec.setStrategy(of(spec.getStrategy()));
      CloudflareAuth auth = spec.getAuth();
      if (auth != null) {
        auth.setEmail(of(auth.getEmail()));
        share(auth.getApiTokenSecretRef());
        share(auth.getApiKeySecretRef());
      }
      share(spec.getVersions());
    }
    WorkerDeploymentStatus status = wd.getStatus();
    if (status != null) {
      status.setSource(of(status.getSource()));
      status.setAuthorEmail(of(status.getAuthorEmail()));
      status.setTriggeredBy(of(status.getTriggeredBy()));
      share(status.getVersions());
      PendingDeployment pending = status.getPendingDeployment();
      if (pending != null) {
        pending.setSecretVersion(of(pending.getSecretVersion()));
        share(pending.getVersions());
      }
      if (status.getConditions() != null) {
        for (Condition c : status.getConditions()) {
          c.setType(of(c.getType()));
          c.setStatus(of(c.getStatus()));
          c.setReason(of(c.getReason()));
          c.setLastTransitionTime(of(c.getLastTransitionTime()));
        }
      }
    }
    return wd;
  }

  private static void share(SecretKeyRef ref) {
    if (ref != null) {
      ref.setName(of(ref.getName()));
      ref.setKey(of(ref.getKey()));
    }
  }

  private static void share(List<VersionTraffic> versions) {
    if (versions != null) {
      for (VersionTraffic v : versions) {
        v.setVersionId(of(v.getVersionId()));
        v.setVersionTag(of(v.getVersionTag()));
      }
    }
  }
}
