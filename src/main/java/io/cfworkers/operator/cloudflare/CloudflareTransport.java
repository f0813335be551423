package io.cfworkers.operator.cloudflare;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * The HTTP exchange with Cloudflare that every client of this package shares: the deployments
 * (REST) client and the analytics (GraphQL) client each own one, with their own per-credential
 * {@link CredentialRateLimiter}.
 *
 * <p>{@link #send} takes a permit of the credential's budget (none: the call is not sent), builds
 * the request with the credential's headers, and waits for the whole answer for at most the request
 * timeout, cancelling the exchange beyond it. It returns whatever HTTP answer arrived; reading it
 * is the client's business. A client then reports the outcome with {@link #succeeded} or {@link
 * #failed} (which maps an HTTP failure with {@link CloudflareErrorMapper}, the one place failures
 * are classified, and holds the credential after a 429), so every call is counted once.
 *
 * <p>Metrics: {@value #REQUESTS_METRIC} (tags {@code operation}, {@code outcome} = {@code success},
 * {@code rejected}, {@code rate_limited}, {@code transient}) counts requests sent to Cloudflare;
 * {@value #REQUEST_DURATION_METRIC} times them by {@code operation}; the waits metric the transport
 * was built with (tag {@code source} = {@code client} when the limiter held a call unsent, {@code
 * cloudflare} when Cloudflare answered 429) counts rate-limit waits. No tag names a credential.
 *
 * <p>Nothing here retries. The JDK client re-sends a request by itself only when the connection
 * could not be opened (nothing was sent), or, for GET and HEAD, once when the connection closes
 * before any byte of the answer arrives. It re-sends a POST only if {@code
 * jdk.httpclient.enableAllMethodRetry} is set, which the constructor refuses. Redirects are not
 * followed.
 */
public final class CloudflareTransport {
  public static final String REQUESTS_METRIC = "cloudflare.api.requests";
  public static final String REQUEST_DURATION_METRIC = "cloudflare.api.request.duration";

  private static final Logger LOG = Logger.getLogger(CloudflareTransport.class);
  private static final String ALL_METHOD_RETRY_PROPERTY = "jdk.httpclient.enableAllMethodRetry";

  /** One call: what it is, with which credential, and where ({@code target} is path and query). */
  public record Call(
      CloudflareOperation operation, Credential credential, String target, String body) {}

  /**
   * The HTTP answer to a call: status, body (possibly empty) and the {@code retry-after} header.
   */
  public record Answer(int status, String body, Optional<String> retryAfter) {
    public boolean ok() {
      return status >= 200 && status < 300;
    }
  }

  private final CloudflareClientSettings settings;
  private final CredentialRateLimiter limiter;
  private final MeterRegistry meters;
  private final String waitsMetric;
  private final CloudflareErrorMapper errors;
  private final HttpClient http;

  /**
   * @param limiter the budget this transport's calls draw from
   * @param waitsMetric the name of the rate-limit waits counter
   * @throws IllegalStateException when the JDK client is configured to re-send POSTs on its own
   *     (system property {@code jdk.httpclient.enableAllMethodRetry}), which would break the
   *     one-POST-per-create contract
   */
  public CloudflareTransport(
      CloudflareClientSettings settings,
      CredentialRateLimiter limiter,
      MeterRegistry meters,
      String waitsMetric) {
    refuseAutomaticPostRetry();
    this.settings = settings;
    this.limiter = limiter;
    this.meters = meters;
    this.waitsMetric = waitsMetric;
    this.errors = new CloudflareErrorMapper(Clock.systemUTC());
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(settings.connectTimeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /**
   * Takes a permit and sends the call once.
   *
   * @param reserve take the permit as a create does ({@link
   *     CredentialRateLimiter#acquireForCreate}), waiting longer and ahead of reads
   * @return the HTTP answer, whatever its status; not yet counted
   * @throws CloudflareRateLimitedException when no permit was available: nothing was sent
   * @throws CloudflareTransientException when no complete answer arrived (counted)
   * @throws CloudflareRejectedException when the credential cannot be put in a header: nothing was
   *     sent
   */
  public Answer send(Call call, boolean reserve) {
    return send(call, reserve ? CredentialRateLimiter.Use.CREATE : CredentialRateLimiter.Use.READ);
  }

  /**
   * Takes the permits {@code use} needs and sends the call once. Cloudflare's {@code Ratelimit} /
   * {@code Ratelimit-Policy} headers on the answer, whatever its status, tell the limiter what is
   * left of the credential's budget ({@link CredentialRateLimiter#observe}).
   *
   * @see #send(Call, boolean)
   */
  public Answer send(Call call, CredentialRateLimiter.Use use) {
    return send(call, use, null);
  }

  /**
   * As {@link #send(Call, CredentialRateLimiter.Use)}; a {@link CredentialRateLimiter.Use#PAIR}
   * uses or makes the reservation of {@code waiter} ({@link CredentialRateLimiter#acquirePair}).
   */
  public Answer send(Call call, CredentialRateLimiter.Use use, String waiter) {
    CloudflareOperation operation = call.operation();
    long ticket;
    try {
      ticket = limiter.take(call.credential(), use, waiter);
    } catch (CloudflareRateLimitedException held) {
      if (held.permitsReserved()) {
        LOG.debugf("%s %s not sent yet: %s", operation.method(), call.target(), held.getMessage());
        throw held;
      }
      countWait("client");
      LOG.debugf(
          "%s %s not sent: credential %s held for %s",
          operation.method(), call.target(), call.credential().id(), held.retryAfter());
      throw held;
    }

    try {
      return exchange(call, ticket);
    } finally {
      limiter.settle(call.credential(), ticket);
    }
  }

  /** Sends the call admitted with {@code ticket} and reads the answer's rate-limit headers. */
  private Answer exchange(Call call, long ticket) {
    CloudflareOperation operation = call.operation();
    HttpRequest request = request(call);
    Timer.Sample sample = Timer.start(meters);
    long started = System.nanoTime();
    HttpResponse<String> response;
    try {
      response = exchange(request);
    } catch (IOException e) {
      stop(sample, operation);
      LOG.debugf(
          "%s %s -> no answer (%s) in %d ms",
          operation.method(), call.target(), e.getClass().getSimpleName(), millisSince(started));
      throw count(operation, errors.fromIoFailure(operation, call.target(), e));
    } catch (InterruptedException e) {
      stop(sample, operation);
      Thread.currentThread().interrupt();
      throw count(
          operation,
          new CloudflareTransientException(
              0,
              List.of(),
              "Cloudflare call " + operation.method() + " " + call.target() + " was interrupted",
              e));
    }
    stop(sample, operation);
    RateLimitHeaders.parse(
            response.headers().firstValue("ratelimit").orElse(null),
            response.headers().firstValue("ratelimit-policy").orElse(null))
        .ifPresent(reading -> limiter.observe(call.credential(), ticket, reading));
    LOG.debugf(
        "%s %s -> %d in %d ms (credential %s)",
        operation.method(),
        call.target(),
        response.statusCode(),
        millisSince(started),
        call.credential().id());
    return new Answer(
        response.statusCode(), response.body(), response.headers().firstValue("retry-after"));
  }

  /** Counts a call whose answer the client accepted. */
  public void succeeded(CloudflareOperation operation) {
    counter(operation, "success").increment();
  }

  /**
   * Counts a call that got an answer the client read itself, with one of the outcomes {@code
   * success}, {@code rejected}, {@code rate_limited}, {@code transient}.
   */
  public void answered(CloudflareOperation operation, String outcome) {
    counter(operation, outcome).increment();
  }

  /**
   * Maps a failed answer with {@link CloudflareErrorMapper}, holds the credential after a 429, and
   * counts the call.
   *
   * @param errors Cloudflare's {@code errors[]} read from the answer; empty when it had none
   * @return the failure, for the caller to throw
   */
  public CloudflareApiException failed(Call call, Answer answer, List<CloudflareError> errors) {
    CloudflareApiException failure =
        this.errors.fromResponse(
            call.operation(), call.target(), answer.status(), errors, answer.retryAfter());
    if (failure instanceof CloudflareRateLimitedException limited) {
      limiter.blockFor(call.credential(), limited.retryAfter());
      countWait("cloudflare");
    }
    return count(call.operation(), failure);
  }

  /** Counts a call that failed in a way the client itself determined (e.g. an unreadable 2xx). */
  public CloudflareApiException count(CloudflareOperation operation, CloudflareApiException e) {
    String outcome;
    if (e instanceof CloudflareRejectedException) {
      outcome = "rejected";
    } else if (e instanceof CloudflareRateLimitedException) {
      outcome = "rate_limited";
    } else {
      outcome = "transient";
    }
    counter(operation, outcome).increment();
    return e;
  }

  /**
   * Sends {@code request} and waits for the whole answer, headers and body, for at most the request
   * timeout. {@link HttpRequest#timeout} alone bounds only the wait for the headers (JDK-8208693):
   * a server that sends headers and then stalls the body would hold the calling thread forever.
   * When the deadline passes, or the caller is interrupted, the exchange is cancelled: the JDK's
   * {@code sendAsync} future is cancelable (since JDK 16), and {@code cancel(true)} aborts the
   * exchange and closes its HTTP/1.1 connection, so the stalled connection is not kept or reused.
   *
   * @throws HttpTimeoutException when the answer is not complete within the request timeout
   * @throws IOException when the exchange failed without a complete answer
   */
  private HttpResponse<String> exchange(HttpRequest request)
      throws IOException, InterruptedException {
    CompletableFuture<HttpResponse<String>> call =
        http.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    try {
      return call.get(settings.requestTimeout().toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      call.cancel(true);
      throw new HttpTimeoutException(
          "no complete answer (headers and body) within " + settings.requestTimeout());
    } catch (InterruptedException e) {
      call.cancel(true);
      throw e;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      throw new IOException(
          "the exchange failed: " + (cause == null ? "unknown cause" : cause.getClass().getName()),
          cause);
    }
  }

  private HttpRequest request(Call call) {
    Credential credential = call.credential();
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create(settings.baseUrl() + call.target()))
            .timeout(settings.requestTimeout())
            .header("Accept", "application/json");
    try {
      if (credential instanceof Credential.ApiToken token) {
        builder.header("Authorization", "Bearer " + token.token());
      } else if (credential instanceof Credential.ApiKey key) {
        builder.header("X-Auth-Email", key.email()).header("X-Auth-Key", key.key());
      }
    } catch (IllegalArgumentException e) {
      // The JDK's message quotes the header value, i.e. the secret: never pass it on.
      throw new CloudflareRejectedException(
          Rejection.AUTHENTICATION_FAILED,
          0,
          List.of(),
          "Credential "
              + credential.id()
              + " contains characters not allowed in an HTTP header; nothing was sent");
    }
    String method = call.operation().method();
    if (call.body() != null) {
      builder
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(call.body(), StandardCharsets.UTF_8));
    } else {
      builder.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return builder.build();
  }

  private Counter counter(CloudflareOperation operation, String outcome) {
    return Counter.builder(REQUESTS_METRIC)
        .description("Requests sent to the Cloudflare API")
        .tag("operation", operation.tag())
        .tag("outcome", outcome)
        .register(meters);
  }

  private void countWait(String source) {
    Counter.builder(waitsMetric)
        .description(
            "Calls held because a credential's request budget was spent or Cloudflare answered 429")
        .tag("source", source)
        .register(meters)
        .increment();
  }

  private void stop(Timer.Sample sample, CloudflareOperation operation) {
    sample.stop(
        Timer.builder(REQUEST_DURATION_METRIC)
            .description("Duration of requests to the Cloudflare API")
            .tag("operation", operation.tag())
            .register(meters));
  }

  private static long millisSince(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1_000_000;
  }

  private static void refuseAutomaticPostRetry() {
    String value = System.getProperty(ALL_METHOD_RETRY_PROPERTY);
    if (value != null && !value.trim().equalsIgnoreCase("false")) {
      throw new IllegalStateException(
          "System property "
              + ALL_METHOD_RETRY_PROPERTY
              + " makes the JDK HTTP client re-send POSTs, which could create a deployment twice;"
              + " unset it");
    }
  }
}
