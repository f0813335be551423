package io.cfworkers.operator.support.operator;

import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/**
 * Gives the operator {@link SimulatedClock#INSTANCE} instead of the system clock. Off unless a test
 * profile enables it ({@code QuarkusTestProfile#getEnabledAlternatives}).
 */
@Alternative
@Singleton
public class SimulatedClockProducer {
  @Produces
  @Alternative
  @Singleton
  Clock clock() {
    return SimulatedClock.INSTANCE;
  }
}
