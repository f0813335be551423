/**
 * Build-time helpers for fabric8's CRD generator: the operator SDK's generator (at build) and
 * CrdIsUpToDateTest's (in tests) run the same code, so both produce the committed CRD. Nothing here
 * runs in the operator.
 */
package io.cfworkers.operator.api.crd;
