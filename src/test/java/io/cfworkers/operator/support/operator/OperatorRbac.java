package io.cfworkers.operator.support.operator;

import io.cfworkers.operator.support.rbac.ApiAuthorizer;
import io.cfworkers.operator.support.rbac.ChartRbac;
import io.cfworkers.operator.support.rbac.Grants;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.mockwebserver.DefaultMockServer;
import io.fabric8.mockwebserver.MockWebServer;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import java.lang.reflect.Field;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Runs the operator under the RBAC rules the Helm chart grants it. Use as the mock API server's
 * setup, {@code @WithKubernetesTestServer(crud = true, setup = OperatorRbac.ClusterWide.class)}:
 * before the application starts, the chart is rendered, an {@link ApiAuthorizer} is put in front of
 * the mock server, and the application's Kubernetes client is given a bearer token that the
 * authorizer knows as the chart's ServiceAccount. Every request of the operator is then checked
 * against the chart's rules and refused with 403 if they do not allow it.
 *
 * <p>The test itself must act as an administrator: take its client from {@link #adminClient()} (the
 * mock server's own client, which carries no token), not by injecting the application's.
 */
public abstract class OperatorRbac implements Consumer<KubernetesServer> {
  /** The namespace the chart is rendered for (the release namespace). */
  public static final String RELEASE_NAMESPACE = "cfworkers-system";

  /** The ServiceAccount the chart's operator runs as, as the API server names the user. */
  public static final String SUBJECT =
      "system:serviceaccount:" + RELEASE_NAMESPACE + ":" + ChartRbac.FULLNAME;

  private static volatile ApiAuthorizer authorizer;
  private static volatile KubernetesServer server;
  private static volatile String operatorToken;
  private static volatile Grants grants;

  /** The chart's defaults: a ClusterRole, the operator watches every namespace. */
  public static final class ClusterWide extends OperatorRbac {
    @Override
    protected Map<String, String> values() {
      return Map.of();
    }
  }

  /**
   * {@code watchNamespaces: [nobody-uses-this]}: Roles in that namespace only, for tests whose
   * application controller watches just that namespace.
   */
  public static final class IdleNamespaceOnly extends OperatorRbac {
    public static final String NAMESPACE = "nobody-uses-this";

    @Override
    protected Map<String, String> values() {
      return Map.of("watchNamespaces[0]", NAMESPACE);
    }
  }

  /** The {@code --set} values the chart is rendered with. */
  protected abstract Map<String, String> values();

  @Override
  public void accept(KubernetesServer mock) {
    Grants rendered = ChartRbac.render(RELEASE_NAMESPACE, values());
    ApiAuthorizer installed = ApiAuthorizer.install(webServer(mock));
    String token = "operator-" + UUID.randomUUID();
    installed.authorize(token, SUBJECT, rendered);
    // Read by the application's Kubernetes client when it is built (config from system
    // properties); the test's admin client was built before and carries no token.
    System.setProperty("quarkus.kubernetes-client.token", token);
    authorizer = installed;
    server = mock;
    operatorToken = token;
    grants = rendered;
  }

  /** The authorizer of the current test class's mock server. */
  public static ApiAuthorizer authorizer() {
    return require(authorizer);
  }

  /** A client that acts as administrator on the current mock server. */
  public static KubernetesClient adminClient() {
    return require(server).getClient();
  }

  /** The grants the application's operator runs with. */
  public static Grants grants() {
    return require(grants);
  }

  /** Replaces the application's operator's grants, e.g. to take one verb away. */
  public static void regrant(Grants replacement) {
    require(authorizer).authorize(require(operatorToken), SUBJECT, replacement);
  }

  /** Restores the chart's grants for the application's operator. */
  public static void restoreGrants() {
    regrant(grants());
  }

  static MockWebServer webServer(KubernetesServer mock) {
    try {
      Field f = DefaultMockServer.class.getDeclaredField("server");
      f.setAccessible(true);
      return (MockWebServer) f.get(mock.getKubernetesMockServer());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("the mock server changed: no field server", e);
    }
  }

  private static <T> T require(T value) {
    if (value == null) {
      throw new IllegalStateException(
          "no OperatorRbac set up: use @WithKubernetesTestServer(setup = OperatorRbac...)");
    }
    return value;
  }
}
