package io.cfworkers.operator.support.operator;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.http.WebSocket;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Drops the watch connections the mock API server holds, as a real API server or a load balancer
 * does on restart or idle timeout. The mock server has no public API for this: the open watches are
 * found by reflection in its CRUD dispatcher and closed from the server side, and clients see their
 * watch end and open a new one.
 */
public final class MockWatches {
  private MockWatches() {}

  /** Closes every open watch; returns how many were closed. */
  public static int dropAll(KubernetesServer server) {
    int closed = 0;
    for (Object listener : List.copyOf(listeners(server))) {
      WebSocket socket = socketOf(listener);
      if (socket != null && socket.close(1001, "dropped by the test")) {
        closed++;
      }
    }
    return closed;
  }

  /** How many watches are open now. */
  public static int open(KubernetesServer server) {
    return listeners(server).size();
  }

  private static Set<?> listeners(KubernetesServer server) {
    return (Set<?>) read(crud(server), KubernetesCrudDispatcher.class, "watchEventListeners");
  }

  /** The mock server's CRUD dispatcher, which holds its objects and open watches. */
  static KubernetesCrudDispatcher crud(KubernetesServer server) {
    return find(server.getKubernetesMockServer());
  }

  private static WebSocket socketOf(Object listener) {
    AtomicReference<?> ref =
        (AtomicReference<?>) read(listener, listener.getClass(), "webSocketRef");
    return (WebSocket) ref.get();
  }

  /** The CRUD dispatcher, reached from the mock server through its (non-JDK) fields. */
  private static KubernetesCrudDispatcher find(Object root) {
    Deque<Object[]> todo = new ArrayDeque<>();
    todo.add(new Object[] {root, 0});
    Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    while (!todo.isEmpty()) {
      Object[] next = todo.poll();
      Object o = next[0];
      int depth = (Integer) next[1];
      if (o instanceof KubernetesCrudDispatcher d) {
        return d;
      }
      if (depth > 4 || !seen.add(o)) {
        continue;
      }
      for (Class<?> c = o.getClass(); c != null && !isJdk(c); c = c.getSuperclass()) {
        for (Field f : c.getDeclaredFields()) {
          if (Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()) {
            continue;
          }
          try {
            f.setAccessible(true);
            Object v = f.get(o);
            if (v != null && !isJdk(v.getClass())) {
              todo.add(new Object[] {v, depth + 1});
            }
          } catch (ReflectiveOperationException | RuntimeException e) {
            // not reachable this way; try the other fields
          }
        }
      }
    }
    throw new IllegalStateException("no KubernetesCrudDispatcher in the mock server");
  }

  private static boolean isJdk(Class<?> c) {
    String name = c.getName();
    return name.startsWith("java.") || name.startsWith("javax.") || name.startsWith("jdk.");
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
