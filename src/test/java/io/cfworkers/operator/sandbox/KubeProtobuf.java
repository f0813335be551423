package io.cfworkers.operator.sandbox;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the Kubernetes protobuf encoding ({@code application/vnd.kubernetes.protobuf}) of the
 * built-in objects kubectl's typed commands send that way: {@code kubectl create secret|configmap|
 * namespace}. Only the fields those commands set are read (metadata name, generateName, namespace,
 * labels, annotations; Secret data/stringData/type/immutable; ConfigMap data/binaryData/immutable);
 * the result is the object's JSON form. Everything else is refused by the caller with 415, as an
 * apiserver refuses a body it cannot decode.
 */
final class KubeProtobuf {
  static final String MEDIA_TYPE = "application/vnd.kubernetes.protobuf";
  private static final byte[] MAGIC = {'k', '8', 's', 0};

  private KubeProtobuf() {}

  /** The object as JSON maps. */
  static Map<String, Object> decode(byte[] body) {
    if (body.length < 4 || !Arrays.equals(Arrays.copyOf(body, 4), MAGIC)) {
      throw new IllegalArgumentException("not a Kubernetes protobuf object");
    }
    Reader unknown = new Reader(Arrays.copyOfRange(body, 4, body.length));
    String apiVersion = "";
    String kind = "";
    byte[] raw = new byte[0];
    while (unknown.more()) {
      int tag = unknown.tag();
      switch (tag >>> 3) {
        case 1 -> {
          Reader typeMeta = unknown.message();
          while (typeMeta.more()) {
            int t = typeMeta.tag();
            if (t >>> 3 == 1) {
              apiVersion = typeMeta.string();
            } else if (t >>> 3 == 2) {
              kind = typeMeta.string();
            } else {
              typeMeta.skip(t);
            }
          }
        }
        case 2 -> raw = unknown.bytes();
        default -> unknown.skip(tag);
      }
    }
    Map<String, Object> object = new LinkedHashMap<>();
    object.put("apiVersion", apiVersion);
    object.put("kind", kind);
    Reader fields = new Reader(raw);
    while (fields.more()) {
      int tag = fields.tag();
      int field = tag >>> 3;
      if (field == 1) {
        object.put("metadata", objectMeta(fields.message()));
        continue;
      }
      switch (kind + ":" + field) {
        case "Secret:2" -> entry(object, "data", fields.message(), true);
        case "Secret:3" -> object.put("type", fields.string());
        case "Secret:4" -> entry(object, "stringData", fields.message(), false);
        case "Secret:5", "ConfigMap:4" -> object.put("immutable", fields.varint() != 0);
        case "ConfigMap:2" -> entry(object, "data", fields.message(), false);
        case "ConfigMap:3" -> entry(object, "binaryData", fields.message(), true);
        default -> {
          if (!kind.equals("Namespace")) {
            throw new IllegalArgumentException(
                "the sandbox reads protobuf only for Secrets, ConfigMaps and Namespaces, not "
                    + kind);
          }
          fields.skip(tag);
        }
      }
    }
    return object;
  }

  private static Map<String, Object> objectMeta(Reader meta) {
    Map<String, Object> metadata = new LinkedHashMap<>();
    while (meta.more()) {
      int tag = meta.tag();
      switch (tag >>> 3) {
        case 1 -> metadata.put("name", meta.string());
        case 2 -> metadata.put("generateName", meta.string());
        case 3 -> metadata.put("namespace", meta.string());
        case 11 -> entry(metadata, "labels", meta.message(), false);
        case 12 -> entry(metadata, "annotations", meta.message(), false);
        default -> meta.skip(tag);
      }
    }
    metadata.values().removeIf(v -> v instanceof String s && s.isEmpty());
    return metadata;
  }

  /** One map entry (protobuf encodes maps as repeated key=1/value=2 messages). */
  private static void entry(Map<String, Object> into, String field, Reader entry, boolean bytes) {
    String key = "";
    Object value = "";
    while (entry.more()) {
      int tag = entry.tag();
      if (tag >>> 3 == 1) {
        key = entry.string();
      } else if (tag >>> 3 == 2) {
        byte[] b = entry.bytes();
        value =
            bytes ? Base64.getEncoder().encodeToString(b) : new String(b, StandardCharsets.UTF_8);
      } else {
        entry.skip(tag);
      }
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> map =
        (Map<String, Object>) into.computeIfAbsent(field, k -> new LinkedHashMap<>());
    map.put(key, value);
  }

  private static final class Reader {
    private final byte[] data;
    private int pos;

    Reader(byte[] data) {
      this.data = data;
    }

    boolean more() {
      return pos < data.length;
    }

    int tag() {
      return (int) varint();
    }

    long varint() {
      long result = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (pos >= data.length) {
          throw new IllegalArgumentException("truncated protobuf");
        }
        byte b = data[pos++];
        result |= (long) (b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
          return result;
        }
      }
      throw new IllegalArgumentException("malformed protobuf varint");
    }

    byte[] bytes() {
      int length = (int) varint();
      if (length < 0 || pos + length > data.length) {
        throw new IllegalArgumentException("truncated protobuf");
      }
      byte[] out = Arrays.copyOfRange(data, pos, pos + length);
      pos += length;
      return out;
    }

    String string() {
      return new String(bytes(), StandardCharsets.UTF_8);
    }

    Reader message() {
      return new Reader(bytes());
    }

    void skip(int tag) {
      switch (tag & 7) {
        case 0 -> varint();
        case 1 -> pos += 8;
        case 2 -> bytes();
        case 5 -> pos += 4;
        default ->
            throw new IllegalArgumentException("unsupported protobuf wire type " + (tag & 7));
      }
    }
  }
}
