package io.cfworkers.operator.cloudflare;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * Cloudflare's JSON shapes, as far as the operator reads them. Every record ignores fields it does
 * not know: Cloudflare adds fields without notice. Answers reach these records only after {@link
 * CloudflareSchema} has checked their required fields, so those are never null here.
 */
final class CloudflareJson {
  private CloudflareJson() {}

  static final String MESSAGE_ANNOTATION = "workers/message";
  static final String TRIGGERED_BY_ANNOTATION = "workers/triggered_by";
  static final String TAG_ANNOTATION = "workers/tag";

  @JsonIgnoreProperties(ignoreUnknown = true)
  record DeploymentsJson(@JsonProperty("deployments") List<DeploymentJson> deployments) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record DeploymentJson(
      @JsonProperty("id") String id,
      @JsonProperty("created_on") String createdOn,
      @JsonProperty("source") String source,
      @JsonProperty("strategy") String strategy,
      @JsonProperty("versions") List<SplitJson> versions,
      @JsonProperty("annotations") JsonNode annotations,
      @JsonProperty("author_email") String authorEmail) {
    Deployment toDomain() {
      List<DeploymentVersion> split = versions.stream().map(SplitJson::toDomain).toList();
      return new Deployment(
          id,
          instant(createdOn),
          source,
          strategy,
          split,
          text(annotations, MESSAGE_ANNOTATION),
          text(annotations, TRIGGERED_BY_ANNOTATION),
          authorEmail);
    }
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  record SplitJson(
      @JsonProperty("version_id") String versionId, @JsonProperty("percentage") Double percentage) {
    DeploymentVersion toDomain() {
      return new DeploymentVersion(versionId, percentage);
    }
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  record VersionsJson(@JsonProperty("items") List<VersionJson> items) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record VersionJson(
      @JsonProperty("id") String id,
      @JsonProperty("number") Integer number,
      @JsonProperty("metadata") MetadataJson metadata,
      @JsonProperty("annotations") JsonNode annotations) {
    WorkerVersion toDomain() {
      MetadataJson meta = metadata == null ? new MetadataJson(null, null, null) : metadata;
      return new WorkerVersion(
          id,
          number,
          meta.authorEmail(),
          instant(meta.createdOn()),
          meta.source(),
          text(annotations, MESSAGE_ANNOTATION),
          text(annotations, TAG_ANNOTATION));
    }
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  record MetadataJson(
      @JsonProperty("author_email") String authorEmail,
      @JsonProperty("created_on") String createdOn,
      @JsonProperty("source") String source) {}

  private static String text(JsonNode object, String field) {
    if (object == null || !object.isObject()) {
      return null;
    }
    JsonNode value = object.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }

  /** Cloudflare's timestamps, e.g. {@code 2024-05-01T10:00:00.123456Z}; null when unreadable. */
  private static Instant instant(String timestamp) {
    if (timestamp == null || timestamp.isBlank()) {
      return null;
    }
    try {
      return OffsetDateTime.parse(timestamp).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
