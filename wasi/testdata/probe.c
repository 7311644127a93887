/*
 * A WASI program that exercises one part of WASI per command (argv[1]) and prints what it
 * observes. tests/wasi_host_test.ts builds it (wasi-libc, the preview1 adapter) into a component that
 * exports wasi:cli/run, runs it in wasmtime and through wreg's lean glue and WASI host, and
 * compares standard output, standard error, the exit code and the files left behind.
 *
 * Errors are printed with strerror (the same libc in both runs), so the two hosts must report
 * the same WASI error codes to print the same text.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

extern char **environ;
extern void _initialize(void);
extern int __main_void(void);

static void fail(const char *what) { printf("%s: %s\n", what, strerror(errno)); }

static int cmp(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void cat(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) {
    fail(path);
    return;
  }
  char buf[256];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = 0;
  printf("%s: %zu bytes: %s\n", path, n, buf);
  fclose(f);
}

static void list(const char *path) {
  DIR *d = opendir(path);
  if (!d) {
    fail(path);
    return;
  }
  char *names[64];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < 64) {
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) names[n++] = strdup(e->d_name);
  }
  closedir(d);
  qsort(names, n, sizeof names[0], cmp);
  printf("%s:", path);
  for (int i = 0; i < n; i++) printf(" %s", names[i]);
  printf("\n");
}

static void write_file(const char *path, const char *text, const char *mode) {
  FILE *f = fopen(path, mode);
  if (!f) {
    fail(path);
    return;
  }
  fputs(text, f);
  if (fclose(f) != 0) fail("fclose");
}

static void try_open(const char *path, int flags) {
  int fd = open(path, flags, 0644);
  if (fd < 0) fail(path);
  else {
    printf("%s: opened\n", path);
    close(fd);
  }
}

static int cmd_files(void) {
  write_file("/data/new.txt", "hello\n", "w");
  write_file("/data/new.txt", "world\n", "a");
  cat("/data/new.txt");
  cat("/data/a.txt");
  if (mkdir("/data/sub", 0755) != 0) fail("mkdir /data/sub");
  if (mkdir("/data/sub", 0755) != 0) fail("mkdir /data/sub again");
  write_file("/data/sub/x.txt", "x", "w");
  if (rename("/data/sub/x.txt", "/data/sub/y.txt") != 0) fail("rename");
  list("/data");
  list("/data/sub");
  struct stat st;
  if (stat("/data/new.txt", &st) != 0) fail("stat");
  else printf("stat new.txt: size %lld, regular %d\n", (long long)st.st_size, S_ISREG(st.st_mode));
  if (stat("/data/sub", &st) != 0) fail("stat sub");
  else printf("stat sub: directory %d\n", S_ISDIR(st.st_mode));
  int fd = open("/data/new.txt", O_RDWR);
  if (fd < 0) fail("open rw");
  else {
    char buf[8] = {0};
    lseek(fd, 6, SEEK_SET);
    ssize_t n = read(fd, buf, 5);
    printf("pread at 6: %zd %s\n", n, buf);
    if (ftruncate(fd, 3) != 0) fail("ftruncate");
    close(fd);
  }
  cat("/data/new.txt");
  if (rmdir("/data/sub") != 0) fail("rmdir non-empty");
  if (unlink("/data/sub/y.txt") != 0) fail("unlink");
  if (rmdir("/data/sub") != 0) fail("rmdir");
  if (unlink("/data/missing") != 0) fail("unlink missing");
  try_open("/data/missing.txt", O_RDONLY);
  try_open("/data/new.txt", O_RDONLY | O_CREAT | O_EXCL);
  try_open("/data/../outside.txt", O_RDONLY);
  try_open("/etc/passwd", O_RDONLY);
  if (symlink("../../etc", "/data/link") != 0) fail("symlink");
  try_open("/data/link/passwd", O_RDONLY);
  write_file("/ro/blocked.txt", "no", "w");
  cat("/ro/b.txt");
  list("/ro");
  return 0;
}

static int cmd_env(void) {
  char *vars[64];
  int n = 0;
  for (char **e = environ; *e && n < 64; e++) vars[n++] = *e;
  qsort(vars, n, sizeof vars[0], cmp);
  printf("%d variables\n", n);
  for (int i = 0; i < n; i++) printf("%s\n", vars[i]);
  const char *home = getenv("HOME");
  printf("HOME=%s\n", home ? home : "(unset)");
  return 0;
}

static int cmd_clocks(void) {
  struct timespec a, b, r, res;
  clock_gettime(CLOCK_MONOTONIC, &a);
  struct timespec d = {0, 20 * 1000 * 1000};
  nanosleep(&d, NULL);
  clock_gettime(CLOCK_MONOTONIC, &b);
  long long ns = (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
  printf("slept at least 20 ms: %d\n", ns >= 20000000LL);
  clock_gettime(CLOCK_REALTIME, &r);
  printf("realtime after 2024: %d\n", r.tv_sec > 1704067200LL);
  clock_getres(CLOCK_MONOTONIC, &res);
  printf("resolution positive: %d\n", res.tv_sec > 0 || res.tv_nsec > 0);
  return 0;
}

static int cmd_random(void) {
  unsigned char buf[64];
  if (getentropy(buf, sizeof buf) != 0) {
    fail("getentropy");
    return 1;
  }
  int nonzero = 0;
  for (unsigned i = 0; i < sizeof buf; i++) nonzero |= buf[i];
  unsigned char buf2[64];
  getentropy(buf2, sizeof buf2);
  printf("random: %d bytes, some nonzero %d, differs %d\n", (int)sizeof buf, nonzero != 0,
         memcmp(buf, buf2, sizeof buf) != 0);
  return 0;
}

static int cmd_stdin(void) {
  char buf[4096];
  size_t total = 0, n;
  while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) {
    for (size_t i = 0; i < n; i++) {
      if (buf[i] >= 'a' && buf[i] <= 'z') buf[i] -= 32;
    }
    fwrite(buf, 1, n, stdout);
    total += n;
  }
  printf("\n%zu bytes from stdin\n", total);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: probe COMMAND\n");
    return 2;
  }
  const char *c = argv[1];
  if (!strcmp(c, "args")) {
    printf("%d arguments\n", argc);
    for (int i = 0; i < argc; i++) printf("[%s]\n", argv[i]);
    return 0;
  }
  if (!strcmp(c, "env")) return cmd_env();
  if (!strcmp(c, "stdio")) {
    printf("to stdout\n");
    fprintf(stderr, "to stderr\n");
    return 0;
  }
  if (!strcmp(c, "stdin")) return cmd_stdin();
  if (!strcmp(c, "exit")) {
    printf("exiting with %d\n", argc > 2 ? atoi(argv[2]) : 0);
    fflush(stdout);
    exit(argc > 2 ? atoi(argv[2]) : 0);
  }
  if (!strcmp(c, "fail")) return 3;
  if (!strcmp(c, "clocks")) return cmd_clocks();
  if (!strcmp(c, "random")) return cmd_random();
  if (!strcmp(c, "files")) return cmd_files();
  if (!strcmp(c, "read")) {
    for (int i = 2; i < argc; i++) cat(argv[i]);
    return 0;
  }
  if (!strcmp(c, "trap")) __builtin_trap();
  fprintf(stderr, "unknown command %s\n", c);
  return 2;
}

/* wasi:cli/run: a reactor's initialisation, then main with the arguments from the host. */
__attribute__((export_name("wasi:cli/run@0.2.0#run"))) int wreg_probe_run(void) {
  static int initialized = 0;
  if (!initialized) {
    _initialize();
    initialized = 1;
  }
  int code = __main_void();
  fflush(stdout);
  fflush(stderr);
  return code == 0 ? 0 : 1;
}
