package io.cfworkers.operator.support.rbac;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The RBAC rules bound to one subject: each rule either cluster-wide (from a ClusterRoleBinding) or
 * valid in one namespace (from a RoleBinding). Decides requests as Kubernetes' RBAC authorizer
 * does: allowed when any rule matches, denied otherwise; no deny rules.
 */
public final class Grants {
  /** A rule and where it applies: {@code namespace} null means cluster-wide. */
  public record Grant(String namespace, PolicyRule rule) {}

  private final List<Grant> grants;

  public Grants(List<Grant> grants) {
    this.grants = List.copyOf(grants);
  }

  public List<Grant> all() {
    return grants;
  }

  /**
   * The same grants with {@code verb} removed from every rule on {@code group}/{@code resource} (a
   * rule left without verbs is dropped): what the operator would get from a chart missing it.
   */
  public Grants without(String group, String resource, String verb) {
    List<Grant> kept = new ArrayList<>();
    boolean removed = false;
    for (Grant g : grants) {
      PolicyRule r = g.rule();
      if (r.getApiGroups().contains(group)
          && r.getResources().contains(resource)
          && r.getVerbs().contains(verb)) {
        removed = true;
        List<String> verbs = r.getVerbs().stream().filter(v -> !v.equals(verb)).toList();
        if (!verbs.isEmpty()) {
          kept.add(new Grant(g.namespace(), new PolicyRuleBuilder(r).withVerbs(verbs).build()));
        }
      } else {
        kept.add(g);
      }
    }
    if (!removed) {
      throw new IllegalArgumentException(
          "no rule grants " + verb + " on " + group + "/" + resource + ": " + grants);
    }
    return new Grants(kept);
  }

  /** Whether a rule allows this resource request. */
  public boolean allows(RequestAttributes request) {
    return grants.stream().anyMatch(g -> applies(g, request) && matches(g.rule(), request));
  }

  /** The rules that apply in {@code namespace}: its own plus the cluster-wide ones. */
  public List<PolicyRule> rulesIn(String namespace) {
    return grants.stream()
        .filter(g -> g.namespace() == null || g.namespace().equals(namespace))
        .map(Grant::rule)
        .toList();
  }

  private static boolean applies(Grant grant, RequestAttributes request) {
    // A Role's rules reach only objects in its namespace; cluster-scoped objects and requests
    // across all namespaces need a ClusterRole.
    return grant.namespace() == null || grant.namespace().equals(request.namespace());
  }

  private static boolean matches(PolicyRule rule, RequestAttributes request) {
    return has(rule.getVerbs(), request.verb())
        && has(rule.getApiGroups(), request.group())
        && has(rule.getResources(), request.resourceWithSubresource())
        && (rule.getResourceNames() == null
            || rule.getResourceNames().isEmpty()
            || (!request.name().isEmpty() && rule.getResourceNames().contains(request.name())));
  }

  private static boolean has(List<String> values, String value) {
    return values != null && (values.contains("*") || values.contains(value));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Grants other && grants.equals(other.grants);
  }

  @Override
  public int hashCode() {
    return Objects.hash(grants);
  }

  @Override
  public String toString() {
    return grants.toString();
  }
}
