import EventLog

extension AsOf {
  /// The log as it stood at the end of `day` (UTC): the longest prefix of the log whose events
  /// the store recorded by then (`RecordView.recordedTime`), which is
  /// `.time(day.adding(days: 1).start)`.
  ///
  /// Recorded times never run backwards along a log, so this is every event recorded on or
  /// before the day. (In a log written in format 1, whose records carry only the programs'
  /// times, an event stamped earlier than one before it counts as recorded with that one.)
  /// A day whose next day starts past what a `Timestamp` can hold (after 2262) means the
  /// latest moment one can hold.
  public static func endOf(_ day: Day) -> AsOf {
    .time(day.adding(days: 1).start)
  }
}
