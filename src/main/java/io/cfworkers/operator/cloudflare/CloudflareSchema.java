package io.cfworkers.operator.cloudflare;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * Checks that a successful answer has the shape Cloudflare's schema promises, before the client
 * reads it. An answer that breaks the schema is not read at all: a missing list must not be taken
 * for an empty one ("no deployment"), nor a missing percentage for 0.
 *
 * <p>Checked, per answer:
 *
 * <ul>
 *   <li>envelope: {@code success} is the boolean {@code true}; {@code result} is an object (every
 *       call but a delete, whose result the schema does not require). The envelope's {@code errors}
 *       and {@code messages} are required by the schema too but carry nothing a success needs, so
 *       they are not checked;
 *   <li>a deployment (list entry, single, create): {@code id}, {@code source}, {@code strategy},
 *       {@code created_on} are strings, {@code versions} is a list, and each of its entries has a
 *       string {@code version_id} and a number {@code percentage}: all required by the schema;
 *   <li>the deployments list: {@code result.deployments} is a list (required by the schema);
 *   <li>the versions list: {@code result.items} is a list and each item has a string {@code id}.
 *       The schema requires neither, but every answer has them and the client can do nothing with a
 *       version it cannot name; a missing list would read as "no versions";
 *   <li>a version's detail: a string {@code id}, and {@code resources} an object (required by the
 *       schema).
 * </ul>
 *
 * <p>Fields the schema leaves optional ({@code annotations}, {@code author_email}, {@code
 * metadata}, ...) may be missing or null, and fields the client does not know are ignored.
 */
final class CloudflareSchema {
  private CloudflareSchema() {}

  /**
   * What is wrong with a 2xx answer to {@code operation}, e.g. {@code "result.deployments[0] has no
   * id"}; empty when it has the required shape.
   *
   * @param envelope the parsed body, an object
   */
  static Optional<String> problem(CloudflareOperation operation, JsonNode envelope) {
    JsonNode success = envelope.get("success");
    if (success == null || !success.isBoolean()) {
      return Optional.of("the envelope has no boolean success");
    }
    JsonNode result = envelope.get("result");
    if (operation == CloudflareOperation.DELETE_DEPLOYMENT) {
      return Optional.empty();
    }
    if (result == null || result.isNull()) {
      return Optional.of("the envelope has no result");
    }
    if (!result.isObject()) {
      return Optional.of("result is not an object");
    }
    return switch (operation) {
      case LIST_DEPLOYMENTS -> deployments(result);
      case GET_DEPLOYMENT, CREATE_DEPLOYMENT -> deployment(result, "result");
      case LIST_VERSIONS -> versions(result);
      case GET_VERSION -> version(result);
      case DELETE_DEPLOYMENT -> Optional.empty();
      // GraphQL answers carry no envelope; VersionHealthQuery reads them.
      case ANALYTICS_VERSION_HEALTH, ANALYTICS_DIMENSIONS -> Optional.empty();
    };
  }

  private static Optional<String> deployments(JsonNode result) {
    JsonNode list = result.get("deployments");
    if (list == null || !list.isArray()) {
      return Optional.of("result has no list deployments");
    }
    for (int i = 0; i < list.size(); i++) {
      Optional<String> problem = deployment(list.get(i), "result.deployments[" + i + "]");
      if (problem.isPresent()) {
        return problem;
      }
    }
    return Optional.empty();
  }

  private static Optional<String> deployment(JsonNode d, String where) {
    if (!d.isObject()) {
      return Optional.of(where + " is not an object");
    }
    for (String field : new String[] {"id", "source", "strategy", "created_on"}) {
      if (!isText(d.get(field))) {
        return Optional.of(where + " has no " + field);
      }
    }
    JsonNode versions = d.get("versions");
    if (versions == null || !versions.isArray()) {
      return Optional.of(where + " has no list versions");
    }
    for (int i = 0; i < versions.size(); i++) {
      JsonNode v = versions.get(i);
      String entry = where + ".versions[" + i + "]";
      if (!v.isObject()) {
        return Optional.of(entry + " is not an object");
      }
      if (!isText(v.get("version_id"))) {
        return Optional.of(entry + " has no version_id");
      }
      JsonNode percentage = v.get("percentage");
      if (percentage == null || !percentage.isNumber()) {
        return Optional.of(entry + " has no number percentage");
      }
    }
    return Optional.empty();
  }

  private static Optional<String> versions(JsonNode result) {
    JsonNode items = result.get("items");
    if (items == null || !items.isArray()) {
      return Optional.of("result has no list items");
    }
    for (int i = 0; i < items.size(); i++) {
      JsonNode item = items.get(i);
      if (!item.isObject() || !isText(item.get("id"))) {
        return Optional.of("result.items[" + i + "] has no id");
      }
    }
    return Optional.empty();
  }

  private static Optional<String> version(JsonNode result) {
    if (!isText(result.get("id"))) {
      return Optional.of("result has no id");
    }
    JsonNode resources = result.get("resources");
    if (resources == null || !resources.isObject()) {
      return Optional.of("result has no resources");
    }
    return Optional.empty();
  }

  private static boolean isText(JsonNode node) {
    return node != null && node.isTextual() && !node.textValue().isEmpty();
  }
}
