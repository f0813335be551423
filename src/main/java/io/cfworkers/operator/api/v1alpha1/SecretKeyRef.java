package io.cfworkers.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.Objects;

/**
 * A key of a Secret in the resource's own namespace. There is deliberately no namespace field: a
 * WorkerDeployment can only use credentials its own namespace holds.
 */
public class SecretKeyRef {
  /** A DNS subdomain name (RFC 1123), the syntax of every Secret name. */
  public static final String DNS_SUBDOMAIN_PATTERN =
      "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

  /** The syntax of a key in a Secret's data. */
  public static final String SECRET_KEY_PATTERN = "^[-._a-zA-Z0-9]+$";

  @JsonPropertyDescription(
      "Name of the Secret, in the same namespace as the WorkerDeployment (a DNS subdomain name).")
  @Required
  @Size(min = 1, max = 253)
  @Pattern(DNS_SUBDOMAIN_PATTERN)
  private String name;

  @JsonPropertyDescription(
      "Key within the Secret's data whose value is the credential (letters, digits, '-', '_'"
          + " and '.').")
  @Required
  @Size(min = 1, max = 253)
  @Pattern(SECRET_KEY_PATTERN)
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
