# mcp-audit: one image, a role per container (the command picks it: collector, indexer, api, detector).
# Build stage: the same Maven build as the README's, tests left to CI.
FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /src
COPY . .
RUN mvn -B -q -DskipTests package -pl app -am

FROM eclipse-temurin:21-jre
# An unprivileged user owns /data, where the indexes, the spool and the detector's state live.
RUN useradd --system --uid 10001 --home-dir /data mcpaudit && mkdir -p /data && chown mcpaudit /data
COPY --from=build /src/app/target/mcp-audit.jar /opt/mcp-audit/mcp-audit.jar
USER mcpaudit
WORKDIR /data
# Lucene's vectorized code paths and RocksDB's native library.
ENTRYPOINT ["java", "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-XX:MaxRAMPercentage=70", "-jar", "/opt/mcp-audit/mcp-audit.jar"]
CMD ["--help"]
