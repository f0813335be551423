package io.cfworkers.operator.support.rbac;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What the Kubernetes authorizer sees of a request, derived from its method and URL the way the API
 * server's request-info parser does: a resource request (verb, API group, resource, subresource,
 * namespace, name) or a non-resource request (a path such as {@code /version}).
 *
 * @param resourceRequest whether the path names an API resource
 * @param verb get, list, watch, create, update, patch, delete, deletecollection; for non-resource
 *     requests the lower-case HTTP method
 * @param group API group, "" for the core group
 * @param resource plural resource name, e.g. {@code leases}
 * @param subresource e.g. {@code status}, or ""
 * @param namespace the namespace in the path, or "" for cluster-wide requests
 * @param name the object's name in the path, or ""
 * @param path the path without query
 */
public record RequestAttributes(
    boolean resourceRequest,
    String verb,
    String group,
    String resource,
    String subresource,
    String namespace,
    String name,
    String path) {

  /** Parses {@code method} and {@code pathAndQuery} (e.g. {@code /api/v1/secrets?watch=true}). */
  public static RequestAttributes of(String method, String pathAndQuery) {
    int q = pathAndQuery.indexOf('?');
    String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
    String query = q < 0 ? "" : pathAndQuery.substring(q + 1);
    List<String> parts =
        Arrays.stream(path.split("/"))
            .filter(s -> !s.isEmpty())
            .map(RequestAttributes::decode)
            .toList();
    String httpVerb = method.toLowerCase(Locale.ROOT);
    String group;
    List<String> rest;
    if (parts.size() >= 2 && parts.get(0).equals("api")) {
      group = "";
      rest = parts.subList(2, parts.size());
    } else if (parts.size() >= 3 && parts.get(0).equals("apis")) {
      group = parts.get(1);
      rest = parts.subList(3, parts.size());
    } else {
      return new RequestAttributes(false, httpVerb, "", "", "", "", "", path);
    }
    if (rest.isEmpty()) {
      // discovery of one group version, e.g. GET /apis/cfworkers.io/v1alpha1
      return new RequestAttributes(false, httpVerb, "", "", "", "", "", path);
    }
    boolean watchPath = rest.get(0).equals("watch");
    if (watchPath) {
      rest = rest.subList(1, rest.size());
    }
    String namespace = "";
    if (rest.size() >= 3 && rest.get(0).equals("namespaces")) {
      namespace = rest.get(1);
      rest = rest.subList(2, rest.size());
    }
    String resource = rest.get(0);
    String name = rest.size() >= 2 ? rest.get(1) : "";
    String subresource = rest.size() >= 3 ? rest.get(2) : "";
    if (namespace.isEmpty() && resource.equals("namespaces") && !name.isEmpty()) {
      // a Namespace object is authorized in its own namespace, as the API server does
      namespace = name;
    }
    String verb =
        switch (httpVerb) {
          case "get", "head" ->
              watchPath || isWatch(query) ? "watch" : name.isEmpty() ? "list" : "get";
          case "post" -> "create";
          case "put" -> "update";
          case "patch" -> "patch";
          case "delete" -> name.isEmpty() ? "deletecollection" : "delete";
          default -> httpVerb;
        };
    return new RequestAttributes(true, verb, group, resource, subresource, namespace, name, path);
  }

  /** {@code resource} or {@code resource/subresource}, as RBAC rules name it. */
  public String resourceWithSubresource() {
    return subresource.isEmpty() ? resource : resource + "/" + subresource;
  }

  private static boolean isWatch(String query) {
    for (String pair : query.split("&")) {
      if (pair.equals("watch=true") || pair.equals("watch=1") || pair.equals("watch")) {
        return true;
      }
    }
    return false;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    if (!resourceRequest) {
      return verb + " " + path;
    }
    return verb
        + " "
        + (group.isEmpty() ? "" : group + "/")
        + resourceWithSubresource()
        + (name.isEmpty() ? "" : " " + name)
        + (namespace.isEmpty() ? " (cluster-wide)" : " in namespace " + namespace);
  }
}
