package io.cfworkers.operator.bench;

import io.cfworkers.operator.api.v1alpha1.WorkerDeployment;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Watches every WorkerDeployment the way a user's {@code kubectl wait} would, and records when each
 * became Ready=True at its current generation, how often its object was written and how often a
 * Ready resource stopped being Ready without a spec change.
 */
final class StatusTracker implements ResourceEventHandler<WorkerDeployment>, AutoCloseable {
  private final SharedIndexInformer<WorkerDeployment> informer;
  private final Map<String, Boolean> ready = new ConcurrentHashMap<>();
  private final Map<String, Long> firstReadyNanos = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> writes = new ConcurrentHashMap<>();
  private final Map<String, String> lastReason = new ConcurrentHashMap<>();
  private final AtomicInteger readyCount = new AtomicInteger();
  private final AtomicLong readyLost = new AtomicLong();

  StatusTracker(KubernetesClient client) {
    this.informer = client.resources(WorkerDeployment.class).inAnyNamespace().inform(this);
  }

  static String key(WorkerDeployment wd) {
    return wd.getMetadata().getNamespace() + "/" + wd.getMetadata().getName();
  }

  static boolean isReady(WorkerDeployment wd) {
    if (wd.getStatus() == null || wd.getStatus().getConditions() == null) {
      return false;
    }
    Long generation = wd.getMetadata().getGeneration();
    if (!Objects.equals(wd.getStatus().getObservedGeneration(), generation)) {
      return false;
    }
    return readyCondition(wd.getStatus().getConditions())
        .map(c -> "True".equals(c.getStatus()))
        .orElse(false);
  }

  private static java.util.Optional<Condition> readyCondition(List<Condition> conditions) {
    return conditions.stream().filter(c -> "Ready".equals(c.getType())).findFirst();
  }

  @Override
  public void onAdd(WorkerDeployment wd) {
    observe(null, wd);
  }

  @Override
  public void onUpdate(WorkerDeployment old, WorkerDeployment wd) {
    observe(old, wd);
  }

  @Override
  public void onDelete(WorkerDeployment wd, boolean unknownFinalState) {
    Boolean was = ready.remove(key(wd));
    if (Boolean.TRUE.equals(was)) {
      readyCount.decrementAndGet();
    }
  }

  private void observe(WorkerDeployment old, WorkerDeployment wd) {
    long now = System.nanoTime();
    String key = key(wd);
    // A write that left the generation alone is a status write (spec edits bump the generation).
    if (old != null
        && !Objects.equals(
            old.getMetadata().getResourceVersion(), wd.getMetadata().getResourceVersion())
        && Objects.equals(old.getMetadata().getGeneration(), wd.getMetadata().getGeneration())) {
      writes.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    }
    if (wd.getStatus() != null && wd.getStatus().getConditions() != null) {
      readyCondition(wd.getStatus().getConditions())
          .ifPresent(c -> lastReason.put(key, c.getStatus() + "/" + c.getReason()));
    }
    boolean isReady = isReady(wd);
    Boolean was = ready.put(key, isReady);
    if (isReady && !Boolean.TRUE.equals(was)) {
      readyCount.incrementAndGet();
    } else if (!isReady && Boolean.TRUE.equals(was)) {
      readyCount.decrementAndGet();
      if (old != null
          && Objects.equals(old.getMetadata().getGeneration(), wd.getMetadata().getGeneration())) {
        readyLost.incrementAndGet();
      }
    }
    if (isReady) {
      firstReadyNanos.putIfAbsent(key + "@" + wd.getMetadata().getGeneration(), now);
    }
  }

  int readyCount() {
    return readyCount.get();
  }

  /** Ready=True → not Ready at the same generation: the resource looked broken with no change. */
  long readyLost() {
    return readyLost.get();
  }

  /** Status writes (new resourceVersion, same generation) seen for the resource so far. */
  int writes(String key) {
    AtomicInteger n = writes.get(key);
    return n == null ? 0 : n.get();
  }

  long totalWrites() {
    return writes.values().stream().mapToLong(AtomicInteger::get).sum();
  }

  /**
   * Counts of "status/reason" of the Ready condition over all resources, e.g. False/RateLimited.
   */
  Map<String, Long> readyReasons() {
    Map<String, Long> out = new java.util.TreeMap<>();
    lastReason.values().forEach(r -> out.merge(r, 1L, Long::sum));
    return out;
  }

  /** When the resource was first seen Ready=True at {@code generation}, or null. */
  Long readyAt(String key, long generation) {
    return firstReadyNanos.get(key + "@" + generation);
  }

  /**
   * When the last of the {@code count} resources of namespace {@code ns} first became Ready at
   * {@code generation}, or null while fewer than {@code count} have.
   */
  Long lastReadyAt(String ns, long generation, int count) {
    String prefix = ns + "/";
    String suffix = "@" + generation;
    List<Long> times =
        firstReadyNanos.entrySet().stream()
            .filter(e -> e.getKey().startsWith(prefix) && e.getKey().endsWith(suffix))
            .map(Map.Entry::getValue)
            .toList();
    return times.size() < count ? null : times.stream().max(Long::compare).orElse(null);
  }

  /** Waits until the resource is Ready at {@code generation}; returns the nanoTime it was seen. */
  long awaitReadyAt(String key, long generation, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Long at = readyAt(key, generation);
      if (at != null) {
        return at;
      }
      Thread.onSpinWait();
      try {
        Thread.sleep(0, 200_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException(key + " not Ready at generation " + generation);
  }

  @Override
  public void close() {
    informer.close();
  }
}
