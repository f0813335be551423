package io.cfworkers.operator.support.rbac;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestAttributesTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          watch across namespaces      | GET    | /apis/cfworkers.io/v1alpha1/workerdeployments?watch=true&resourceVersion=5 | watch | cfworkers.io | workerdeployments | -      | -  | -
          list in a namespace          | GET    | /api/v1/namespaces/shop/secrets?limit=500                                   | list  | -            | secrets           | -      | shop | -
          get one object               | GET    | /apis/coordination.k8s.io/v1/namespaces/ops/leases/wdo                      | get   | coordination.k8s.io | leases     | -      | ops  | wdo
          merge patch of a Lease       | PATCH  | /apis/coordination.k8s.io/v1/namespaces/ops/leases/wdo                      | patch | coordination.k8s.io | leases     | -      | ops  | wdo
          create names no object       | POST   | /apis/coordination.k8s.io/v1/namespaces/ops/leases                          | create | coordination.k8s.io | leases    | -      | ops  | -
          status PUT is update of the subresource | PUT | /apis/cfworkers.io/v1alpha1/namespaces/shop/workerdeployments/app/status | update | cfworkers.io | workerdeployments | status | shop | app
          delete one                   | DELETE | /api/v1/namespaces/shop/secrets/s                                           | delete | -           | secrets           | -      | shop | s
          delete a collection          | DELETE | /api/v1/namespaces/shop/secrets                                             | deletecollection | - | secrets         | -      | shop | -
          a Namespace is in itself     | GET    | /api/v1/namespaces/shop                                                     | get   | -            | namespaces        | -      | shop | shop
          """)
  void parsesLikeTheApiServer(
      String reason,
      String method,
      String path,
      String verb,
      String group,
      String resource,
      String subresource,
      String namespace,
      String name) {
    RequestAttributes a = RequestAttributes.of(method, path);

    assertEquals(true, a.resourceRequest());
    assertEquals(verb, a.verb());
    assertEquals(dash(group), a.group());
    assertEquals(resource, a.resource());
    assertEquals(dash(subresource), a.subresource());
    assertEquals(dash(namespace), a.namespace());
    assertEquals(dash(name), a.name());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "version, /version",
    "core discovery, /api",
    "group discovery, /apis",
    "group version discovery, /apis/cfworkers.io/v1alpha1",
    "openapi, /openapi/v3"
  })
  void discoveryIsNoResourceRequest(String reason, String path) {
    assertEquals(false, RequestAttributes.of("GET", path).resourceRequest());
  }

  private static String dash(String s) {
    return s.equals("-") ? "" : s;
  }
}
