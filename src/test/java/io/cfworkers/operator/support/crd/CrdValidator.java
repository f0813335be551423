package io.cfworkers.operator.support.crd;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Admits custom resources the way a kube-apiserver does for a CRD, from the CRD's YAML alone:
 * unknown-field handling (kubectl's default strict field validation, or pruning), schema defaults,
 * the structural OpenAPI schema (checked by a JSON-schema validator) and the CEL rules of every
 * {@code x-kubernetes-validations} entry (compiled and evaluated with cel-java, with {@code self}
 * and, on update, {@code oldSelf} bound to the value at the rule's schema node).
 *
 * <p>Errors read like the apiserver's field errors, for example {@code spec.versions: Invalid
 * value: "array": percentages must add up to 100 (±0.001), they add up to 110} or {@code
 * spec.scriptName: Required value}. As in the apiserver, CEL rules are not evaluated when the
 * schema reported a blocking error (wrong type, missing required field, unsupported enum value, too
 * long, too many items).
 *
 * <p>A rule's {@code messageExpression} is evaluated as the apiserver does (a string; the static
 * {@code message} when it fails or is blank). Not emulated: CEL cost budgets, metadata validation,
 * {@code fieldPath} in rules (rejected as unsupported), and correlation of transition rules through
 * list items.
 */
public final class CrdValidator {

  /**
   * How unknown fields are treated: kubectl's {@code --validate} / the {@code fieldValidation}
   * parameter.
   */
  public enum FieldValidation {
    /** kubectl's default since 1.27: an unknown field rejects the request. */
    STRICT,
    /** The unknown field is dropped and a warning is returned. */
    WARN,
    /** The unknown field is dropped silently (the apiserver's default for other clients). */
    IGNORE
  }

  /**
   * The outcome of one admission: errors (empty when admitted), warnings, and the object as it
   * would be stored (pruned, defaulted, status dropped), or null when rejected.
   */
  public record Admission(List<String> errors, List<String> warnings, Map<String, Object> stored) {
    public boolean admitted() {
      return errors.isEmpty();
    }
  }

  static final String NOT_CHECKED =
      "<nil>: Invalid value: \"null\": some validation rules were not checked because the object"
          + " was invalid; correct the existing errors to complete validation";

  private static final Set<String> BLOCKING_KEYWORDS =
      Set.of("required", "type", "enum", "maxLength", "maxItems", "maxProperties");
  private static final Set<String> ROOT_FIELDS_OUTSIDE_SCHEMA =
      Set.of("apiVersion", "kind", "metadata");
  private static final Pattern OLD_SELF = Pattern.compile("\\boldSelf\\b");
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  private final Map<String, Object> openApiSchema;
  private final Schema jsonSchema;
  private final boolean statusSubresource;
  private final Map<String, CelRuntime.Program> programs = new ConcurrentHashMap<>();

  private CrdValidator(Map<String, Object> openApiSchema, boolean statusSubresource) {
    this.openApiSchema = openApiSchema;
    this.statusSubresource = statusSubresource;
    JsonNode converted = JSON.valueToTree(toJsonSchema(openApiSchema));
    this.jsonSchema =
        SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4).getSchema(converted);
  }

  /** Reads a CRD file (apiextensions.k8s.io/v1) and validates against its storage version. */
  public static CrdValidator fromCrdFile(Path crdYaml) {
    try {
      Map<String, Object> crd =
          asMap(new YAMLMapper().readValue(Files.readString(crdYaml), Map.class));
      Map<String, Object> spec = asMap(crd.get("spec"));
      for (Object v : (List<?>) spec.get("versions")) {
        Map<String, Object> version = asMap(v);
        if (Boolean.TRUE.equals(version.get("storage"))) {
          Map<String, Object> schema = asMap(asMap(version.get("schema")).get("openAPIV3Schema"));
          Map<String, Object> subresources = asMap(version.get("subresources"));
          return new CrdValidator(
              schema, subresources != null && subresources.containsKey("status"));
        }
      }
      throw new IllegalArgumentException(crdYaml + " has no storage version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Errors a create of {@code manifest} would get from {@code kubectl apply} (strict fields). */
  public List<String> validate(Map<String, Object> manifest) {
    return admit(null, manifest, FieldValidation.STRICT).errors();
  }

  /** Errors an update from {@code oldManifest} to {@code newManifest} would get (strict fields). */
  public List<String> validateUpdate(
      Map<String, Object> oldManifest, Map<String, Object> newManifest) {
    return admit(oldManifest, newManifest, FieldValidation.STRICT).errors();
  }

  /**
   * Admits a create ({@code oldManifest} null) or an update of the main resource: status is dropped
   * first when the CRD has a status subresource, as the apiserver does.
   */
  public Admission admit(
      Map<String, Object> oldManifest, Map<String, Object> manifest, FieldValidation fields) {
    List<String> errors = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    Map<String, Object> object = deepCopyMap(manifest);
    if (statusSubresource) {
      object.remove("status");
    }
    List<String> unknown = new ArrayList<>();
    prune(object, openApiSchema, "", true, unknown);
    switch (fields) {
      case STRICT ->
          unknown.forEach(f -> errors.add("strict decoding error: unknown field \"" + f + "\""));
      case WARN -> unknown.forEach(f -> warnings.add("unknown field \"" + f + "\""));
      case IGNORE -> {}
    }
    if (!errors.isEmpty()) {
      return new Admission(errors, warnings, null);
    }
    applyDefaults(object, openApiSchema);

    boolean blocking = false;
    List<Error> schemaErrors = jsonSchema.validate(JSON.valueToTree(schemaView(object)));
    for (Error error : schemaErrors) {
      errors.add(describe(error));
      blocking |= BLOCKING_KEYWORDS.contains(error.getKeyword());
    }
    if (blocking) {
      errors.add(NOT_CHECKED);
    } else {
      Map<String, Object> old = null;
      if (oldManifest != null) {
        old = deepCopyMap(oldManifest);
        prune(old, openApiSchema, "", true, new ArrayList<>());
        applyDefaults(old, openApiSchema);
      }
      evaluateRules(
          openApiSchema, schemaView(object), old == null ? null : schemaView(old), "", errors);
    }
    return new Admission(
        List.copyOf(errors), List.copyOf(warnings), errors.isEmpty() ? object : null);
  }

  // --- unknown fields, pruning and defaults -------------------------------------------------

  private static void prune(
      Object value, Map<String, Object> schema, String path, boolean root, List<String> unknown) {
    if (schema == null || Boolean.TRUE.equals(schema.get("x-kubernetes-preserve-unknown-fields"))) {
      return;
    }
    Map<String, Object> properties = asMap(schema.get("properties"));
    if (value instanceof Map<?, ?> map && properties != null) {
      for (Object key : List.copyOf(map.keySet())) {
        String name = String.valueOf(key);
        if (root && ROOT_FIELDS_OUTSIDE_SCHEMA.contains(name)) {
          continue;
        }
        String childPath = path.isEmpty() ? name : path + "." + name;
        if (!properties.containsKey(name)) {
          unknown.add(childPath);
          map.remove(key);
        } else {
          prune(map.get(key), asMap(properties.get(name)), childPath, false, unknown);
        }
      }
    } else if (value instanceof List<?> list && schema.get("items") != null) {
      for (int i = 0; i < list.size(); i++) {
        prune(list.get(i), asMap(schema.get("items")), path + "[" + i + "]", false, unknown);
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static void applyDefaults(Object value, Map<String, Object> schema) {
    if (schema == null) {
      return;
    }
    Map<String, Object> properties = asMap(schema.get("properties"));
    if (value instanceof Map<?, ?> raw && properties != null) {
      Map<String, Object> map = (Map<String, Object>) raw;
      for (Map.Entry<String, Object> property : properties.entrySet()) {
        Map<String, Object> propertySchema = asMap(property.getValue());
        boolean nullable = Boolean.TRUE.equals(propertySchema.get("nullable"));
        if (map.containsKey(property.getKey()) && map.get(property.getKey()) == null && !nullable) {
          map.remove(property.getKey());
        }
        if (!map.containsKey(property.getKey()) && propertySchema.containsKey("default")) {
          map.put(property.getKey(), deepCopy(propertySchema.get("default")));
        }
        applyDefaults(map.get(property.getKey()), propertySchema);
      }
    } else if (value instanceof List<?> list && schema.get("items") != null) {
      list.forEach(item -> applyDefaults(item, asMap(schema.get("items"))));
    }
  }

  /** The object without the root fields the CRD schema does not describe. */
  private static Map<String, Object> schemaView(Map<String, Object> object) {
    Map<String, Object> view = new LinkedHashMap<>(object);
    ROOT_FIELDS_OUTSIDE_SCHEMA.forEach(view::remove);
    return view;
  }

  // --- structural schema ----------------------------------------------------------------------

  private static final Set<String> SCHEMA_KEYWORDS =
      Set.of(
          "type",
          "required",
          "minLength",
          "maxLength",
          "pattern",
          "minimum",
          "maximum",
          "exclusiveMinimum",
          "exclusiveMaximum",
          "multipleOf",
          "minItems",
          "maxItems",
          "uniqueItems",
          "minProperties",
          "maxProperties",
          "enum",
          "format");

  /** OpenAPI v3 (Kubernetes structural) schema → draft-4 JSON schema; x-kubernetes-* dropped. */
  static Map<String, Object> toJsonSchema(Map<String, Object> openApi) {
    Map<String, Object> result = new LinkedHashMap<>();
    for (Map.Entry<String, Object> entry : openApi.entrySet()) {
      String key = entry.getKey();
      if (SCHEMA_KEYWORDS.contains(key)) {
        result.put(key, entry.getValue());
      } else if (key.equals("properties")) {
        Map<String, Object> properties = new LinkedHashMap<>();
        asMap(entry.getValue())
            .forEach((name, schema) -> properties.put(name, toJsonSchema(asMap(schema))));
        result.put("properties", properties);
      } else if (key.equals("items") || key.equals("additionalProperties")) {
        result.put(
            key,
            entry.getValue() instanceof Map<?, ?>
                ? toJsonSchema(asMap(entry.getValue()))
                : entry.getValue());
      } else if (key.equals("allOf") || key.equals("anyOf") || key.equals("oneOf")) {
        result.put(
            key, ((List<?>) entry.getValue()).stream().map(s -> toJsonSchema(asMap(s))).toList());
      } else if (key.equals("not")) {
        result.put(key, toJsonSchema(asMap(entry.getValue())));
      }
    }
    if (Boolean.TRUE.equals(openApi.get("nullable")) && result.get("type") instanceof String t) {
      result.put("type", List.of(t, "null"));
    }
    return result;
  }

  private static String describe(Error error) {
    String path = fieldPath(error.getInstanceLocation());
    JsonNode schema = error.getSchemaNode();
    JsonNode instance = error.getInstanceNode();
    return switch (error.getKeyword()) {
      case "required" -> {
        String missing = error.getProperty();
        if (missing == null && error.getArguments() != null && error.getArguments().length > 0) {
          missing = String.valueOf(error.getArguments()[0]);
        }
        yield (path.isEmpty() ? missing : path + "." + missing) + ": Required value";
      }
      case "type" ->
          invalid(path, quote(jsonType(instance)))
              + path
              + " in body must be of type "
              + typeNames(schema)
              + ": "
              + quote(jsonType(instance));
      case "enum" ->
          path
              + ": Unsupported value: "
              + render(instance)
              + ": supported values: "
              + streamOf(schema).map(CrdValidator::render).collect(Collectors.joining(", "));
      case "maxLength" -> path + ": Too long: may not be longer than " + schema.asString();
      case "maxItems" ->
          path
              + ": Too many: "
              + instance.size()
              + ": must have at most "
              + schema.asString()
              + " items";
      case "minLength" ->
          invalid(path, render(instance))
              + path
              + " in body should be at least "
              + schema.asString()
              + " chars long";
      case "minItems" ->
          invalid(path, String.valueOf(instance.size()))
              + path
              + " in body should have at least "
              + schema.asString()
              + " items";
      case "pattern" ->
          invalid(path, render(instance))
              + path
              + " in body should match '"
              + schema.asString()
              + "'";
      case "minimum" ->
          invalid(path, render(instance))
              + path
              + " in body should be greater than or equal to "
              + render(schema);
      case "maximum" ->
          invalid(path, render(instance))
              + path
              + " in body should be less than or equal to "
              + render(schema);
      case "format" ->
          invalid(path, render(instance))
              + path
              + " in body must be of type "
              + schema.asString()
              + ": "
              + render(instance);
      default -> invalid(path, render(instance)) + error.getMessage();
    };
  }

  private static String invalid(String path, String renderedValue) {
    return path + ": Invalid value: " + renderedValue + ": ";
  }

  private static String fieldPath(NodePath location) {
    StringBuilder path = new StringBuilder();
    for (int i = 0; i < location.getNameCount(); i++) {
      Object element = location.getElement(i);
      if (element instanceof Integer index) {
        path.append('[').append(index).append(']');
      } else {
        path.append(path.length() == 0 ? "" : ".").append(element);
      }
    }
    return path.toString();
  }

  private static java.util.stream.Stream<JsonNode> streamOf(JsonNode array) {
    List<JsonNode> values = new ArrayList<>();
    array.forEach(values::add);
    return values.stream();
  }

  private static String typeNames(JsonNode schemaType) {
    return schemaType.isArray()
        ? streamOf(schemaType).map(JsonNode::asText).collect(Collectors.joining("/"))
        : schemaType.asString();
  }

  private static String jsonType(JsonNode node) {
    if (node == null || node.isNull()) {
      return "null";
    } else if (node.isObject()) {
      return "object";
    } else if (node.isArray()) {
      return "array";
    } else if (node.isString()) {
      return "string";
    } else if (node.isBoolean()) {
      return "boolean";
    } else if (node.isIntegralNumber()) {
      return "integer";
    }
    return "number";
  }

  private static String render(JsonNode node) {
    if (node == null || node.isNull()) {
      return "null";
    } else if (node.isString()) {
      return quote(node.asString());
    } else if (node.isContainer()) {
      return quote(jsonType(node));
    } else if (node.isFloatingPointNumber()
        && node.doubleValue() == Math.rint(node.doubleValue())) {
      return String.valueOf((long) node.doubleValue());
    }
    return node.asString();
  }

  private static String quote(String s) {
    return JSON.writeValueAsString(s);
  }

  // --- CEL rules ------------------------------------------------------------------------------

  private void evaluateRules(
      Map<String, Object> schema, Object value, Object oldValue, String path, List<String> errors) {
    if (schema == null || value == null) {
      return;
    }
    Object rules = schema.get("x-kubernetes-validations");
    if (rules instanceof List<?> list) {
      for (Object r : list) {
        evaluateRule(asMap(r), schema, value, oldValue, path, errors);
      }
    }
    Map<String, Object> properties = asMap(schema.get("properties"));
    if (value instanceof Map<?, ?> map && properties != null) {
      Map<?, ?> oldMap = oldValue instanceof Map<?, ?> m ? m : null;
      for (Map.Entry<String, Object> property : properties.entrySet()) {
        String name = property.getKey();
        evaluateRules(
            asMap(property.getValue()),
            map.get(name),
            oldMap == null ? null : oldMap.get(name),
            path.isEmpty() ? name : path + "." + name,
            errors);
      }
    } else if (value instanceof List<?> list && schema.get("items") != null) {
      // Atomic lists do not correlate items with the old object: no oldSelf below this point.
      for (int i = 0; i < list.size(); i++) {
        evaluateRules(asMap(schema.get("items")), list.get(i), null, path + "[" + i + "]", errors);
      }
    }
  }

  private void evaluateRule(
      Map<String, Object> rule,
      Map<String, Object> schema,
      Object value,
      Object oldValue,
      String path,
      List<String> errors) {
    String text = (String) rule.get("rule");
    if (rule.containsKey("fieldPath")) {
      throw new UnsupportedOperationException(
          "fieldPath is not emulated (rule at " + path + ": " + text + ")");
    }
    boolean transition = OLD_SELF.matcher(text).find();
    if (transition && oldValue == null) {
      return; // transition rules only run on updates where the old value exists
    }
    Map<String, Object> vars = new LinkedHashMap<>();
    vars.put("self", toCel(value, schema));
    if (transition) {
      vars.put("oldSelf", toCel(oldValue, schema));
    }
    String type = (String) schema.getOrDefault("type", "object");
    String prefix = path + ": Invalid value: " + quote(type) + ": ";
    try {
      Object result = program(text, schema, transition, SimpleType.BOOL).eval(vars);
      if (!Boolean.TRUE.equals(result)) {
        String message = (String) rule.get("message");
        if (rule.get("messageExpression") instanceof String expression) {
          try {
            if (program(expression, schema, transition, SimpleType.STRING).eval(vars)
                    instanceof String computed
                && !computed.isBlank()) {
              message = computed;
            }
          } catch (CelEvaluationException e) {
            // as the apiserver: the static message stands in
          }
        }
        errors.add(
            errorPrefix(rule, path, type)
                + (message == null || message.isBlank() ? "failed rule: " + text : message));
      }
    } catch (CelEvaluationException e) {
      errors.add(prefix + "rule evaluation error: " + text + ": " + e.getMessage());
    }
  }

  private static String errorPrefix(Map<String, Object> rule, String path, String type) {
    Object reason = rule.get("reason");
    if ("FieldValueForbidden".equals(reason)) {
      return path + ": Forbidden: ";
    } else if ("FieldValueRequired".equals(reason)) {
      return path + ": Required value: ";
    } else if ("FieldValueDuplicate".equals(reason)) {
      return path + ": Duplicate value: " + quote(type) + ": ";
    }
    return path + ": Invalid value: " + quote(type) + ": ";
  }

  private CelRuntime.Program program(
      String text, Map<String, Object> schema, boolean transition, CelType resultType) {
    CelType selfType = celType(schema);
    String key = selfType + "|" + transition + "|" + resultType + "|" + text;
    return programs.computeIfAbsent(
        key,
        k -> {
          var builder =
              CelFactory.standardCelBuilder()
                  .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                  .addVar("self", selfType);
          if (transition) {
            builder.addVar("oldSelf", selfType);
          }
          builder.setResultType(resultType);
          Cel cel = builder.build();
          try {
            CelAbstractSyntaxTree ast = cel.compile(text).getAst();
            return cel.createProgram(ast);
          } catch (CelValidationException | CelEvaluationException e) {
            throw new IllegalStateException("CEL rule does not compile: " + text, e);
          }
        });
  }

  /** The CEL type Kubernetes gives a schema node (objects as maps of dyn: no field typing). */
  static CelType celType(Map<String, Object> schema) {
    if (schema == null
        || Boolean.TRUE.equals(schema.get("x-kubernetes-preserve-unknown-fields"))
            && schema.get("properties") == null) {
      return SimpleType.DYN;
    }
    return switch (String.valueOf(schema.get("type"))) {
      case "string" -> SimpleType.STRING;
      case "number" -> SimpleType.DOUBLE;
      case "integer" -> SimpleType.INT;
      case "boolean" -> SimpleType.BOOL;
      case "array" -> ListType.create(celType(asMap(schema.get("items"))));
      case "object" -> MapType.create(SimpleType.STRING, SimpleType.DYN);
      default -> SimpleType.DYN;
    };
  }

  /** JSON value → CEL value per the schema: a number is a double even when written as 10. */
  static Object toCel(Object value, Map<String, Object> schema) {
    String type = schema == null ? null : (String) schema.get("type");
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> properties = schema == null ? null : asMap(schema.get("properties"));
      Map<String, Object> result = new LinkedHashMap<>();
      map.forEach(
          (k, v) -> {
            Map<String, Object> propertySchema =
                properties == null ? null : asMap(properties.get(String.valueOf(k)));
            result.put(String.valueOf(k), toCel(v, propertySchema));
          });
      return result;
    } else if (value instanceof List<?> list) {
      Map<String, Object> items = schema == null ? null : asMap(schema.get("items"));
      return list.stream().map(v -> toCel(v, items)).toList();
    } else if (value instanceof Number n) {
      if ("number".equals(type)) {
        return n.doubleValue();
      } else if ("integer".equals(type)) {
        return n.longValue();
      }
      return n instanceof Double || n instanceof Float ? (Object) n.doubleValue() : n.longValue();
    }
    return value;
  }

  // --- helpers --------------------------------------------------------------------------------

  @SuppressWarnings("unchecked")
  static Map<String, Object> asMap(Object o) {
    return (Map<String, Object>) o;
  }

  private static Map<String, Object> deepCopyMap(Map<String, Object> map) {
    return asMap(deepCopy(map));
  }

  private static Object deepCopy(Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      map.forEach((k, v) -> copy.put(String.valueOf(k), deepCopy(v)));
      return copy;
    } else if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>();
      list.forEach(v -> copy.add(deepCopy(v)));
      return copy;
    }
    return value;
  }
}
