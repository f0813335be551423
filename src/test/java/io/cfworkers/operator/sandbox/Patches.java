package io.cfworkers.operator.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.zjsonpatch.JsonPatch;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Applies the patch types kubectl sends. JSON patch (RFC 6902) and JSON merge patch (RFC 7386) are
 * exact. A strategic merge patch is applied as a merge patch with its {@code $}-directives dropped:
 * exact for the built-in objects the sandbox serves (Secrets, ConfigMaps, Namespaces and Events
 * have no lists with merge keys). Custom resources refuse it, as on a real apiserver; kubectl sends
 * them merge patches.
 */
final class Patches {
  static final String JSON_PATCH = "application/json-patch+json";
  static final String MERGE_PATCH = "application/merge-patch+json";
  static final String STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json";
  static final String APPLY_PATCH = "application/apply-patch+yaml";

  private static final ObjectMapper JSON = new ObjectMapper();

  private Patches() {}

  /** The media type without parameters, lower case. */
  static String mediaType(String contentType) {
    if (contentType == null) {
      return "";
    }
    int semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase();
  }

  static Map<String, Object> jsonPatch(Map<String, Object> target, byte[] patch) {
    try {
      JsonNode patchNode = JSON.readTree(new String(patch, StandardCharsets.UTF_8));
      JsonNode result = JsonPatch.apply(patchNode, JSON.valueToTree(target));
      return Json.map(JSON.convertValue(result, Map.class));
    } catch (java.io.IOException | RuntimeException e) {
      throw new IllegalArgumentException("the JSON patch cannot be applied: " + e.getMessage(), e);
    }
  }

  static Map<String, Object> mergePatch(Map<String, Object> target, Map<String, Object> patch) {
    return Json.map(merge(Json.deepCopy(target), patch, false));
  }

  static Map<String, Object> strategicMergePatch(
      Map<String, Object> target, Map<String, Object> patch) {
    return Json.map(merge(Json.deepCopy(target), patch, true));
  }

  private static Object merge(Object target, Object patch, boolean strategic) {
    if (!(patch instanceof Map<?, ?> patchMap)) {
      return Json.deepCopy(patch);
    }
    if (strategic && "replace".equals(patchMap.get("$patch"))) {
      Map<String, Object> replaced = new LinkedHashMap<>();
      patchMap.forEach((k, v) -> replaced.put(String.valueOf(k), v));
      replaced.remove("$patch");
      return merge(new LinkedHashMap<>(), replaced, true);
    }
    Map<String, Object> result =
        target instanceof Map<?, ?> ? Json.map(target) : new LinkedHashMap<>();
    for (Map.Entry<?, ?> entry : patchMap.entrySet()) {
      String key = String.valueOf(entry.getKey());
      if (strategic && key.startsWith("$")) {
        continue;
      }
      if (entry.getValue() == null) {
        result.remove(key);
      } else {
        result.put(key, merge(result.get(key), entry.getValue(), strategic));
      }
    }
    return result;
  }
}
