package io.cfworkers.operator.sandbox;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code meta/v1 Status} failure objects shaped like the ones a kube-apiserver answers. */
final class ApiStatus {
  private ApiStatus() {}

  static Map<String, Object> failure(
      int code, String reason, String message, Map<String, Object> details) {
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("kind", "Status");
    status.put("apiVersion", "v1");
    status.put("metadata", Map.of());
    status.put("status", "Failure");
    status.put("message", message);
    status.put("reason", reason);
    if (details != null) {
      status.put("details", details);
    }
    status.put("code", code);
    return status;
  }

  static Map<String, Object> notFound(ResourcePath path) {
    String name = path.name() == null ? "" : path.name();
    return failure(
        404,
        "NotFound",
        path.qualifiedResource() + " \"" + name + "\" not found",
        details(name, path, null));
  }

  static Map<String, Object> alreadyExists(ResourcePath path, String name) {
    return failure(
        409,
        "AlreadyExists",
        path.qualifiedResource() + " \"" + name + "\" already exists",
        details(name, path, null));
  }

  static Map<String, Object> conflict(ResourcePath path, String name) {
    return failure(
        409,
        "Conflict",
        "Operation cannot be fulfilled on "
            + path.qualifiedResource()
            + " \""
            + name
            + "\": the object has been modified; please apply your changes to the latest version"
            + " and try again",
        details(name, path, null));
  }

  /**
   * 422 Invalid with one cause per field error. {@code errors} are the validator's apiserver-style
   * strings, {@code field: detail}; the message joins them like the apiserver does.
   */
  static Map<String, Object> invalid(
      String kind, String group, String name, ResourcePath path, List<String> errors) {
    List<Map<String, Object>> causes = new ArrayList<>();
    for (String error : errors) {
      int colon = error.indexOf(": ");
      Map<String, Object> cause = new LinkedHashMap<>();
      cause.put("reason", causeReason(error));
      cause.put("message", colon < 0 ? error : error.substring(colon + 2));
      cause.put("field", colon < 0 ? "" : error.substring(0, colon));
      causes.add(cause);
    }
    String joined = errors.size() == 1 ? errors.get(0) : "[" + String.join(", ", errors) + "]";
    Map<String, Object> details = details(name, path, causes);
    details.put("kind", kind);
    return failure(
        422, "Invalid", kind + "." + group + " \"" + name + "\" is invalid: " + joined, details);
  }

  static Map<String, Object> badRequest(String message) {
    return failure(400, "BadRequest", message, null);
  }

  static Map<String, Object> unsupportedMediaType(String message) {
    return failure(415, "UnsupportedMediaType", message, null);
  }

  static Map<String, Object> methodNotAllowed(String message) {
    return failure(405, "MethodNotAllowed", message, null);
  }

  private static String causeReason(String error) {
    if (error.contains(": Required value")) {
      return "FieldValueRequired";
    } else if (error.contains(": Unsupported value")) {
      return "FieldValueNotSupported";
    } else if (error.contains(": Too long") || error.contains(": Too many")) {
      return "FieldValueTooLong";
    } else if (error.contains(": Forbidden")) {
      return "FieldValueForbidden";
    } else if (error.contains(": Duplicate value")) {
      return "FieldValueDuplicate";
    }
    return "FieldValueInvalid";
  }

  private static Map<String, Object> details(
      String name, ResourcePath path, List<Map<String, Object>> causes) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("name", name);
    if (!path.group().isEmpty()) {
      details.put("group", path.group());
    }
    details.put("kind", path.plural());
    if (causes != null) {
      details.put("causes", causes);
    }
    return details;
  }
}
