package io.cfworkers.operator.support.cloudflare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;

/** An answer of the fake: status, extra headers, and the JSON body. */
record Reply(int status, Map<String, String> headers, ObjectNode body) {
  static final ObjectMapper JSON = FakeCloudflare.JSON;

  static Reply ok(JsonNode result) {
    return new Reply(200, Map.of(), envelope(true, result));
  }

  static Reply error(FakeError error) {
    return error(error.httpStatus(), error, error.message());
  }

  static Reply error(FakeError error, String message) {
    return error(error.httpStatus(), error, message);
  }

  static Reply error(int status, FakeError error, String message) {
    ObjectNode body = envelope(false, null);
    ((ArrayNode) body.get("errors")).addObject().put("code", error.code()).put("message", message);
    return new Reply(status, Map.of(), body);
  }

  static Reply invalid(String message) {
    return error(FakeError.INVALID_REQUEST, FakeError.INVALID_REQUEST.message(message));
  }

  Reply withHeaders(Map<String, String> extra) {
    if (extra.isEmpty()) {
      return this;
    }
    Map<String, String> merged = new LinkedHashMap<>(headers);
    merged.putAll(extra);
    return new Reply(status, merged, body);
  }

  Reply withResultInfo(ObjectNode info) {
    body.set("result_info", info);
    return this;
  }

  /** Cloudflare's REST envelope. */
  static ObjectNode envelope(boolean success, JsonNode result) {
    ObjectNode node = JSON.createObjectNode();
    node.put("success", success);
    node.putArray("errors");
    node.putArray("messages");
    node.set("result", result == null ? JSON.nullNode() : result);
    return node;
  }
}
