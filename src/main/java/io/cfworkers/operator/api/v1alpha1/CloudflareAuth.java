package io.cfworkers.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * How the operator authenticates to Cloudflare: an API token, or the legacy e-mail + global key.
 */
public class CloudflareAuth {
  @JsonPropertyDescription(
      "Secret key holding a Cloudflare API token with the \"Workers Scripts Write\" permission."
          + " Preferred. Exclusive with email/apiKeySecretRef.")
  private SecretKeyRef apiTokenSecretRef;

  @JsonPropertyDescription(
      "E-mail of the Cloudflare user whose global API key is used (legacy auth);"
          + " requires apiKeySecretRef.")
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
