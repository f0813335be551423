package io.cfworkers.operator.sandbox;

import java.util.List;

/**
 * A parsed Kubernetes REST path such as {@code /apis/cfworkers.io/v1alpha1/namespaces/shop/
 * workerdeployments/checkout-api/status}. {@code group} is empty for the core group ({@code
 * /api/v1}); {@code namespace}, {@code name} and {@code subresource} are null when absent.
 */
record ResourcePath(
    String group,
    String version,
    String namespace,
    String plural,
    String name,
    String subresource) {

  /** The path parsed, or null when it does not address a resource or a collection. */
  static ResourcePath parse(String path) {
    List<String> segments =
        List.of(path.replaceAll("^/+|/+$", "").split("/")).stream()
            .filter(s -> !s.isEmpty())
            .toList();
    String group;
    int rest;
    if (segments.size() >= 3 && segments.get(0).equals("api")) {
      group = "";
      rest = 2;
    } else if (segments.size() >= 4 && segments.get(0).equals("apis")) {
      group = segments.get(1);
      rest = 3;
    } else {
      return null;
    }
    String version = segments.get(rest - 1);
    List<String> tail = segments.subList(rest, segments.size());
    if (tail.size() >= 3 && tail.get(0).equals("namespaces")) {
      if (tail.size() > 5) {
        return null;
      }
      return new ResourcePath(
          group,
          version,
          tail.get(1),
          tail.get(2),
          tail.size() > 3 ? tail.get(3) : null,
          tail.size() > 4 ? tail.get(4) : null);
    }
    if (tail.size() > 3) {
      return null;
    }
    return new ResourcePath(
        group,
        version,
        null,
        tail.get(0),
        tail.size() > 1 ? tail.get(1) : null,
        tail.size() > 2 ? tail.get(2) : null);
  }

  /** The collection path, e.g. {@code /api/v1/namespaces/shop/secrets}. */
  String collectionPath() {
    String prefix = group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
    return prefix + (namespace == null ? "" : "/namespaces/" + namespace) + "/" + plural;
  }

  /** The path of the object (without subresource); only when {@link #name} is set. */
  String objectPath() {
    return collectionPath() + "/" + name;
  }

  /**
   * {@code plural.group} as the apiserver names resources in messages: secrets, wd.cfworkers.io.
   */
  String qualifiedResource() {
    return group.isEmpty() ? plural : plural + "." + group;
  }

  boolean isList() {
    return name == null;
  }
}
