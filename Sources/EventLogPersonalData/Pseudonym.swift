import Crypto

/// A stable name for a personal value that does not spell it: for stream names and keys that
/// must be unique per value (an e-mail address reserved once) without holding the value.
///
/// It is SHA-256, unkeyed: whoever guesses a value can check the guess against the name, but
/// nobody reads the value from it. Say so where that matters (the Council's *Personal Data* article does).
public enum Pseudonym {
  /// The first `length` hexadecimal digits (at most 64) of the SHA-256 of `value`'s UTF-8.
  public static func of(_ value: String, length: Int = 32) -> String {
    let digest = SHA256.hash(data: Array(value.utf8))
    let hex = digest.map { byte in
      let digits = Array("0123456789abcdef")
      return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }.joined()
    return String(hex.prefix(max(1, min(64, length))))
  }
}
