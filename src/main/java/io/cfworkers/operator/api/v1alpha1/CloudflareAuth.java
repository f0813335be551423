package io.cfworkers.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * How the operator authenticates to Cloudflare: an API token, or the legacy e-mail + global key.
 * Exactly one method is set; the CRD rejects anything else.
 */
@ValidationRule(
    value = "has(self.apiTokenSecretRef) != (has(self.email) || has(self.apiKeySecretRef))",
    message =
        "set exactly one authentication method: apiTokenSecretRef, or email together"
            + " with apiKeySecretRef")
@ValidationRule(
    value = "has(self.email) == has(self.apiKeySecretRef)",
    message =
        "email and apiKeySecretRef must be set together (legacy global API key"
            + " authentication)")
public class CloudflareAuth {
  @JsonPropertyDescription(
      "Secret key holding a Cloudflare API token that can deploy the script: least privilege, the"
          + " Workers \"Editor\" role scoped to the selected Workers; or the older \"Workers"
          + " Scripts Write\" permission."
          + " Preferred. Exclusive with email/apiKeySecretRef.")
  private SecretKeyRef apiTokenSecretRef;

  @JsonPropertyDescription(
      "E-mail of the Cloudflare user whose global API key is used (legacy auth);"
          + " requires apiKeySecretRef.")
  @Size(min = 3, max = 254)
  @Pattern("^[^@\\s]+@[^@\\s]+$")
  private String email;

  @JsonPropertyDescription(
      "Secret key holding the global API key of `email` (legacy auth); requires email.")
  private SecretKeyRef apiKeySecretRef;

  public SecretKeyRef getApiTokenSecretRef() {
    return apiTokenSecretRef;
  }

  public void setApiTokenSecretRef(SecretKeyRef apiTokenSecretRef) {
    this.apiTokenSecretRef = apiTokenSecretRef;
  }

  public String getEmail() {
    return email;
  }

  public void setEmail(String email) {
    this.email = email;
  }

  public SecretKeyRef getApiKeySecretRef() {
    return apiKeySecretRef;
  }

  public void setApiKeySecretRef(SecretKeyRef apiKeySecretRef) {
    this.apiKeySecretRef = apiKeySecretRef;
  }
}
