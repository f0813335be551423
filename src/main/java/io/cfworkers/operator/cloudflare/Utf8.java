package io.cfworkers.operator.cloudflare;

/** UTF-8 helpers for values Cloudflare limits in bytes. */
final class Utf8 {
  private Utf8() {}

  /**
   * The longest prefix of {@code text} whose UTF-8 encoding fits in {@code maxBytes}, cut between
   * code points, so a multi-byte character or a surrogate pair is never split. An unpaired
   * surrogate (which has no UTF-8 encoding) becomes U+FFFD.
   */
  static String truncate(String text, int maxBytes) {
    if (maxBytes < 0) {
      throw new IllegalArgumentException("maxBytes must not be negative");
    }
    StringBuilder out = new StringBuilder(Math.min(text.length(), maxBytes));
    int bytes = 0;
    for (int i = 0; i < text.length(); ) {
      int codePoint = text.codePointAt(i);
      i += Character.charCount(codePoint);
      if (Character.isSurrogate((char) codePoint) && Character.isBmpCodePoint(codePoint)) {
        codePoint = 0xFFFD;
      }
      int size = encodedLength(codePoint);
      if (bytes + size > maxBytes) {
        break;
      }
      bytes += size;
      out.appendCodePoint(codePoint);
    }
    return out.toString();
  }

  private static int encodedLength(int codePoint) {
    if (codePoint < 0x80) {
      return 1;
    }
    if (codePoint < 0x800) {
      return 2;
    }
    if (codePoint < 0x10000) {
      return 3;
    }
    return 4;
  }
}
