package io.cfworkers.operator.support.rbac;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.NonResourceRule;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRule;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectRulesReviewStatusBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * RBAC in front of the fabric8 mock API server. A request whose bearer token was registered with
 * {@link #authorize} is made as that subject (the operator's ServiceAccount) and must be allowed by
 * its {@link Grants}, or it is answered {@code 403 Forbidden} with a Kubernetes {@code Status} body
 * like the API server's. Any other request (the test itself, kubectl in the sandbox) is made as an
 * administrator and passes unchecked.
 *
 * <p>As on a real cluster, every authenticated subject may also read discovery and version
 * information (ClusterRoles {@code system:discovery} and {@code system:public-info-viewer}) and
 * create self reviews ({@code system:basic-user}). A {@code SelfSubjectRulesReview} is answered
 * here from the subject's grants, as the API server answers it; the operator SDK asks one before it
 * takes part in leader election.
 */
public final class ApiAuthorizer extends Dispatcher {
  /** A request refused with 403. */
  public record Denial(String subject, RequestAttributes request) {
    @Override
    public String toString() {
      return subject + " cannot " + request;
    }
  }

  private static final Set<String> SELF_REVIEWS =
      Set.of("selfsubjectrulesreviews", "selfsubjectaccessreviews", "selfsubjectreviews");

  private volatile Dispatcher inner;
  private final Map<String, Subject> subjects = new ConcurrentHashMap<>();
  private final List<Denial> denials = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> allowed = new ConcurrentHashMap<>();

  private record Subject(String name, Grants grants) {}

  private ApiAuthorizer(Dispatcher inner) {
    this.inner = inner;
  }

  /** Puts an authorizer in front of the server's current dispatcher (once) and returns it. */
  public static synchronized ApiAuthorizer install(MockWebServer server) {
    Dispatcher current = (Dispatcher) read(server, MockWebServer.class, "dispatcher");
    if (current instanceof ApiAuthorizer installed) {
      return installed;
    }
    ApiAuthorizer authorizer = new ApiAuthorizer(current);
    server.setDispatcher(authorizer);
    return authorizer;
  }

  /** The authorizer in front of {@code server}, if one was installed. */
  public static ApiAuthorizer installedOn(MockWebServer server) {
    Object current = read(server, MockWebServer.class, "dispatcher");
    return current instanceof ApiAuthorizer a ? a : null;
  }

  /**
   * Wraps what this authorizer passes requests to (e.g. a stricter status-write check), so that
   * authorization stays first, as in the API server.
   */
  public synchronized void wrapInner(UnaryOperator<Dispatcher> wrapper) {
    inner = wrapper.apply(inner);
  }

  public Dispatcher inner() {
    return inner;
  }

  /**
   * Requests carrying {@code Authorization: Bearer token} are made as {@code subject} (e.g. {@code
   * system:serviceaccount:ns:name}) with these grants. Registering the token again replaces them.
   */
  public void authorize(String token, String subject, Grants grants) {
    subjects.put(token, new Subject(subject, grants));
  }

  /** Every request refused so far, oldest first. */
  public List<Denial> denials() {
    return List.copyOf(denials);
  }

  /** How many requests of {@code subject} were checked and allowed so far. */
  public int allowedFor(String subject) {
    AtomicInteger count = allowed.get(subject);
    return count == null ? 0 : count.get();
  }

  /** Forgets the refusals seen so far. */
  public void clearDenials() {
    denials.clear();
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    Subject subject = subjectOf(request);
    if (subject == null) {
      return inner.dispatch(request);
    }
    RequestAttributes attributes = RequestAttributes.of(request.getMethod(), request.getPath());
    if (!attributes.resourceRequest()) {
      if (attributes.verb().equals("get") || attributes.verb().equals("head")) {
        return inner.dispatch(request); // discovery, /version, /openapi: every subject may read
      }
      return forbidden(subject, attributes);
    }
    if (attributes.group().equals("authorization.k8s.io")
        && SELF_REVIEWS.contains(attributes.resource())
        && attributes.verb().equals("create")) {
      if (attributes.resource().equals("selfsubjectrulesreviews")) {
        return rulesReview(subject, request);
      }
      return inner.dispatch(request);
    }
    if (!subject.grants().allows(attributes)) {
      return forbidden(subject, attributes);
    }
    allowed.computeIfAbsent(subject.name(), k -> new AtomicInteger()).incrementAndGet();
    return inner.dispatch(request);
  }

  @Override
  public void shutdown() {
    inner.shutdown();
  }

  private Subject subjectOf(RecordedRequest request) {
    String header = request.getHeader("Authorization");
    if (header == null) {
      header = request.getHeader("authorization");
    }
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    return subjects.get(header.substring(7).trim());
  }

  private MockResponse forbidden(Subject subject, RequestAttributes a) {
    denials.add(new Denial(subject.name(), a));
    String message;
    if (!a.resourceRequest()) {
      message =
          "forbidden: User \"%s\" cannot %s path \"%s\""
              .formatted(subject.name(), a.verb(), a.path());
    } else {
      String what = a.resourceWithSubresource() + (a.group().isEmpty() ? "" : "." + a.group());
      message =
          "%s%s is forbidden: User \"%s\" cannot %s resource \"%s\" in API group \"%s\"%s"
              .formatted(
                  what,
                  a.name().isEmpty() ? "" : " \"" + a.name() + "\"",
                  subject.name(),
                  a.verb(),
                  a.resourceWithSubresource(),
                  a.group(),
                  a.namespace().isEmpty()
                      ? " at the cluster scope"
                      : " in the namespace \"" + a.namespace() + "\"");
    }
    StatusBuilder status =
        new StatusBuilder()
            .withNewMetadata()
            .endMetadata()
            .withStatus("Failure")
            .withMessage(message)
            .withReason("Forbidden")
            .withCode(403);
    if (a.resourceRequest()) {
      status
          .withNewDetails()
          .withName(a.name().isEmpty() ? null : a.name())
          .withGroup(a.group().isEmpty() ? null : a.group())
          .withKind(a.resource())
          .endDetails();
    }
    return new MockResponse()
        .setResponseCode(403)
        .setHeader("Content-Type", "application/json")
        .setBody(Serialization.asJson(status.build()));
  }

  private MockResponse rulesReview(Subject subject, RecordedRequest request) {
    SelfSubjectRulesReview review =
        Serialization.unmarshal(request.getUtf8Body(), SelfSubjectRulesReview.class);
    String namespace = review.getSpec() == null ? null : review.getSpec().getNamespace();
    List<ResourceRule> rules = new ArrayList<>();
    for (PolicyRule r : subject.grants().rulesIn(namespace == null ? "" : namespace)) {
      if (r.getResources() != null && !r.getResources().isEmpty()) {
        rules.add(
            new ResourceRule(
                r.getApiGroups(), r.getResourceNames(), r.getResources(), r.getVerbs()));
      }
    }
    rules.add(
        new ResourceRule(
            List.of("authorization.k8s.io"),
            List.of(),
            List.copyOf(SELF_REVIEWS),
            List.of("create")));
    review.setStatus(
        new SubjectRulesReviewStatusBuilder()
            .withResourceRules(rules)
            .withNonResourceRules(
                new NonResourceRule(
                    List.of("/api", "/api/*", "/apis", "/apis/*", "/version"), List.of("get")))
            .withIncomplete(false)
            .build());
    return new MockResponse()
        .setResponseCode(201)
        .setHeader("Content-Type", "application/json")
        .setBody(Serialization.asJson(review));
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
