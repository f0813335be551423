package io.cfworkers.operator.api.crd;

import io.cfworkers.operator.api.v1alpha1.WorkerDeployment;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Orders the WorkerDeployment CRD's printer columns as {@link WorkerDeployment} declares them (the
 * generator sorts them by JSON path, which would put AGE second). Configured for the operator SDK's
 * generator by {@code quarkus.operator-sdk.crd.post-processor}.
 */
public class PrinterColumnOrder implements CRDPostProcessor {
  @Override
  public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
    if (crd instanceof CustomResourceDefinition v1
        && v1.getSpec().getNames().getKind().equals(WorkerDeployment.class.getSimpleName())) {
      List<String> declared =
          Arrays.stream(WorkerDeployment.class.getAnnotationsByType(AdditionalPrinterColumn.class))
              .map(AdditionalPrinterColumn::name)
              .toList();
      v1.getSpec()
          .getVersions()
          .forEach(
              version -> {
                if (version.getAdditionalPrinterColumns() != null) {
                  version
                      .getAdditionalPrinterColumns()
                      .sort(
                          Comparator.comparingInt(
                              (CustomResourceColumnDefinition c) -> rank(declared, c.getName())));
                }
              });
    }
    return crd;
  }

  private static int rank(List<String> declared, String name) {
    int index = declared.indexOf(name);
    return index < 0 ? declared.size() : index;
  }
}
