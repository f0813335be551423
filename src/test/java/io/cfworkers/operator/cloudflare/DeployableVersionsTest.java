package io.cfworkers.operator.cloudflare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cfworkers.operator.support.cloudflare.FakeCloudflare;
import io.cfworkers.operator.support.cloudflare.RecordedRequest;
import io.cfworkers.operator.support.cloudflare.VersionSeed;
import io.cfworkers.operator.support.operator.SimulatedClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Listing the deployable versions with their tags costs one call, as {@code wrangler versions
 * deploy --version-tag} makes it, whether or not the server pages the answer.
 */
class DeployableVersionsTest {
  private static final String ACCOUNT = "0123456789abcdef0123456789abcdef";
  private static final String SCRIPT = "shop-frontend";
  private static final ScriptRef SHOP = new ScriptRef(ACCOUNT, SCRIPT);
  private static final String TOKEN = "tags-SECRET-token-0c9e7d";
  private static final Credential CREDENTIAL = Credential.apiToken(TOKEN);

  private FakeCloudflare fake;
  private HttpWorkersDeploymentsApi api;
  private final List<String> newestFirst = new ArrayList<>();

  @BeforeEach
  void setUp() {
    fake = FakeCloudflare.start();
    fake.addToken(TOKEN, "ci@example.com", ACCOUNT);
    Instant start = Instant.parse("2026-01-01T00:00:00Z");
    // 150 uploads, every tenth tagged with its number.
    for (int i = 0; i < 150; i++) {
      VersionSeed seed = VersionSeed.defaults().withCreatedOn(start.plusSeconds(i));
      newestFirst.add(
          0, fake.addVersion(ACCOUNT, SCRIPT, i % 10 == 0 ? seed.withTag("build-" + i) : seed));
    }
    fake.clearRequests();
    SimulatedClock clock = new SimulatedClock(start);
    api =
        new HttpWorkersDeploymentsApi(
            new CloudflareClientSettings(
                fake.baseUrl(), Duration.ofSeconds(5), Duration.ofSeconds(20)),
            new CredentialRateLimiter(
                new CredentialRateLimiter.Budget(10_000, Duration.ofMinutes(1), 1),
                Duration.ZERO,
                clock,
                clock::nanoTime),
            new SimpleMeterRegistry(),
            new ObjectMapper());
  }

  @AfterEach
  void tearDown() {
    fake.close();
  }

  @Test
  void oneCallReturnsTheHundredMostRecentNewestFirstWithTheirTags() {
    List<WorkerVersion> versions = api.deployableVersions(SHOP, CREDENTIAL);

    assertEquals(newestFirst.subList(0, 100), versions.stream().map(WorkerVersion::id).toList());
    assertEquals("build-140", versions.get(9).tag());
    assertEquals(null, versions.get(0).tag());
    assertEquals("build-50", versions.get(99).tag());
    assertEquals(
        List.of("GET versions deployable=true&per_page=100"),
        fake.requests().stream().map(DeployableVersionsTest::describe).toList());
  }

  @Test
  void oneCallAlsoWhenTheServerIgnoresPaginationAsCloudflareDoes() {
    fake.setDeployableIgnoresPagination(true);

    assertEquals(100, api.deployableVersions(SHOP, CREDENTIAL).size());
    assertEquals(1, fake.requests().size());
  }

  @Test
  void missingScriptIsRejectedAsScriptNotFound() {
    CloudflareRejectedException e =
        assertThrows(
            CloudflareRejectedException.class,
            () -> api.deployableVersions(new ScriptRef(ACCOUNT, "no-such-script"), CREDENTIAL));
    assertEquals(Rejection.SCRIPT_NOT_FOUND, e.rejection());
  }

  @Test
  void fakeAnswersAnUnpagedDeployableListingInFullWithTags() throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            fake.baseUrl()
                                + "/accounts/"
                                + ACCOUNT
                                + "/workers/scripts/"
                                + SCRIPT
                                + "/versions?deployable=true"))
                    .header("Authorization", "Bearer " + TOKEN)
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    JsonNode items = new ObjectMapper().readTree(response.body()).get("result").get("items");

    assertEquals(100, items.size());
    assertEquals(newestFirst.get(0), items.get(0).get("id").asText());
    assertEquals("build-140", items.get(9).get("annotations").get("workers/tag").asText());
  }

  private static String describe(RecordedRequest r) {
    return r.method() + " " + r.path().substring(r.path().lastIndexOf('/') + 1) + " " + r.query();
  }
}
