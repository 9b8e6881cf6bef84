#ifndef CLMDB_GUARD_H
#define CLMDB_GUARD_H

#include <lmdb.h>

/// Returned by a guarded call when LMDB failed one of its own assertions (a damaged page).
#define CLMDB_ASSERTION (-30700)
/// Returned by a guarded call when it touched memory it may not (SIGBUS or SIGSEGV): a page
/// number or size that points outside the file.
#define CLMDB_FAULT (-30701)

/// Routes `env`'s assertion failures to the guard and installs the fault handlers (once per
/// process). Call right after `mdb_env_create`.
void clmdb_guard_install(MDB_env *env);

/// What the last trapped assertion or fault on this thread said.
const char *clmdb_guard_message(void);

/// The LMDB calls that read pages, run so that a damaged page returns `CLMDB_ASSERTION` or
/// `CLMDB_FAULT` instead of aborting the process.
int clmdb_cursor_get(MDB_cursor *cursor, MDB_val *key, MDB_val *data, MDB_cursor_op op);
int clmdb_get(MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data);
int clmdb_put(MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data, unsigned int flags);
int clmdb_del(MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data);
int clmdb_txn_commit(MDB_txn *txn);
int clmdb_stat(MDB_txn *txn, MDB_dbi dbi, MDB_stat *stat);
int clmdb_dbi_open(MDB_txn *txn, const char *name, unsigned int flags, MDB_dbi *dbi);

/// Reads up to `capacity` entries in one guarded call: the first with `first` (from `*key`
/// for `MDB_SET_RANGE`), the rest with `MDB_NEXT`, into `keys` and `values`; `*count` says how
/// many. Returns 0 when the cursor may have more, `MDB_NOTFOUND` when it ran out, or an error
/// (the entries before it are valid). One guard for many entries: the guard's cost is paid once
/// per batch, not once per record.
int clmdb_cursor_batch(MDB_cursor *cursor, MDB_cursor_op first, MDB_val *key, MDB_val *keys,
                       MDB_val *values, size_t capacity, size_t *count);

/// Touches every byte of `[start, start + count)` under the guard: 0 when all are readable,
/// `CLMDB_FAULT` otherwise.
int clmdb_probe(const void *start, size_t count);

#endif
