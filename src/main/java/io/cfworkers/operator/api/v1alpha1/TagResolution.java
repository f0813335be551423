package io.cfworkers.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What the tags of {@code spec.versions} resolved to, and for which generation. The operator reuses
 * it between polls instead of listing the script's versions on every reconciliation, also after a
 * restart.
 */
public class TagResolution {
  @JsonPropertyDescription("metadata.generation of the spec whose tags were resolved.")
  private Long generation;

  @JsonPropertyDescription(
      "When the tags were resolved to these ids (RFC 3339). They are checked again at every poll;"
          + " this changes only when an id or the generation does.")
  private String resolvedAt;

  @JsonPropertyDescription("Each tag of spec.versions and the version id it resolved to.")
  private List<ResolvedVersionTag> tags = new ArrayList<>();

  public TagResolution() {}

  public TagResolution(Long generation, String resolvedAt, List<ResolvedVersionTag> tags) {
    this.generation = generation;
    this.resolvedAt = resolvedAt;
    this.tags = tags;
  }

  public Long getGeneration() {
    return generation;
  }

  public void setGeneration(Long generation) {
    this.generation = generation;
  }

  public String getResolvedAt() {
    return resolvedAt;
  }

  public void setResolvedAt(String resolvedAt) {
    this.resolvedAt = resolvedAt;
  }

  public List<ResolvedVersionTag> getTags() {
    return tags;
  }

  public void setTags(List<ResolvedVersionTag> tags) {
    this.tags = tags;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TagResolution other
        && Objects.equals(generation, other.generation)
        && Objects.equals(resolvedAt, other.resolvedAt)
        && Objects.equals(tags, other.tags);
  }

  @Override
  public int hashCode() {
    return Objects.hash(generation, resolvedAt, tags);
  }
}
