package io.cfworkers.operator.support.operator;

import io.cfworkers.operator.support.cloudflare.FakeCloudflare;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Map;

/**
 * Starts the fake Cloudflare API before the operator and points the operator at it, with timings
 * short enough for tests: a 2 s poll interval, a 2 s request timeout, a 4 s settle time and a 1 s
 * longest wait of a create for its rate-limit permit. Inject the fake into a test with {@link
 * InjectFakeCloudflare}.
 */
public class FakeCloudflareResource implements QuarkusTestResourceLifecycleManager {
  /** The poll interval the operator runs with in tests. */
  public static final int POLL_SECONDS = 2;

  /** Init argument: {@code simulated} starts the fake on {@link SimulatedClock#INSTANCE}. */
  public static final String CLOCK = "clock";

  private FakeCloudflare fake;
  private boolean simulated;

  @Override
  public void init(Map<String, String> initArgs) {
    simulated = "simulated".equals(initArgs.get(CLOCK));
  }

  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.FIELD)
  public @interface InjectFakeCloudflare {}

  @Override
  public Map<String, String> start() {
    fake = simulated ? FakeCloudflare.start(SimulatedClock.INSTANCE) : FakeCloudflare.start();
    return Map.of(
        "cfworkers.cloudflare.base-url", fake.baseUrl(),
        "cfworkers.cloudflare.request-timeout", "2s",
        "cfworkers.cloudflare.connect-timeout", "1s",
        "cfworkers.reconcile.poll-interval", POLL_SECONDS + "s",
        "cfworkers.reconcile.poll-jitter", "0",
        "cfworkers.reconcile.settle-time", "4s",
        "cfworkers.cloudflare.rate-limit.create-max-wait", "1s",
        "quarkus.log.category.\"io.cfworkers\".level", "DEBUG",
        "quarkus.log.category.\"io.fabric8.mockwebserver\".level", "WARN");
  }

  @Override
  public void inject(TestInjector injector) {
    injector.injectIntoFields(
        fake,
        new TestInjector.AnnotatedAndMatchesType(InjectFakeCloudflare.class, FakeCloudflare.class));
  }

  @Override
  public void stop() {
    if (fake != null) {
      fake.close();
    }
  }
}
