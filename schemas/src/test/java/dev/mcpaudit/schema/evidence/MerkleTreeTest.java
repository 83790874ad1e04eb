package dev.mcpaudit.schema.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.schema.event.EventCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The tree, its proofs and their checks against the published test vectors of
 * transparency-dev/merkle (src/test/resources/rfc9162, NOTICE.md there): every vector's verdict,
 * and the proofs and roots the vectors hold, rebuilt over the RFC 6962 reference tree.
 */
class MerkleTreeTest {
  /** The eight leaves of the RFC 6962 reference tree the vectors are built on. */
  static final List<String> REFERENCE_LEAVES =
      List.of(
          "",
          "00",
          "10",
          "2021",
          "3031",
          "40414243",
          "5051525354555657",
          "606162636465666768696a6b6c6d6e6f");

  static MerkleTree reference() {
    MerkleTree t = new MerkleTree();
    REFERENCE_LEAVES.forEach(hex -> t.append(MerkleHash.leaf(HexFormat.of().parseHex(hex))));
    return t;
  }

  static List<JsonNode> vectors(String kind) throws Exception {
    Path dir = Path.of(MerkleTreeTest.class.getResource("/rfc9162/" + kind).toURI());
    List<JsonNode> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        JsonNode n = EventCodec.mapper().readTree(f.toFile());
        ((com.fasterxml.jackson.databind.node.ObjectNode) n)
            .put("file", dir.relativize(f).toString());
        out.add(n);
      }
    }
    return out;
  }

  static byte[] b64(JsonNode n) {
    return n == null || n.isNull() ? null : Base64.getDecoder().decode(n.asText());
  }

  static List<byte[]> proof(JsonNode n) {
    List<byte[]> out = new ArrayList<>();
    n.path("proof").forEach(p -> out.add(b64(p)));
    return out;
  }

  @Test
  void theReferenceTreeHasTheRootsTheVectorsName() throws Exception {
    MerkleTree t = reference();
    assertThat(HexFormat.of().formatHex(t.root(8)))
        .isEqualTo("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
    assertThat(HexFormat.of().formatHex(t.root(0)))
        .as("the empty tree")
        .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  }

  @Test
  void everyInclusionVectorGetsItsVerdict() throws Exception {
    List<JsonNode> all = vectors("inclusion");
    assertThat(all).hasSizeGreaterThan(80);
    MerkleTree t = reference();
    int happy = 0;
    for (JsonNode v : all) {
      long index = v.path("leafIdx").asLong();
      long size = v.path("treeSize").asLong();
      String why =
          MerkleProofs.inclusionFails(
              index, size, b64(v.get("leafHash")), proof(v), b64(v.get("root")));
      assertThat(why != null)
          .as(v.get("file").asText() + ": " + why)
          .isEqualTo(v.path("wantErr").asBoolean());
      if (!v.path("wantErr").asBoolean()
          && size <= t.size()
          && java.util.Arrays.equals(t.root(size), b64(v.get("root")))) {
        happy++;
        // The same proof and root rebuilt from the reference tree.
        assertThat(t.inclusion(index, size))
            .as(v.get("file").asText())
            .usingElementComparator(MerkleTreeTest::compare)
            .containsExactlyElementsOf(proof(v));
        assertThat(t.root(size)).isEqualTo(b64(v.get("root")));
      }
    }
    assertThat(happy).isPositive();
  }

  @Test
  void everyConsistencyVectorGetsItsVerdict() throws Exception {
    List<JsonNode> all = vectors("consistency");
    assertThat(all).hasSizeGreaterThan(80);
    MerkleTree t = reference();
    int happy = 0;
    for (JsonNode v : all) {
      long size1 = v.path("size1").asLong();
      long size2 = v.path("size2").asLong();
      String why =
          MerkleProofs.consistencyFails(
              size1, size2, proof(v), b64(v.get("root1")), b64(v.get("root2")));
      assertThat(why != null)
          .as(v.get("file").asText() + ": " + why)
          .isEqualTo(v.path("wantErr").asBoolean());
      if (!v.path("wantErr").asBoolean()
          && size1 > 0
          && size2 <= t.size()
          && java.util.Arrays.equals(t.root(size1), b64(v.get("root1")))) {
        happy++;
        assertThat(t.consistency(size1, size2))
            .as(v.get("file").asText())
            .usingElementComparator(MerkleTreeTest::compare)
            .containsExactlyElementsOf(proof(v));
      }
    }
    assertThat(happy).isPositive();
  }

  @Test
  void everyProofOfEverySizeVerifiesAndAFlippedBitDoesNot() {
    MerkleTree t = new MerkleTree();
    for (int i = 0; i < 70; i++) {
      t.append(MerkleHash.leaf(("record " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
    for (long size = 1; size <= t.size(); size++) {
      byte[] root = t.root(size);
      for (long index = 0; index < size; index++) {
        List<byte[]> p = t.inclusion(index, size);
        byte[] leaf =
            MerkleHash.leaf(("record " + index).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(MerkleProofs.inclusionFails(index, size, leaf, p, root)).isNull();
        if (!p.isEmpty()) {
          p.get(0)[5] ^= 0x10;
          assertThat(MerkleProofs.inclusionFails(index, size, leaf, p, root)).isNotNull();
        }
      }
      for (long size1 = 1; size1 <= size; size1++) {
        List<byte[]> p = t.consistency(size1, size);
        assertThat(MerkleProofs.consistencyFails(size1, size, p, t.root(size1), root))
            .as(size1 + " to " + size)
            .isNull();
        if (!p.isEmpty()) {
          p.get(p.size() - 1)[0] ^= 0x01;
          assertThat(MerkleProofs.consistencyFails(size1, size, p, t.root(size1), root))
              .isNotNull();
        }
      }
    }
  }

  private static int compare(byte[] a, byte[] b) {
    return java.util.Arrays.compare(a, b);
  }
}
