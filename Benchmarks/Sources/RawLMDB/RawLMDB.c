#include "RawLMDB.h"
#include <lmdb.h>
#include <string.h>
#include <sys/stat.h>

static int open_env(const char *path, MDB_env **env, unsigned flags) {
  int rc = mdb_env_create(env);
  if (rc) return rc;
  mdb_env_set_mapsize(*env, (size_t)8 << 30);
  mdb_env_set_maxdbs(*env, 16);
  mkdir(path, 0755);
  return mdb_env_open(*env, path, flags, 0644);
}

int raw_lmdb_append(const char *path, size_t count, size_t value_size, size_t per_transaction) {
  MDB_env *env;
  int rc = open_env(path, &env, 0);
  if (rc) return rc;
  char value[4096];
  memset(value, 7, sizeof value);
  size_t written = 0;
  MDB_dbi dbi;
  while (written < count && rc == 0) {
    MDB_txn *txn;
    if ((rc = mdb_txn_begin(env, NULL, 0, &txn))) break;
    if ((rc = mdb_dbi_open(txn, NULL, 0, &dbi))) { mdb_txn_abort(txn); break; }
    for (size_t i = 0; i < per_transaction && written < count; i++, written++) {
      unsigned char key[8];
      unsigned long long position = written + 1;
      for (int b = 7; b >= 0; b--) { key[b] = position & 0xff; position >>= 8; }
      MDB_val k = {8, key}, v = {value_size, value};
      if ((rc = mdb_put(txn, dbi, &k, &v, MDB_APPEND))) break;
    }
    if (rc) { mdb_txn_abort(txn); break; }
    rc = mdb_txn_commit(txn);
  }
  mdb_env_close(env);
  return rc;
}

long raw_lmdb_scan(const char *path, const char *db, size_t *bytes) {
  MDB_env *env;
  if (open_env(path, &env, MDB_RDONLY | MDB_NOTLS)) return -1;
  MDB_txn *txn;
  MDB_dbi dbi;
  MDB_cursor *cursor;
  long count = -1;
  if (mdb_txn_begin(env, NULL, MDB_RDONLY, &txn) == 0) {
    if (mdb_dbi_open(txn, db, 0, &dbi) == 0 && mdb_cursor_open(txn, dbi, &cursor) == 0) {
      MDB_val k, v;
      size_t total = 0;
      count = 0;
      int rc = mdb_cursor_get(cursor, &k, &v, MDB_FIRST);
      while (rc == 0) {
        total += v.mv_size + ((const unsigned char *)v.mv_data)[0];
        count++;
        rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT);
      }
      *bytes = total;
      mdb_cursor_close(cursor);
    }
    mdb_txn_abort(txn);
  }
  mdb_env_close(env);
  return count;
}
