package io.cfworkers.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** A tag of {@code spec.versions} and the version id it resolved to. */
public class ResolvedVersionTag {
  @JsonPropertyDescription("The tag, as written in spec.versions[].versionTag.")
  private String versionTag;

  @JsonPropertyDescription("Id of the deployable version that carries the tag.")
  private String versionId;

  public ResolvedVersionTag() {}

  public ResolvedVersionTag(String versionTag, String versionId) {
    this.versionTag = versionTag;
    this.versionId = versionId;
  }

  public String getVersionTag() {
    return versionTag;
  }

  public void setVersionTag(String versionTag) {
    this.versionTag = versionTag;
  }

  public String getVersionId() {
    return versionId;
  }

  public void setVersionId(String versionId) {
    this.versionId = versionId;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ResolvedVersionTag other
        && Objects.equals(versionTag, other.versionTag)
        && Objects.equals(versionId, other.versionId);
  }

  @Override
  public int hashCode() {
    return Objects.hash(versionTag, versionId);
  }

  @Override
  public String toString() {
    return versionTag + "=" + versionId;
  }
}
