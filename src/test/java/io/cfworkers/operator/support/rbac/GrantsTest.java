package io.cfworkers.operator.support.rbac;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cfworkers.operator.support.rbac.Grants.Grant;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GrantsTest {
  private static final Grants CHART_LIKE =
      new Grants(
          List.of(
              new Grant(
                  null,
                  new PolicyRuleBuilder()
                      .withApiGroups("cfworkers.io")
                      .withResources("workerdeployments")
                      .withVerbs("get", "list", "watch")
                      .build()),
              new Grant(
                  "shop",
                  new PolicyRuleBuilder()
                      .withApiGroups("")
                      .withResources("secrets")
                      .withVerbs("get", "list", "watch")
                      .build()),
              new Grant(
                  "ops",
                  new PolicyRuleBuilder()
                      .withApiGroups("coordination.k8s.io")
                      .withResources("leases")
                      .withVerbs("create")
                      .build()),
              new Grant(
                  "ops",
                  new PolicyRuleBuilder()
                      .withApiGroups("coordination.k8s.io")
                      .withResources("leases")
                      .withResourceNames("wdo")
                      .withVerbs("get", "update", "patch")
                      .build())));

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "ClusterRole rule reaches all namespaces, GET, /apis/cfworkers.io/v1alpha1/workerdeployments?watch=true, true",
    "ClusterRole rule reaches one namespace, GET, /apis/cfworkers.io/v1alpha1/namespaces/a/workerdeployments, true",
    "no rule for the status subresource, PUT, /apis/cfworkers.io/v1alpha1/namespaces/a/workerdeployments/x/status, false",
    "no write on the spec, PUT, /apis/cfworkers.io/v1alpha1/namespaces/a/workerdeployments/x, false",
    "Role rule in its namespace, GET, /api/v1/namespaces/shop/secrets, true",
    "Role rule not in another namespace, GET, /api/v1/namespaces/other/secrets, false",
    "Role rule not across namespaces, GET, /api/v1/secrets, false",
    "create without a name, POST, /apis/coordination.k8s.io/v1/namespaces/ops/leases, true",
    "named rule for its name, PATCH, /apis/coordination.k8s.io/v1/namespaces/ops/leases/wdo, true",
    "named rule not for another name, PATCH, /apis/coordination.k8s.io/v1/namespaces/ops/leases/other, false",
    "verb not granted, DELETE, /apis/coordination.k8s.io/v1/namespaces/ops/leases/wdo, false"
  })
  void decidesAsRbacDoes(String reason, String method, String path, boolean allowed) {
    assertEquals(allowed, CHART_LIKE.allows(RequestAttributes.of(method, path)));
  }

  @Test
  void withoutAVerbRemovesItFromEveryMatchingRuleOnly() {
    Grants noPatch = CHART_LIKE.without("coordination.k8s.io", "leases", "patch");

    assertEquals(
        false,
        noPatch.allows(
            RequestAttributes.of(
                "PATCH", "/apis/coordination.k8s.io/v1/namespaces/ops/leases/wdo")));
    assertEquals(
        true,
        noPatch.allows(
            RequestAttributes.of("GET", "/apis/coordination.k8s.io/v1/namespaces/ops/leases/wdo")));
    assertThrows(
        IllegalArgumentException.class,
        () -> noPatch.without("coordination.k8s.io", "leases", "patch"));
  }
}
