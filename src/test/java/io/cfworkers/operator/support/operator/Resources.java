package io.cfworkers.operator.support.operator;

import io.cfworkers.operator.api.v1alpha1.CloudflareAuth;
import io.cfworkers.operator.api.v1alpha1.SecretKeyRef;
import io.cfworkers.operator.api.v1alpha1.VersionTraffic;
import io.cfworkers.operator.api.v1alpha1.WorkerDeployment;
import io.cfworkers.operator.api.v1alpha1.WorkerDeploymentSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.ArrayList;
import java.util.List;

/** Builders for the Kubernetes objects operator tests create. */
public final class Resources {
  public static final String SECRET_NAME = "cloudflare-api";
  public static final String SECRET_KEY = "token";

  private Resources() {}

  /**
   * The Secret holding an API token, as the API server stores it: in {@code data}, base64-encoded
   * (the mock API server does not turn {@code stringData} into {@code data} as a real one does).
   */
  public static Secret tokenSecret(String namespace, String token) {
    return new SecretBuilder()
        .withMetadata(
            new ObjectMetaBuilder().withName(SECRET_NAME).withNamespace(namespace).build())
        .addToData(
            SECRET_KEY,
            java.util.Base64.getEncoder()
                .encodeToString(token.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .build();
  }

  /** A WorkerDeployment using the token Secret, with versions as id, percentage, id, percentage. */
  public static WorkerDeployment workerDeployment(
      String namespace, String name, String accountId, String script, Object... split) {
    WorkerDeployment wd = new WorkerDeployment();
    wd.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    WorkerDeploymentSpec spec = new WorkerDeploymentSpec();
    spec.setAccountId(accountId);
    spec.setScriptName(script);
    CloudflareAuth auth = new CloudflareAuth();
    auth.setApiTokenSecretRef(new SecretKeyRef(SECRET_NAME, SECRET_KEY));
    spec.setAuth(auth);
    spec.setStrategy("percentage");
    spec.setVersions(split(split));
    wd.setSpec(spec);
    return wd;
  }

  public static List<VersionTraffic> split(Object... pairs) {
    List<VersionTraffic> out = new ArrayList<>();
    for (int i = 0; i < pairs.length; i += 2) {
      out.add(new VersionTraffic((String) pairs[i], ((Number) pairs[i + 1]).doubleValue()));
    }
    return out;
  }
}
