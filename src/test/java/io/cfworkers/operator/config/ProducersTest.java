package io.cfworkers.operator.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cfworkers.operator.runtime.LeaderState;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProducersTest {

  private static OperatorConfig withElection(boolean enabled, String namespace) {
    OperatorConfig.LeaderElection election =
        new OperatorConfig.LeaderElection() {
          @Override
          public boolean enabled() {
            return enabled;
          }

          @Override
          public String leaseName() {
            return "wdo-lease";
          }

          @Override
          public Optional<String> leaseNamespace() {
            return Optional.ofNullable(namespace);
          }
        };
    return new OperatorConfig() {
      @Override
      public Cloudflare cloudflare() {
        throw new UnsupportedOperationException();
      }

      @Override
      public Reconcile reconcile() {
        throw new UnsupportedOperationException();
      }

      @Override
      public LeaderElection leaderElection() {
        return election;
      }
    };
  }

  @Test
  void noLeaderElectionUnlessEnabled() {
    assertNull(new Producers().leaderElection(withElection(false, "ops"), LeaderState.alone()));
  }

  @Test
  void leaderElectionUsesTheConfiguredLease() {
    LeaderElectionConfiguration c =
        new Producers()
            .leaderElection(
                withElection(true, "ops"), LeaderState.elected("pod-1", "ops", "wdo-lease"));
    assertEquals("wdo-lease", c.getLeaseName());
    assertEquals(Optional.of("ops"), c.getLeaseNamespace());
    assertEquals(Optional.of("pod-1"), c.getIdentity(), "the identity readiness compares with");
    assertTrue(c.getLeaderCallbacks().isPresent(), "leadership is reported to readiness");
    assertTrue(c.isExitOnStopLeading(), "a replica that lost the Lease exits and restarts");
  }
}
