// Runs LMDB's page-reading calls so that a damaged file cannot take the process down.
//
// LMDB trusts its pages: a page number or a size damaged on disk makes it read outside the
// file (SIGBUS, SIGSEGV) or fail one of its assertions, which aborts. A guarded call arms a
// per-thread jump buffer; the assertion callback and the fault handler jump back to it, and the
// call returns an error code instead. Faults outside a guarded call go to the handler that was
// installed before (or to the default action), exactly as if this file did not exist.
#define _GNU_SOURCE
#include "clmdb_guard.h"

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static __thread sigjmp_buf *armed;
static __thread char message[256];
static struct sigaction previous_bus;
static struct sigaction previous_segv;
static pthread_once_t handlers_once = PTHREAD_ONCE_INIT;

static void on_fault(int signal, siginfo_t *info, void *context) {
  (void)info;
  (void)context;
  if (armed) {
    siglongjmp(*armed, signal == SIGBUS ? 2 : 3);
  }
  // Not ours: put the previous action back and return; the faulting instruction runs again
  // and faults under it.
  sigaction(signal, signal == SIGBUS ? &previous_bus : &previous_segv, NULL);
}

static void install_handlers(void) {
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_sigaction = on_fault;
  // SA_NODEFER: the jump leaves the handler without restoring the signal mask, so the
  // signal must not be blocked while it runs.
  action.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
  sigemptyset(&action.sa_mask);
  sigaction(SIGBUS, &action, &previous_bus);
  sigaction(SIGSEGV, &action, &previous_segv);
}

static void on_assert(MDB_env *env, const char *text) {
  (void)env;
  if (armed) {
    snprintf(message, sizeof message, "%s", text);
    siglongjmp(*armed, 1);
  }
  // Not guarded: LMDB prints the message and aborts, as it always did.
}

void clmdb_guard_install(MDB_env *env) {
  pthread_once(&handlers_once, install_handlers);
  mdb_env_set_assert(env, on_assert);
}

const char *clmdb_guard_message(void) { return message; }

#define GUARDED(call)                                                        \
  sigjmp_buf here;                                                           \
  sigjmp_buf *volatile outer = armed;                                        \
  int trapped = sigsetjmp(here, 0);                                          \
  if (trapped != 0) {                                                        \
    armed = outer;                                                           \
    if (trapped == 2) snprintf(message, sizeof message, "bus error reading the file"); \
    if (trapped == 3) snprintf(message, sizeof message, "segmentation fault reading the file"); \
    return trapped == 1 ? CLMDB_ASSERTION : CLMDB_FAULT;                     \
  }                                                                          \
  armed = &here;                                                             \
  int rc = (call);                                                           \
  armed = outer;                                                             \
  return rc;

int clmdb_cursor_get(MDB_cursor *cursor, MDB_val *key, MDB_val *data, MDB_cursor_op op) {
  GUARDED(mdb_cursor_get(cursor, key, data, op))
}

int clmdb_get(MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data) {
  GUARDED(mdb_get(txn, dbi, key, data))
}

int clmdb_put(MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data, unsigned int flags) {
  GUARDED(mdb_put(txn, dbi, key, data, flags))
}

int clmdb_del(MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data) {
  GUARDED(mdb_del(txn, dbi, key, data))
}

int clmdb_txn_commit(MDB_txn *txn) { GUARDED(mdb_txn_commit(txn)) }

int clmdb_stat(MDB_txn *txn, MDB_dbi dbi, MDB_stat *stat) { GUARDED(mdb_stat(txn, dbi, stat)) }

int clmdb_dbi_open(MDB_txn *txn, const char *name, unsigned int flags, MDB_dbi *dbi) {
  GUARDED(mdb_dbi_open(txn, name, flags, dbi))
}

static int batch(MDB_cursor *cursor, MDB_cursor_op first, MDB_val *key, MDB_val *keys,
                 MDB_val *values, size_t capacity, size_t *count) {
  *count = 0;
  MDB_cursor_op op = first;
  while (*count < capacity) {
    MDB_val k = *key;
    MDB_val v;
    int rc = mdb_cursor_get(cursor, &k, &v, op);
    if (rc != 0) return rc;
    keys[*count] = k;
    values[*count] = v;
    *count += 1;
    op = MDB_NEXT;
  }
  return 0;
}

int clmdb_cursor_batch(MDB_cursor *cursor, MDB_cursor_op first, MDB_val *key, MDB_val *keys,
                       MDB_val *values, size_t capacity, size_t *count) {
  GUARDED(batch(cursor, first, key, keys, values, capacity, count))
}

static int touch(const void *start, size_t count) {
  const volatile unsigned char *bytes = start;
  for (size_t i = 0; i < count; i += 4096) (void)bytes[i];
  if (count > 0) (void)bytes[count - 1];
  return 0;
}

int clmdb_probe(const void *start, size_t count) { GUARDED(touch(start, count)) }
