extension Dictionary {
  /// Changes the value stored for `key` in place, if there is one; does nothing otherwise.
  ///
  /// `dictionary[key]?.field = x` moves the value into an optional and copies it back, so a
  /// read model whose records hold strings and arrays pays a retain and a release for each of
  /// them on every event. Going through ``Dictionary/values`` by index changes the stored value
  /// where it lies.
  @inlinable
  mutating func updateValue(forKey key: Key, _ change: (inout Value) -> Void) {
    guard let index = index(forKey: key) else { return }
    change(&values[index])
  }
}
