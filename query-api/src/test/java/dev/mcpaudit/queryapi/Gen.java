package dev.mcpaudit.queryapi;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A value generator for the fuzz suite: a function of a seeded random source, so every case can be
 * made again from the run's seed. Deliberately small: weighted choice, fixed lists, mapping and
 * filtering are all the suite needs.
 */
@FunctionalInterface
interface Gen<T> {
  T next(SplittableRandom random);

  default <R> Gen<R> map(Function<? super T, ? extends R> f) {
    return r -> f.apply(next(r));
  }

  /** Values that pass {@code keep}; gives up after 1,000 draws rather than spin on a bad filter. */
  default Gen<T> filter(Predicate<? super T> keep) {
    return r -> {
      for (int i = 0; i < 1_000; i++) {
        T v = next(r);
        if (keep.test(v)) {
          return v;
        }
      }
      throw new IllegalStateException("filter rejected 1,000 values in a row");
    };
  }

  static <T> Gen<T> just(T value) {
    return r -> value;
  }

  @SafeVarargs
  static <T> Gen<T> of(T... values) {
    return of(List.of(values));
  }

  static <T> Gen<T> of(List<T> values) {
    List<T> copy = new ArrayList<>(values);
    return r -> copy.get(r.nextInt(copy.size()));
  }

  static Gen<Long> longs() {
    return SplittableRandom::nextLong;
  }

  static Gen<Integer> ints(int min, int maxInclusive) {
    return r -> r.nextInt(min, maxInclusive + 1);
  }

  /**
   * Strings of up to {@code maxLength} code points: any code point, surrogates and controls
   * included.
   */
  static Gen<String> anyString(int maxLength) {
    return r -> {
      int n = r.nextInt(maxLength + 1);
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < n; i++) {
        switch (r.nextInt(4)) {
          case 0 -> b.append((char) r.nextInt(0, 0x20)); // controls
          case 1 -> b.append((char) r.nextInt(0xD800, 0xE000)); // lone surrogates
          case 2 -> b.appendCodePoint(r.nextInt(0x20, 0x2FFFF));
          default -> b.append((char) r.nextInt(0x20, 0x7F));
        }
      }
      return b.toString();
    };
  }

  /** Strings of up to {@code maxLength} characters in {@code [from, to]}. */
  static Gen<String> strings(char from, char to, int maxLength) {
    return r -> {
      int n = r.nextInt(maxLength + 1);
      StringBuilder b = new StringBuilder(n);
      for (int i = 0; i < n; i++) {
        b.append((char) r.nextInt(from, to + 1));
      }
      return b.toString();
    };
  }

  /** A weighted choice: {@code weighted(3, a, 1, b)} draws from a three times in four. */
  @SuppressWarnings("unchecked")
  static <T> Gen<T> weighted(Object... weightThenGen) {
    int[] weights = new int[weightThenGen.length / 2];
    List<Gen<T>> gens = new ArrayList<>();
    int total = 0;
    for (int i = 0; i < weightThenGen.length; i += 2) {
      weights[i / 2] = (Integer) weightThenGen[i];
      total += weights[i / 2];
      gens.add((Gen<T>) weightThenGen[i + 1]);
    }
    int sum = total;
    return r -> {
      int pick = r.nextInt(sum);
      for (int i = 0; i < weights.length; i++) {
        pick -= weights[i];
        if (pick < 0) {
          return gens.get(i).next(r);
        }
      }
      throw new IllegalStateException("unreachable");
    };
  }
}
