package io.cfworkers.operator.reconcile;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cfworkers.operator.api.v1alpha1.WorkerDeploymentStatus;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Test support: a {@link WorkerDeploymentStatus} with every bean property set, found by Jackson's
 * introspection (so a property added later is filled too), and the JSON paths of all its leaves.
 */
final class StatusFields {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private StatusFields() {}

  /** Every property of the status, recursively, set to a distinct non-default value. */
  static WorkerDeploymentStatus filled() {
    try {
      return JSON.treeToValue(
          fill(JSON.constructType(WorkerDeploymentStatus.class), "status"),
          WorkerDeploymentStatus.class);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The top-level property names of the status, as serialized. */
  static List<String> topLevelProperties() {
    List<String> names = new ArrayList<>();
    tree(filled()).fieldNames().forEachRemaining(names::add);
    return names;
  }

  static JsonNode tree(WorkerDeploymentStatus s) {
    return JSON.valueToTree(s);
  }

  /** JSON pointers of every leaf (string, number, boolean) of the tree. */
  static List<String> leaves(JsonNode node, String at) {
    List<String> out = new ArrayList<>();
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        out.addAll(leaves(e.getValue(), at + "/" + e.getKey()));
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        out.addAll(leaves(node.get(i), at + "/" + i));
      }
    } else {
      out.add(at);
    }
    return out;
  }

  private static JsonNode fill(JavaType type, String name) {
    Class<?> raw = type.getRawClass();
    int seed = Math.abs(name.hashCode() % 1000) + 1;
    if (raw == String.class) {
      return NODES.textNode("v-" + name);
    }
    if (raw == Long.class || raw == long.class || raw == Integer.class || raw == int.class) {
      return NODES.numberNode(seed);
    }
    if (raw == Double.class || raw == double.class) {
      return NODES.numberNode(seed + 0.5);
    }
    if (raw == Boolean.class || raw == boolean.class) {
      return NODES.booleanNode(true);
    }
    if (type.isCollectionLikeType()) {
      ArrayNode array = NODES.arrayNode();
      array.add(fill(type.getContentType(), name + "[0]"));
      return array;
    }
    ObjectNode object = NODES.objectNode();
    BeanDescription bean = JSON.getSerializationConfig().introspect(type);
    for (BeanPropertyDefinition p : bean.findProperties()) {
      if (p.getPrimaryType().isMapLikeType() || p.getAccessor() == null) {
        continue;
      }
      object.set(p.getName(), fill(p.getPrimaryType(), name + "." + p.getName()));
    }
    return object;
  }
}
