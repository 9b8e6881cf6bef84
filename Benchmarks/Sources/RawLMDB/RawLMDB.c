#include "RawLMDB.h"
#include <lmdb.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

static unsigned long long next_random(unsigned long long *state) {
  // splitmix64: a fixed sequence for a seed, the same in every run.
  unsigned long long z = (*state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

static void put_big_endian(unsigned char *to, unsigned long long value) {
  for (int b = 7; b >= 0; b--) { to[b] = value & 0xff; value >>= 8; }
}

static unsigned long long monotonic_ns(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (unsigned long long)now.tv_sec * 1000000000ULL + (unsigned long long)now.tv_nsec;
}

int raw_lmdb_grouped_appends(const char *path, size_t count, size_t group, size_t record_size,
                             size_t streams, unsigned long long seed,
                             unsigned long long *latencies_ns) {
  MDB_env *env;
  int rc = open_env(path, &env, 0);
  if (rc) return rc;
  unsigned long long *versions = calloc(streams, sizeof *versions);
  if (!versions) { mdb_env_close(env); return ENOMEM; }
  MDB_dbi events, ids, stream_index, stream_versions;
  MDB_txn *txn;
  if ((rc = mdb_txn_begin(env, NULL, 0, &txn))) goto done;
  if ((rc = mdb_dbi_open(txn, "events", MDB_CREATE, &events)) ||
      (rc = mdb_dbi_open(txn, "ids", MDB_CREATE, &ids)) ||
      (rc = mdb_dbi_open(txn, "streamIndex", MDB_CREATE, &stream_index)) ||
      (rc = mdb_dbi_open(txn, "streams", MDB_CREATE, &stream_versions))) {
    mdb_txn_abort(txn);
    goto done;
  }
  if ((rc = mdb_txn_commit(txn))) goto done;
  char record[4096];
  memset(record, 7, sizeof record);
  if (record_size > sizeof record) record_size = sizeof record;
  unsigned long long random = seed;
  size_t written = 0, groups = 0;
  while (written < count) {
    unsigned long long started = monotonic_ns();
    if ((rc = mdb_txn_begin(env, NULL, 0, &txn))) break;
    for (size_t i = 0; i < group && written < count; i++) {
      unsigned long long position = ++written;
      unsigned char position_key[8];
      put_big_endian(position_key, position);
      MDB_val k = {8, position_key}, v = {record_size, record};
      if ((rc = mdb_put(txn, events, &k, &v, MDB_APPEND))) break;
      unsigned char id[16];
      put_big_endian(id, next_random(&random));
      put_big_endian(id + 8, next_random(&random));
      MDB_val id_key = {16, id}, id_value = {8, position_key};
      if ((rc = mdb_put(txn, ids, &id_key, &id_value, MDB_NOOVERWRITE))) break;
      size_t stream = (size_t)(next_random(&random) % streams);
      unsigned long long version = ++versions[stream];
      char name[64];
      int length = snprintf(name, sizeof name, "bench-s%zu", stream);
      /* As the store's storage format 3 keeps them: the stream index keyed by the stream's
         number (4 bytes) and the version (8), big-endian, its value the position alone (one
         event); the stream's version and number beside its name. */
      unsigned long long number = (unsigned long long)stream + 1;
      unsigned char index_key[12];
      unsigned char number_bytes[8];
      put_big_endian(number_bytes, number);
      memcpy(index_key, number_bytes + 4, 4);
      put_big_endian(index_key + 4, version);
      MDB_val ik = {12, index_key}, iv = {8, position_key};
      if ((rc = mdb_put(txn, stream_index, &ik, &iv, 0))) break;
      unsigned char version_value[12];
      put_big_endian(version_value, version);
      memcpy(version_value + 8, number_bytes + 4, 4);
      MDB_val sk = {(size_t)length, name}, sv = {12, version_value};
      if ((rc = mdb_put(txn, stream_versions, &sk, &sv, 0))) break;
    }
    if (rc) { mdb_txn_abort(txn); break; }
    if ((rc = mdb_txn_commit(txn))) break;
    latencies_ns[groups++] = monotonic_ns() - started;
  }
done:
  free(versions);
  mdb_env_close(env);
  return rc;
}
