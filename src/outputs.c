/* outputs.c -- the run's output set: locks, backups, rollback and signal clean-up. */

/* F_OFD_SETLK (open-file-description locks) is a GNU extension of fcntl. */
#define _GNU_SOURCE
#include "vo2snn/outputs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outputs_internal.h"
#include "text.h"

/*
 * Everything the signal handler may have to undo is a node in one list, newest first,
 * pushed with an atomic store once complete and never changed afterwards except for
 * its `live` flag; nodes are freed only by vs_outputs_end(), after the handlers are
 * gone. The handler therefore only reads published nodes and calls unlink, rename,
 * rmdir and fcntl, which are async-signal-safe.
 */
typedef enum node_kind { NODE_TMP, NODE_FILE, NODE_DIR, NODE_LOCK } node_kind;

struct vs_tmp_node {
    struct vs_tmp_node *next;
    atomic_int live;
    node_kind kind;
    char *path;   /* the temporary file, the output, the created directory, the lock file */
    char *backup; /* NODE_FILE: hard link to the file it replaced; NULL if it was new */
    int fd;       /* NODE_LOCK: the open lock file */
    dev_t dev;    /* NODE_LOCK: the directory it locks */
    ino_t ino;
};
typedef struct vs_tmp_node node;

typedef struct path_list {
    char **items;
    size_t n, cap;
} path_list;

typedef struct protected_input {
    dev_t dev;
    ino_t ino;
    char *path;
} protected_input;

static _Atomic(node *) g_head;
static atomic_int g_active;
static atomic_flag g_in_handler = ATOMIC_FLAG_INIT;
static pthread_mutex_t g_mutex = PTHREAD_MUTEX_INITIALIZER;
static path_list g_keep, g_claimed;
static protected_input *g_protected;
static size_t g_n_protected;

static const int g_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
#define N_SIGNALS (sizeof g_signals / sizeof g_signals[0])
static struct sigaction g_old_actions[N_SIGNALS];
static int g_installed[N_SIGNALS];

static void on_signal(int sig);
static void undo_files(void);
static void release_locks(void);
static void remove_created_dirs(void);

/* ---- small helpers ------------------------------------------------------------------- */

static int list_has(const path_list *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->items[i], s) == 0) return 1;
    return 0;
}

static int list_add(path_list *l, const char *s)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        char **items = realloc(l->items, cap * sizeof *items);
        if (!items) return -1;
        l->items = items;
        l->cap = cap;
    }
    if (!(l->items[l->n] = strdup(s))) return -1;
    l->n++;
    return 0;
}

static void list_clear(path_list *l)
{
    for (size_t i = 0; i < l->n; i++) free(l->items[i]);
    free(l->items);
    *l = (path_list){0};
}

static node *push_node(node_kind kind, const char *path, char *backup)
{
    node *n = calloc(1, sizeof *n);
    if (!n || !(n->path = strdup(path))) {
        free(n);
        return NULL;
    }
    n->kind = kind;
    n->backup = backup;
    n->fd = -1;
    atomic_init(&n->live, 1);
    n->next = atomic_load(&g_head);
    atomic_store(&g_head, n);
    return n;
}

/* "dir/name" -> dir ("." if none) and name; both malloc'd. */
static int split_path(const char *path, char **dir, char **name)
{
    const char *slash = strrchr(path, '/');
    *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    *name = strdup(slash ? slash + 1 : path);
    if (*dir && *name) return 0;
    free(*dir);
    free(*name);
    return -1;
}

static int pid_is_dead(long pid)
{
    return pid > 0 && pid != (long)getpid() && kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* The pid in "<prefix><pid>" or "<prefix><pid>.<k>", or -1. */
static long pid_after(const char *name, const char *prefix)
{
    size_t n = strlen(prefix);
    if (strncmp(name, prefix, n) != 0) return -1;
    char *end;
    long pid = strtol(name + n, &end, 10);
    if (end == name + n || (*end && *end != '.')) return -1;
    return pid;
}

/* ---- begin / end --------------------------------------------------------------------- */

vs_status vs_outputs_begin(void)
{
    if (atomic_load(&g_active)) return vs_fail(VS_EINVAL, "an output set is already open");
    atomic_store(&g_active, 1);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < N_SIGNALS; i++) sigaddset(&sa.sa_mask, g_signals[i]);
    for (size_t i = 0; i < N_SIGNALS; i++) {
        g_installed[i] = 0;
        if (sigaction(g_signals[i], NULL, &g_old_actions[i]) != 0) continue;
        if (g_old_actions[i].sa_handler == SIG_IGN) continue; /* e.g. SIGHUP under nohup */
        g_installed[i] = sigaction(g_signals[i], &sa, NULL) == 0;
    }
    return VS_OK;
}

int vs_outputs_active(void) { return atomic_load(&g_active); }

static void remove_backups(void)
{
    for (node *n = atomic_load(&g_head); n; n = n->next)
        if (n->kind == NODE_FILE && n->backup) unlink(n->backup);
}

static void free_nodes(void)
{
    node *n = atomic_exchange(&g_head, NULL);
    while (n) {
        node *next = n->next;
        if (n->kind == NODE_LOCK && n->fd >= 0) close(n->fd);
        free(n->path);
        free(n->backup);
        free(n);
        n = next;
    }
}

void vs_outputs_end(int keep)
{
    if (!atomic_load(&g_active)) return;
    pthread_mutex_lock(&g_mutex);
    if (keep)
        remove_backups();
    else
        undo_files();
    release_locks();
    if (!keep) remove_created_dirs();
    for (size_t i = 0; i < N_SIGNALS; i++)
        if (g_installed[i]) sigaction(g_signals[i], &g_old_actions[i], NULL);
    free_nodes();
    list_clear(&g_keep);
    list_clear(&g_claimed);
    for (size_t i = 0; i < g_n_protected; i++) free(g_protected[i].path);
    free(g_protected);
    g_protected = NULL;
    g_n_protected = 0;
    atomic_store(&g_active, 0);
    pthread_mutex_unlock(&g_mutex);
}

/* ---- rollback (also run by the signal handler: async-signal-safe calls only) ---------- */

static void undo_files(void)
{
    for (node *n = atomic_load(&g_head); n; n = n->next) {
        if (n->kind != NODE_TMP && n->kind != NODE_FILE) continue; /* dirs and locks: later */
        if (!atomic_exchange(&n->live, 0)) continue;
        if (n->kind == NODE_FILE && n->backup)
            rename(n->backup, n->path);
        else
            unlink(n->path);
    }
}

/* Remove a lock file if no other process holds a range in it (then nobody waits on it). */
static void release_locks(void)
{
    for (node *n = atomic_load(&g_head); n; n = n->next) {
        if (n->kind != NODE_LOCK || !atomic_exchange(&n->live, 0)) continue;
        struct flock whole = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
        if (fcntl(n->fd, F_OFD_SETLK, &whole) == 0) unlink(n->path);
        struct flock none = {.l_type = F_UNLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
        fcntl(n->fd, F_OFD_SETLK, &none);
    }
}

static void remove_created_dirs(void)
{
    for (node *n = atomic_load(&g_head); n; n = n->next)
        if (n->kind == NODE_DIR && atomic_exchange(&n->live, 0)) rmdir(n->path);
}

static void on_signal(int sig)
{
    if (!atomic_flag_test_and_set(&g_in_handler)) {
        undo_files();
        release_locks();
        remove_created_dirs();
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

/* ---- keep / protect ------------------------------------------------------------------- */

vs_status vs_outputs_keep(const char *path)
{
    if (!path || !*path) return vs_fail(VS_EINVAL, "vs_outputs_keep: no path");
    pthread_mutex_lock(&g_mutex);
    int rc = list_has(&g_keep, path) ? 0 : list_add(&g_keep, path);
    pthread_mutex_unlock(&g_mutex);
    return rc ? vs_fail(VS_ENOMEM, "out of memory") : VS_OK;
}

vs_status vs_outputs_protect(const char *path)
{
    struct stat st;
    if (!path || stat(path, &st) != 0 || !S_ISREG(st.st_mode)) return VS_OK;
    pthread_mutex_lock(&g_mutex);
    protected_input *p = realloc(g_protected, (g_n_protected + 1) * sizeof *p);
    char *copy = strdup(path);
    if (p) g_protected = p;
    if (p && copy) g_protected[g_n_protected++] = (protected_input){st.st_dev, st.st_ino, copy};
    pthread_mutex_unlock(&g_mutex);
    if (!p || !copy) return free(copy), vs_fail(VS_ENOMEM, "out of memory");
    return VS_OK;
}

static vs_status check_not_input(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) return VS_OK;
    for (size_t i = 0; i < g_n_protected; i++)
        if (g_protected[i].dev == st.st_dev && g_protected[i].ino == st.st_ino)
            return vs_fail(VS_EINVAL,
                           "refusing to write '%s': it is the input '%s' of this run; choose "
                           "another output name",
                           path, g_protected[i].path);
    return VS_OK;
}

/* ---- locks ---------------------------------------------------------------------------- */

/* The lock node of directory dir, opening "<dir>/.vo2snn.lock" on first use. */
static node *lock_for_dir(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) != 0) return NULL;
    for (node *n = atomic_load(&g_head); n; n = n->next)
        if (n->kind == NODE_LOCK && n->dev == st.st_dev && n->ino == st.st_ino) return n;
    char *lock_path = malloc(strlen(dir) + sizeof "/.vo2snn.lock");
    if (!lock_path) return NULL;
    sprintf(lock_path, "%s/.vo2snn.lock", dir);
    int fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    node *n = fd >= 0 ? push_node(NODE_LOCK, lock_path, NULL) : NULL;
    free(lock_path);
    if (!n) {
        if (fd >= 0) close(fd);
        return NULL;
    }
    n->fd = fd;
    n->dev = st.st_dev;
    n->ino = st.st_ino;
    return n;
}

/* The lock file's name still refers to the file we hold (another run may have removed
 * it between our open and our lock): then our lock counts. */
static int lock_file_current(const node *lk)
{
    struct stat a, b;
    return fstat(lk->fd, &a) == 0 && stat(lk->path, &b) == 0 && a.st_dev == b.st_dev &&
           a.st_ino == b.st_ino;
}

static off_t lock_offset(const char *name) { return (off_t)(vs_fnv1a(name) & 0x7fffffff); }

/* 1: locked; 0: another run holds it; -1: locking is not possible here (go on without). */
static int lock_name(const char *dir, const char *name)
{
    for (int attempt = 0; attempt < 8; attempt++) {
        node *lk = lock_for_dir(dir);
        if (!lk) return -1;
        struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET,
                           .l_start = lock_offset(name), .l_len = 1};
        if (fcntl(lk->fd, F_OFD_SETLK, &fl) != 0)
            return errno == EAGAIN || errno == EACCES ? 0 : -1;
        if (lock_file_current(lk)) return 1;
        /* Stale file: forget it and open the new one. */
        atomic_store(&lk->live, 0);
        lk->dev = (dev_t)-1;
    }
    return -1;
}

/* Remove "<name>.tmp.<pid>[.k]" and ".<name>.bak.<pid>" of processes that are gone. */
static void sweep_stale(const char *dir, const char *name)
{
    DIR *d = opendir(dir);
    if (!d) return;
    size_t n = strlen(name);
    char *tmp_prefix = malloc(n + 8), *bak_prefix = malloc(n + 8);
    if (tmp_prefix && bak_prefix) {
        sprintf(tmp_prefix, "%s.tmp.", name);
        sprintf(bak_prefix, ".%s.bak.", name);
        for (struct dirent *e; (e = readdir(d));) {
            long pid = pid_after(e->d_name, tmp_prefix);
            if (pid < 0) pid = pid_after(e->d_name, bak_prefix);
            if (!pid_is_dead(pid)) continue;
            char *full = malloc(strlen(dir) + strlen(e->d_name) + 2);
            if (!full) break;
            sprintf(full, "%s/%s", dir, e->d_name);
            unlink(full);
            free(full);
        }
    }
    free(tmp_prefix);
    free(bak_prefix);
    closedir(d);
}

static vs_status claim_locked(const char *path)
{
    if (list_has(&g_claimed, path)) return VS_OK;
    char *dir, *name;
    if (split_path(path, &dir, &name) != 0) return vs_fail(VS_ENOMEM, "out of memory");
    int locked = lock_name(dir, name);
    if (locked == 0) {
        vs_status s = vs_fail(VS_EIO,
                              "'%s' is being written by another vo2snn run; wait for it to "
                              "finish or choose another output",
                              path);
        free(dir);
        free(name);
        return s;
    }
    sweep_stale(dir, name);
    free(dir);
    free(name);
    return list_add(&g_claimed, path) ? vs_fail(VS_ENOMEM, "out of memory") : VS_OK;
}

vs_status vs_outputs_claim(const char *path)
{
    if (!path || !*path) return vs_fail(VS_EINVAL, "cannot write '': empty file name");
    pthread_mutex_lock(&g_mutex);
    vs_status s = check_not_input(path);
    if (s == VS_OK && atomic_load(&g_active)) s = claim_locked(path);
    pthread_mutex_unlock(&g_mutex);
    return s;
}

/* ---- hooks for atomic.c ----------------------------------------------------------------- */

vs_tmp_node *vs_outputs_track_tmp(const char *tmp_path)
{
    if (!atomic_load(&g_active)) return NULL;
    pthread_mutex_lock(&g_mutex);
    node *n = push_node(NODE_TMP, tmp_path, NULL);
    pthread_mutex_unlock(&g_mutex);
    return n;
}

void vs_outputs_untrack_tmp(vs_tmp_node *n)
{
    if (n) atomic_store(&n->live, 0);
}

static node *find_file(const char *path)
{
    for (node *n = atomic_load(&g_head); n; n = n->next)
        if (n->kind == NODE_FILE && strcmp(n->path, path) == 0) return n;
    return NULL;
}

/* ".<name>.bak.<pid>" beside path, after a hard link to the file there (NULL: none). */
static char *make_backup(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode)) return NULL;
    char *dir, *name;
    if (split_path(path, &dir, &name) != 0) return NULL;
    char *backup = malloc(strlen(dir) + strlen(name) + 40);
    if (backup) {
        sprintf(backup, "%s/.%s.bak.%ld", dir, name, (long)getpid());
        unlink(backup);
        if (link(path, backup) != 0) {
            free(backup);
            backup = NULL; /* no hard links here: the old file cannot be restored */
        }
    }
    free(dir);
    free(name);
    return backup;
}

int vs_outputs_place(const char *tmp_path, const char *final_path)
{
    int err = 0;
    pthread_mutex_lock(&g_mutex);
    if (atomic_load(&g_active) && !list_has(&g_keep, final_path) && !find_file(final_path)) {
        char *backup = make_backup(final_path);
        if (!push_node(NODE_FILE, final_path, backup)) {
            if (backup) unlink(backup);
            free(backup);
        }
    }
    if (rename(tmp_path, final_path) != 0) err = errno;
    pthread_mutex_unlock(&g_mutex);
    return err;
}

void vs_outputs_dir_created(const char *dir)
{
    if (!atomic_load(&g_active)) return;
    pthread_mutex_lock(&g_mutex);
    push_node(NODE_DIR, dir, NULL);
    pthread_mutex_unlock(&g_mutex);
}
