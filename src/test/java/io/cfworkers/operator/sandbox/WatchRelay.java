package io.cfworkers.operator.sandbox;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Serves a watch the way kubectl expects it, as one long HTTP response of JSON watch events,
 * relayed from a WebSocket watch on the mock server (which only speaks WebSocket). The watch ends
 * after the client's {@code timeoutSeconds} (30 minutes without one), when the client goes away, or
 * when the backend closes.
 */
final class WatchRelay implements AutoCloseable {
  /** Turns one watch event into the bytes sent; {@code first} is true for the first event. */
  interface EventView {
    byte[] render(ResourcePath resource, Map<String, Object> event, boolean first);
  }

  private static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(30);
  private static final Duration HEARTBEAT = Duration.ofSeconds(5);
  private static final Object CLOSED = new Object();

  private final HttpClient http;
  private final String backendUrl;
  private final Set<WebSocket> open = ConcurrentHashMap.newKeySet();

  WatchRelay(HttpClient http, String backendUrl) {
    this.http = http;
    this.backendUrl = backendUrl;
  }

  void relay(
      HttpExchange exchange, ResourcePath resource, Map<String, String> query, EventView view)
      throws IOException {
    FieldSelector selector = FieldSelector.parse(query.get("fieldSelector"));
    String target = resource.isList() ? resource.collectionPath() : resource.objectPath();
    StringBuilder backendQuery = new StringBuilder("?watch=true");
    if (query.containsKey("labelSelector")) {
      backendQuery
          .append("&labelSelector=")
          .append(SandboxApiServer.encode(query.get("labelSelector")));
    }
    Duration timeout =
        query.containsKey("timeoutSeconds")
            ? Duration.ofSeconds(Long.parseLong(query.get("timeoutSeconds")))
            : DEFAULT_TIMEOUT;
    Instant deadline = Instant.now().plus(timeout);
    long since = resourceVersion(query.get("resourceVersion"));

    BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    WebSocket socket;
    try {
      socket =
          http.newWebSocketBuilder()
              .connectTimeout(Duration.ofSeconds(5))
              .buildAsync(
                  URI.create(backendUrl.replaceFirst("^http", "ws") + target + backendQuery),
                  new Collector(events))
              .get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IOException("cannot open a watch on the mock API server", e);
    }
    open.add(socket);
    try {
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.getResponseHeaders().set("Cache-Control", "no-cache, private");
      exchange.sendResponseHeaders(200, 0);
      OutputStream out = exchange.getResponseBody();
      out.flush();
      boolean first = true;
      Instant lastWrite = Instant.now();
      while (Instant.now().isBefore(deadline)) {
        Object next = events.poll(1, TimeUnit.SECONDS);
        if (next == CLOSED) {
          break;
        }
        if (next == null) {
          if (Instant.now().isAfter(lastWrite.plus(HEARTBEAT))) {
            // Whitespace between events is allowed; writing it finds out whether the client left.
            out.write('\n');
            out.flush();
            lastWrite = Instant.now();
          }
          continue;
        }
        Map<String, Object> event = Json.parse((String) next);
        if (event.get("object") instanceof Map<?, ?> object
            && (!selector.matches(Json.map(object))
                || "ADDED".equals(event.get("type")) && seen(Json.map(object), since))) {
          continue;
        }
        out.write(view == null ? Json.bytes(event) : view.render(resource, event, first));
        out.write('\n');
        out.flush();
        lastWrite = Instant.now();
        first = false;
      }
      out.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      open.remove(socket);
      socket.abort();
    }
  }

  /**
   * The mock server starts every watch with ADDED events for all objects; a client that listed at
   * resource version {@code since} has seen those that are not newer (the apiserver's semantics).
   */
  private static boolean seen(Map<String, Object> object, long since) {
    return since > 0
        && resourceVersion(String.valueOf(Json.at(object, "metadata.resourceVersion"))) <= since;
  }

  private static long resourceVersion(String value) {
    try {
      return value == null ? 0 : Long.parseLong(value);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  @Override
  public void close() {
    open.forEach(WebSocket::abort);
    open.clear();
  }

  /** Collects whole text messages (each a watch event) and the end of the stream. */
  private static final class Collector implements WebSocket.Listener {
    private final BlockingQueue<Object> events;
    private final StringBuilder partial = new StringBuilder();

    Collector(BlockingQueue<Object> events) {
      this.events = events;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        events.add(partial.toString());
        partial.setLength(0);
      }
      webSocket.request(1);
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      events.add(CLOSED);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      events.add(CLOSED);
    }
  }
}
