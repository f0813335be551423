package io.cfworkers.operator.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Another client of the operator's token (wrangler in CI, the dashboard): sends one GET of a
 * script's deployments every {@code every}, evenly spaced, until stopped. The fake counts its
 * requests against the token like the operator's; the operator learns of them only from
 * Cloudflare's {@code Ratelimit} header.
 */
final class OutsideClient {
  static final String SCRIPT = "outside-client";

  private final HttpClient http = HttpClient.newHttpClient();
  private final URI uri;
  private final String token;
  private final Duration every;
  private volatile boolean running;
  private Thread thread;

  OutsideClient(String baseUrl, String token, Duration every) {
    this.uri =
        URI.create(
            baseUrl
                + "/accounts/0123456789abcdef0123456789abcdef/workers/scripts/"
                + SCRIPT
                + "/deployments");
    this.token = token;
    this.every = every;
  }

  void start() {
    running = true;
    thread = new Thread(this::loop, "outside-client");
    thread.setDaemon(true);
    thread.start();
  }

  void stop() throws InterruptedException {
    running = false;
    thread.join(10_000);
  }

  private void loop() {
    long next = System.nanoTime();
    while (running) {
      HttpRequest request =
          HttpRequest.newBuilder(uri)
              .header("Authorization", "Bearer " + token)
              .timeout(Duration.ofSeconds(10))
              .build();
      // Sent without waiting for the answer, so the pace holds whatever the latency.
      http.sendAsync(request, HttpResponse.BodyHandlers.discarding());
      next += every.toNanos();
      long wait = next - System.nanoTime();
      if (wait > 0) {
        try {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }
}
