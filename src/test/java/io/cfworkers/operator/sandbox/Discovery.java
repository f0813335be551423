package io.cfworkers.operator.sandbox;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The discovery documents of the sandbox API server ({@code /version}, {@code /api}, {@code /apis},
 * one resource list per group version), in the legacy (non-aggregated) format, which kubectl falls
 * back to. They list exactly the resources the sandbox serves: the CRD's own, plus the core and
 * API-extension resources kubectl and the operator use.
 */
final class Discovery {
  private static final List<String> ALL_VERBS =
      List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");
  private static final List<String> SUBRESOURCE_VERBS = List.of("get", "patch", "update");

  /** The Kubernetes version the sandbox reports on {@code /version}. */
  static final String MAJOR = "1";

  static final String MINOR = "32";

  private final Map<String, Map<String, Object>> documents = new LinkedHashMap<>();

  /**
   * @param crd the CustomResourceDefinition served (apiextensions.k8s.io/v1, one served version)
   * @param serverAddress host:port clients reach the server at
   */
  Discovery(Map<String, Object> crd, String serverAddress) {
    Map<String, Object> spec = Json.map(crd.get("spec"));
    Map<String, Object> names = Json.map(spec.get("names"));
    String group = (String) spec.get("group");
    String version = servedVersion(spec);
    boolean namespaced = "Namespaced".equals(spec.get("scope"));

    Map<String, Object> versionInfo = new LinkedHashMap<>();
    versionInfo.put("major", MAJOR);
    versionInfo.put("minor", MINOR);
    versionInfo.put("gitVersion", "v" + MAJOR + "." + MINOR + ".0-sandbox");
    versionInfo.put("gitCommit", "0000000000000000000000000000000000000000");
    versionInfo.put("gitTreeState", "clean");
    versionInfo.put("buildDate", "2025-01-01T00:00:00Z");
    versionInfo.put("goVersion", "go1.23.0");
    versionInfo.put("compiler", "gc");
    versionInfo.put("platform", "linux/amd64");
    documents.put("/version", versionInfo);

    Map<String, Object> apiVersions = new LinkedHashMap<>();
    apiVersions.put("kind", "APIVersions");
    apiVersions.put("versions", List.of("v1"));
    apiVersions.put(
        "serverAddressByClientCIDRs",
        List.of(Map.of("clientCIDR", "0.0.0.0/0", "serverAddress", serverAddress)));
    documents.put("/api", apiVersions);

    documents.put(
        "/api/v1",
        resourceList(
            "v1",
            resource("namespaces", "namespace", "Namespace", false, List.of("ns")),
            resource("namespaces/status", "", "Namespace", false, null),
            resource("secrets", "secret", "Secret", true, null),
            resource("configmaps", "configmap", "ConfigMap", true, List.of("cm")),
            resource("events", "event", "Event", true, List.of("ev"))));

    List<Map<String, Object>> groups = new ArrayList<>();
    groups.add(group(group, version));
    documents.put(
        "/apis/" + group + "/" + version,
        resourceList(
            group + "/" + version,
            resource(
                (String) names.get("plural"),
                (String) names.get("singular"),
                (String) names.get("kind"),
                namespaced,
                stringList(names.get("shortNames")),
                stringList(names.get("categories"))),
            resource(
                names.get("plural") + "/status",
                "",
                (String) names.get("kind"),
                namespaced,
                null)));

    groups.add(group("apiextensions.k8s.io", "v1"));
    documents.put(
        "/apis/apiextensions.k8s.io/v1",
        resourceList(
            "apiextensions.k8s.io/v1",
            resource(
                "customresourcedefinitions",
                "customresourcedefinition",
                "CustomResourceDefinition",
                false,
                List.of("crd", "crds")),
            resource(
                "customresourcedefinitions/status", "", "CustomResourceDefinition", false, null)));

    groups.add(group("coordination.k8s.io", "v1"));
    documents.put(
        "/apis/coordination.k8s.io/v1",
        resourceList("coordination.k8s.io/v1", resource("leases", "lease", "Lease", true, null)));

    for (Map<String, Object> g : groups) {
      documents.put("/apis/" + g.get("name"), withKind("APIGroup", "v1", g));
    }
    Map<String, Object> groupList = new LinkedHashMap<>();
    groupList.put("kind", "APIGroupList");
    groupList.put("apiVersion", "v1");
    groupList.put("groups", groups);
    documents.put("/apis", groupList);
  }

  /** The document served at {@code path} (query ignored), if it is a discovery path. */
  Optional<Map<String, Object>> document(String path) {
    String normalized =
        path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    return Optional.ofNullable(documents.get(normalized));
  }

  /** Every group version served, as its discovery path: {@code /api/v1}, {@code /apis/g/v}. */
  List<String> groupVersionPaths() {
    return documents.keySet().stream()
        .filter(p -> p.equals("/api/v1") || p.chars().filter(c -> c == '/').count() == 3)
        .filter(p -> documents.get(p).containsKey("resources"))
        .toList();
  }

  /** The resources of a group version, by its discovery path, subresources excluded. */
  List<Map<String, Object>> resources(String groupVersionPath) {
    return ((List<?>) documents.get(groupVersionPath).get("resources"))
        .stream().map(Json::map).filter(r -> !String.valueOf(r.get("name")).contains("/")).toList();
  }

  /** The API resource entry for {@code group/version} and {@code plural}, if served. */
  Optional<Map<String, Object>> resource(String group, String version, String plural) {
    String path = group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
    Map<String, Object> list = documents.get(path);
    if (list == null) {
      return Optional.empty();
    }
    for (Object r : (List<?>) list.get("resources")) {
      Map<String, Object> resource = Json.map(r);
      if (plural.equals(resource.get("name"))) {
        return Optional.of(resource);
      }
    }
    return Optional.empty();
  }

  private static String servedVersion(Map<String, Object> crdSpec) {
    for (Object v : (List<?>) crdSpec.get("versions")) {
      Map<String, Object> version = Json.map(v);
      if (Boolean.TRUE.equals(version.get("storage"))) {
        return (String) version.get("name");
      }
    }
    throw new IllegalArgumentException("the CRD has no storage version");
  }

  private static Map<String, Object> group(String name, String version) {
    Map<String, Object> gv = Map.of("groupVersion", name + "/" + version, "version", version);
    Map<String, Object> group = new LinkedHashMap<>();
    group.put("name", name);
    group.put("versions", List.of(gv));
    group.put("preferredVersion", gv);
    return group;
  }

  private static Map<String, Object> withKind(
      String kind, String apiVersion, Map<String, Object> body) {
    Map<String, Object> document = new LinkedHashMap<>();
    document.put("kind", kind);
    document.put("apiVersion", apiVersion);
    document.putAll(body);
    return document;
  }

  @SafeVarargs
  private static Map<String, Object> resourceList(
      String groupVersion, Map<String, Object>... resources) {
    Map<String, Object> list = new LinkedHashMap<>();
    list.put("kind", "APIResourceList");
    list.put("apiVersion", "v1");
    list.put("groupVersion", groupVersion);
    list.put("resources", List.of(resources));
    return list;
  }

  private static Map<String, Object> resource(
      String plural, String singular, String kind, boolean namespaced, List<String> shortNames) {
    return resource(plural, singular, kind, namespaced, shortNames, null);
  }

  private static Map<String, Object> resource(
      String plural,
      String singular,
      String kind,
      boolean namespaced,
      List<String> shortNames,
      List<String> categories) {
    Map<String, Object> resource = new LinkedHashMap<>();
    resource.put("name", plural);
    resource.put("singularName", singular);
    resource.put("namespaced", namespaced);
    resource.put("kind", kind);
    resource.put("verbs", plural.contains("/") ? SUBRESOURCE_VERBS : ALL_VERBS);
    if (shortNames != null && !shortNames.isEmpty()) {
      resource.put("shortNames", shortNames);
    }
    if (categories != null && !categories.isEmpty()) {
      resource.put("categories", categories);
    }
    return resource;
  }

  private static List<String> stringList(Object value) {
    return value instanceof List<?> list ? list.stream().map(String::valueOf).toList() : null;
  }
}
