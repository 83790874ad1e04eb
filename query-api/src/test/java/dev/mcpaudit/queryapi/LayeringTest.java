package dev.mcpaudit.queryapi;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The query API's layers (docs/architecture.md, "The query API's layers"), checked on the compiled
 * classes, so a dependency hidden in a fully qualified name or an inferred type counts as much as
 * an import: Lucene only inside the Lucene store, Javalin only inside the HTTP edge, and the
 * store's contract free of both.
 */
class LayeringTest {
  private static JavaClasses api;

  @BeforeAll
  static void load() {
    api =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.mcpaudit.queryapi");
  }

  @Test
  void onlyTheLuceneStoreUsesLucene() {
    noClasses()
        .that()
        .resideOutsideOfPackages(
            "dev.mcpaudit.queryapi.store.lucene..", "dev.mcpaudit.queryapi.store.cluster..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.apache.lucene..")
        .because("every other layer asks the EventStore, so a second engine can answer it")
        .check(api);
  }

  @Test
  void onlyTheHttpEdgeUsesJavalin() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.mcpaudit.queryapi.http..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.javalin..", "jakarta.servlet..", "org.eclipse.jetty..")
        .because("the store and the features speak plain Java; HTTP is mapped at the edge")
        .check(api);
  }

  @Test
  void theStoreAndTheFeaturesDoNotReachUpIntoTheHttpEdge() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "dev.mcpaudit.queryapi.store..",
            "dev.mcpaudit.queryapi.search..",
            "dev.mcpaudit.queryapi.export..",
            "dev.mcpaudit.queryapi.triage..",
            "dev.mcpaudit.queryapi.evidence..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.mcpaudit.queryapi.http..")
        .orShould()
        .dependOnClassesThat()
        .haveNameMatching("dev\\.mcpaudit\\.runtime\\.http\\.Problem.*")
        .because("errors are StoreException types, mapped to problem+json once by the edge")
        .check(api);
  }
}
