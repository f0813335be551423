package io.cfworkers.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** A key of a Secret in the resource's own namespace. */
public class SecretKeyRef {
  @JsonPropertyDescription("Name of the Secret, in the same namespace as the WorkerDeployment.")
  private String name;

  @JsonPropertyDescription("Key within the Secret's data whose value is the credential.")
  private String key;

  public SecretKeyRef() {}

  public SecretKeyRef(String name, String key) {
    this.name = name;
    this.key = key;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getKey() {
    return key;
  }

  public void setKey(String key) {
    this.key = key;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SecretKeyRef other
        && Objects.equals(name, other.name)
        && Objects.equals(key, other.key);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, key);
  }

  @Override
  public String toString() {
    return name + "/" + key;
  }
}
