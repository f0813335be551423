package io.cfworkers.operator.support.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cfworkers.operator.support.rbac.ApiAuthorizer;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.DefaultMockServer;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes the mock API server refuse a status write based on a stale resourceVersion with 409
 * Conflict, as a real API server does. The mock server's CRUD mode applies a {@code PUT .../status}
 * onto the stored object and ignores the resourceVersion the writer sent, so without this two
 * writers racing on status both win, which no real cluster allows.
 *
 * <p>Status writes are checked and applied one at a time; other requests pass through unchanged.
 */
public final class StatusWriteLocking extends Dispatcher {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Dispatcher delegate;
  private final KubernetesCrudDispatcher crud;
  private final AtomicInteger conflicts = new AtomicInteger();

  private StatusWriteLocking(Dispatcher delegate, KubernetesCrudDispatcher crud) {
    this.delegate = delegate;
    this.crud = crud;
  }

  /** Installs the check on the server (once) and returns it. */
  public static synchronized StatusWriteLocking install(KubernetesServer server) {
    MockWebServer web =
        (MockWebServer) read(server.getKubernetesMockServer(), DefaultMockServer.class, "server");
    Dispatcher current = (Dispatcher) read(web, MockWebServer.class, "dispatcher");
    if (current instanceof StatusWriteLocking installed) {
      return installed;
    }
    if (current instanceof ApiAuthorizer authorizer) {
      // Authorization stays first, as in the API server: the lock goes behind it.
      if (authorizer.inner() instanceof StatusWriteLocking installed) {
        return installed;
      }
      StatusWriteLocking[] made = new StatusWriteLocking[1];
      authorizer.wrapInner(
          inner -> made[0] = new StatusWriteLocking(inner, MockWatches.crud(server)));
      return made[0];
    }
    StatusWriteLocking locking = new StatusWriteLocking(current, MockWatches.crud(server));
    web.setDispatcher(locking);
    return locking;
  }

  /** How many status writes were refused so far. */
  public int conflicts() {
    return conflicts.get();
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String path = request.getPath();
    String plain = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
    if (!"PUT".equalsIgnoreCase(request.getMethod()) || !plain.endsWith("/status")) {
      return delegate.dispatch(request);
    }
    synchronized (this) {
      String sent =
          resourceVersion(new String(request.getBody().getBytes(), StandardCharsets.UTF_8));
      MockResponse stored = crud.handleGet(plain.substring(0, plain.length() - "/status".length()));
      String current = stored.getBody() == null ? "" : resourceVersion(stored.getBody().readUtf8());
      if (!sent.isEmpty() && !current.isEmpty() && !sent.equals(current)) {
        conflicts.incrementAndGet();
        return new MockResponse()
            .setResponseCode(409)
            .setBody(
                Serialization.asJson(
                    new StatusBuilder()
                        .withStatus("Failure")
                        .withReason("Conflict")
                        .withCode(409)
                        .withMessage(
                            "the object has been modified; please apply your changes to the"
                                + " latest version and try again")
                        .build()));
      }
      return delegate.dispatch(request);
    }
  }

  @Override
  public void shutdown() {
    delegate.shutdown();
  }

  private static String resourceVersion(String json) {
    try {
      JsonNode node = JSON.readTree(json);
      return node == null ? "" : node.path("metadata").path("resourceVersion").asText("");
    } catch (IOException e) {
      return "";
    }
  }

  private static Object read(Object target, Class<?> type, String field) {
    try {
      Field f = type.getDeclaredField(field);
      f.setAccessible(true);
      return f.get(target);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("the mock server changed: no field " + field, e);
    }
  }
}
