package io.cfworkers.operator.sandbox;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The OpenAPI v3 documents kubectl reads ({@code /openapi/v3} and one per group version). They hold
 * what kubectl decides on, and no more:
 *
 * <ul>
 *   <li>each kind's PATCH operation accepts the {@code fieldValidation} query parameter, so kubectl
 *       leaves validation to the server ({@code --validate=strict}, its default) instead of
 *       downloading schemas for client-side validation;
 *   <li>the custom resource's PATCH operation does not accept strategic merge patches, so {@code
 *       kubectl apply} sends JSON merge patches, as it does against a real cluster;
 *   <li>the custom resource's schema, so {@code kubectl explain workerdeployment.spec} works.
 * </ul>
 */
final class OpenApi {
  private static final List<String> CUSTOM_RESOURCE_PATCH_TYPES =
      List.of(Patches.JSON_PATCH, Patches.MERGE_PATCH, Patches.APPLY_PATCH);

  private final Map<String, Map<String, Object>> documents = new LinkedHashMap<>();

  OpenApi(Discovery discovery, Map<String, Object> crd) {
    String crdGroup = (String) Json.at(crd, "spec.group");
    Map<String, Object> paths = new LinkedHashMap<>();
    for (String gvPath : discovery.groupVersionPaths()) {
      String key = gvPath.substring(1);
      String[] parts = key.split("/");
      String group = parts[0].equals("api") ? "" : parts[1];
      String version = parts[parts.length - 1];
      Map<String, Object> document = new LinkedHashMap<>();
      document.put("openapi", "3.0.0");
      document.put("info", Map.of("title", "Kubernetes", "version", "v1.32.0-sandbox"));
      Map<String, Object> gvPaths = new LinkedHashMap<>();
      for (Map<String, Object> resource : discovery.resources(gvPath)) {
        boolean namespaced = Boolean.TRUE.equals(resource.get("namespaced"));
        String objectPath =
            gvPath
                + (namespaced ? "/namespaces/{namespace}/" : "/")
                + resource.get("name")
                + "/{name}";
        boolean custom = group.equals(crdGroup);
        gvPaths.put(
            objectPath,
            Map.of(
                "patch",
                patchOperation(
                    group,
                    version,
                    (String) resource.get("kind"),
                    custom
                        ? CUSTOM_RESOURCE_PATCH_TYPES
                        : List.of(Patches.JSON_PATCH, Patches.MERGE_PATCH))));
      }
      document.put("paths", gvPaths);
      if (group.equals(crdGroup)) {
        document.put("components", Map.of("schemas", customResourceSchemas(crd)));
      }
      documents.put("/openapi/v3/" + key, document);
      paths.put(key, Map.of("serverRelativeURL", "/openapi/v3/" + key + "?hash=sandbox"));
    }
    documents.put("/openapi/v3", Map.of("paths", paths));
  }

  Optional<Map<String, Object>> document(String path) {
    return Optional.ofNullable(documents.get(path));
  }

  private static Map<String, Object> patchOperation(
      String group, String version, String kind, List<String> patchTypes) {
    Map<String, Object> content = new LinkedHashMap<>();
    patchTypes.forEach(t -> content.put(t, Map.of("schema", Map.of("type", "object"))));
    Map<String, Object> operation = new LinkedHashMap<>();
    operation.put("operationId", "patch" + kind);
    operation.put(
        "parameters",
        List.of(
            Map.of("name", "fieldValidation", "in", "query", "schema", Map.of("type", "string")),
            Map.of("name", "dryRun", "in", "query", "schema", Map.of("type", "string"))));
    operation.put("requestBody", Map.of("content", content, "required", true));
    operation.put("responses", Map.of("200", Map.of("description", "OK")));
    operation.put(
        "x-kubernetes-group-version-kind",
        Map.of("group", group, "version", version, "kind", kind));
    return operation;
  }

  private static Map<String, Object> customResourceSchemas(Map<String, Object> crd) {
    String group = (String) Json.at(crd, "spec.group");
    String kind = (String) Json.at(crd, "spec.names.kind");
    Map<String, Object> schemas = new LinkedHashMap<>();
    for (Object v : (List<?>) Json.at(crd, "spec.versions")) {
      Map<String, Object> version = Json.map(v);
      Map<String, Object> schema =
          new LinkedHashMap<>(Json.map(Json.at(version, "schema.openAPIV3Schema")));
      Map<String, Object> properties = new LinkedHashMap<>();
      properties.put(
          "apiVersion",
          Map.of(
              "type",
              "string",
              "description",
              "APIVersion defines the versioned schema of this representation of an object."));
      properties.put(
          "kind",
          Map.of("type", "string", "description", "Kind is a string value for the REST resource."));
      properties.put(
          "metadata",
          Map.of(
              "type",
              "object",
              "description",
              "Standard object's metadata: name, namespace, labels, annotations, ..."));
      properties.putAll(Json.map(schema.getOrDefault("properties", Map.of())));
      schema.put("properties", properties);
      schema.put(
          "x-kubernetes-group-version-kind",
          List.of(Map.of("group", group, "version", version.get("name"), "kind", kind)));
      String reversed = String.join(".", reverse(group.split("\\.")));
      schemas.put(reversed + "." + version.get("name") + "." + kind, schema);
    }
    return schemas;
  }

  private static List<String> reverse(String[] parts) {
    List<String> list = new java.util.ArrayList<>(List.of(parts));
    java.util.Collections.reverse(list);
    return list;
  }
}
