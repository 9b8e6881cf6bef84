// Raw LMDB through its C API, as the baseline the benchmarks compare the store with.
// No LMDB type appears here, so this module never clashes with the store's own LMDB module.
#ifndef RAW_LMDB_H
#define RAW_LMDB_H
#include <stddef.h>

/// Appends `count` values of `value_size` bytes under 8-byte big-endian keys (MDB_APPEND),
/// `per_transaction` to a durable transaction, into a new environment at `path`.
/// Returns 0 on success, an LMDB error code otherwise.
int raw_lmdb_append(const char *path, size_t count, size_t value_size, size_t per_transaction);

/// Scans every value of the database `db` (the main database when NULL) of the environment at
/// `path` with a cursor, reading each value's first byte and summing the lengths into `*bytes`.
/// Returns the number of values, or -1 on error.
long raw_lmdb_scan(const char *path, const char *db, size_t *bytes);

/// The writes a log makes for single-event appends, done raw: `count` events in durable
/// transactions of `group` events each. Each event puts its record (8-byte big-endian position
/// -> `record_size` bytes, MDB_APPEND), its ID (16 random bytes -> position), a stream index
/// entry (the stream's number and the version -> position, as storage format 3 keeps them)
/// and its stream's version (name -> version and number), for one of `streams` streams chosen
/// at random from `seed`. Writes each
/// transaction's time, begin to durable commit, into `latencies_ns` (count / group entries,
/// rounded up). Returns 0 on success, an error code otherwise.
int raw_lmdb_grouped_appends(const char *path, size_t count, size_t group, size_t record_size,
                             size_t streams, unsigned long long seed,
                             unsigned long long *latencies_ns);

#endif
