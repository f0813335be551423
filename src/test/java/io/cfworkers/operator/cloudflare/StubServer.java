package io.cfworkers.operator.cloudflare;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * An HTTP server on 127.0.0.1 that answers each request with the next canned answer, for shapes the
 * fake Cloudflare never produces (an HTML error page, a garbled header, surprise fields).
 */
final class StubServer implements AutoCloseable {

  record Answer(int status, Map<String, String> headers, String body) {}

  private final HttpServer server;
  private final Deque<Answer> answers = new ArrayDeque<>();
  private final List<String> requests = new ArrayList<>();

  StubServer() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", this::handle);
    server.start();
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/client/v4";
  }

  synchronized void answer(int status, Map<String, String> headers, String body) {
    answers.addLast(new Answer(status, headers, body));
  }

  /** Method, path and query of each request received. */
  synchronized List<String> requests() {
    return List.copyOf(requests);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      Answer answer;
      synchronized (this) {
        requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
        answer = answers.pollFirst();
      }
      if (answer == null) {
        answer = new Answer(500, Map.of("Content-Type", "text/plain"), "no canned answer left");
      }
      byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
      answer.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
      exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
