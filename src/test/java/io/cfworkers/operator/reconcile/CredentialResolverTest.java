package io.cfworkers.operator.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.cfworkers.operator.api.v1alpha1.CloudflareAuth;
import io.cfworkers.operator.api.v1alpha1.SecretKeyRef;
import io.cfworkers.operator.cloudflare.Credential;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CredentialResolverTest {
  private static final String TOKEN = "tok-s3cr3t-value";

  private static CloudflareAuth tokenAuth() {
    CloudflareAuth auth = new CloudflareAuth();
    auth.setApiTokenSecretRef(new SecretKeyRef("cloudflare-api", "token"));
    return auth;
  }

  private static Secret secret(String key, String value) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName("cloudflare-api")
        .withNamespace("shop")
        .endMetadata()
        .addToData(key, Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)))
        .build();
  }

  @Test
  void readsTheTokenAndStripsATrailingNewline() {
    var r =
        CredentialResolver.resolve(tokenAuth(), "shop", Optional.of(secret("token", TOKEN + "\n")));
    assertEquals(
        Credential.apiToken(TOKEN),
        assertInstanceOf(CredentialResolver.Found.class, r).credential());
  }

  @Test
  void missingSecretNamesTheSecretAndTheField() {
    var r = CredentialResolver.resolve(tokenAuth(), "shop", Optional.empty());
    assertEquals(
        "Secret shop/cloudflare-api not found (spec.auth.apiTokenSecretRef.name)",
        assertInstanceOf(CredentialResolver.Missing.class, r).message());
  }

  @Test
  void missingKeyNamesTheKey() {
    var r = CredentialResolver.resolve(tokenAuth(), "shop", Optional.of(secret("other", TOKEN)));
    assertEquals(
        "Secret shop/cloudflare-api has no key \"token\" (spec.auth.apiTokenSecretRef.key)",
        assertInstanceOf(CredentialResolver.Missing.class, r).message());
  }

  @Test
  void emptyValueIsMissingAndNoValueLeaksIntoMessages() {
    var r = CredentialResolver.resolve(tokenAuth(), "shop", Optional.of(secret("token", "  \n")));
    String message = assertInstanceOf(CredentialResolver.Missing.class, r).message();
    assertEquals("key \"token\" of Secret shop/cloudflare-api is empty", message);
  }

  @Test
  void valueAHeaderCannotCarryIsRefusedWithoutQuotingIt() {
    for (String bad : new String[] {"tok en", "tok\nen", "tök-en", "tok\ten"}) {
      var r = CredentialResolver.resolve(tokenAuth(), "shop", Optional.of(secret("token", bad)));
      String message = assertInstanceOf(CredentialResolver.Missing.class, r).message();
      assertEquals(
          "key \"token\" of Secret shop/cloudflare-api contains characters an HTTP header cannot"
              + " carry (whitespace, control or non-ASCII characters inside the value)",
          message);
    }
  }

  @Test
  void legacyKeyNeedsTheEmail() {
    CloudflareAuth auth = new CloudflareAuth();
    auth.setEmail("ops@example.com");
    auth.setApiKeySecretRef(new SecretKeyRef("cloudflare-api", "key"));
    var r = CredentialResolver.resolve(auth, "shop", Optional.of(secret("key", "global-key")));
    Credential c = assertInstanceOf(CredentialResolver.Found.class, r).credential();
    assertEquals(Credential.apiKey("ops@example.com", "global-key"), c);
    assertFalse(c.toString().contains("global-key"));
  }

  @Test
  void analyticsUsesTheAuthCredentialWhenNoTokenIsNamed() {
    Credential auth = Credential.apiToken(TOKEN);
    var r = CredentialResolver.resolveAnalytics(null, "shop", Optional.empty(), auth);
    assertEquals(auth, assertInstanceOf(CredentialResolver.Found.class, r).credential());
  }

  @Test
  void analyticsTokenIsReadFromItsOwnSecret() {
    var r =
        CredentialResolver.resolveAnalytics(
            new SecretKeyRef("cloudflare-api", "analytics"),
            "shop",
            Optional.of(secret("analytics", "analytics-s3cr3t\n")),
            Credential.apiToken(TOKEN));
    assertEquals(
        Credential.apiToken("analytics-s3cr3t"),
        assertInstanceOf(CredentialResolver.Found.class, r).credential());
  }

  @Test
  void missingAnalyticsSecretNamesTheAnalysisField() {
    var r =
        CredentialResolver.resolveAnalytics(
            new SecretKeyRef("cloudflare-api", "analytics"),
            "shop",
            Optional.of(secret("token", TOKEN)),
            Credential.apiToken(TOKEN));
    assertEquals(
        "Secret shop/cloudflare-api has no key \"analytics\""
            + " (spec.rollout.analysis.analyticsTokenSecretRef.key)",
        assertInstanceOf(CredentialResolver.Missing.class, r).message());
  }
}
