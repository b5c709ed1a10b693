/* Small TCP load tools for scripts/bench, in C so the measuring side costs next to nothing.
 *   netbench source PORT            serve: each connection gets BYTES (first 8 bytes the client sends, LE) of data
 *   netbench echo PORT              serve: echo everything back
 *   netbench pull HOST PORT BYTES   client: ask the source for BYTES, read them, print seconds and MB/s
 *   netbench rtt HOST PORT N        client: N one-byte round trips to an echo server, print p50/p99 in microseconds
 *   netbench fan HOST PORT CONNS BYTES  client: CONNS parallel pulls, print seconds and aggregate MB/s, fail on short reads
 *   netbench hold HOST PORT CONNS SECONDS  client: open CONNS connections to an echo server and keep them open
 *   netbench stall HOST PORT CONNS SECONDS client: open CONNS connections to a source, ask each for endless data,
 *                                   never read; print "stalling CONNS" and keep them open SECONDS (or until killed)
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }

static int dial(const char *host, int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, host, &a.sin_addr);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) { perror("connect"); exit(2); }
    int one = 1; setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static int listen_on(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) || listen(fd, 512)) { perror("listen"); exit(2); }
    return fd;
}

static void *serve_source(void *arg) {
    int fd = (int)(intptr_t)arg; uint64_t want = 0; size_t got = 0;
    while (got < 8) { ssize_t n = read(fd, (char *)&want + got, 8 - got); if (n <= 0) { close(fd); return NULL; } got += n; }
    static char block[256 * 1024];
    while (want > 0) { ssize_t n = write(fd, block, want < sizeof block ? want : sizeof block); if (n <= 0) break; want -= n; }
    close(fd); return NULL;
}

static void *serve_echo(void *arg) {
    int fd = (int)(intptr_t)arg; char buf[65536]; ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) { ssize_t off = 0; while (off < n) { ssize_t w = write(fd, buf + off, n - off); if (w <= 0) goto done; off += w; } }
done:
    close(fd); return NULL;
}

static int serve(int port, void *(*handler)(void *)) {
    int l = listen_on(port);
    for (;;) {
        int c = accept(l, NULL, NULL); if (c < 0) continue;
        int one = 1; setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        pthread_t t; pthread_create(&t, NULL, handler, (void *)(intptr_t)c); pthread_detach(t);
    }
}

static uint64_t pull(const char *host, int port, uint64_t bytes) {
    int fd = dial(host, port);
    if (write(fd, &bytes, 8) != 8) exit(2);
    static __thread char buf[256 * 1024]; uint64_t got = 0; ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) got += n;
    close(fd); return got;
}

struct fan_arg { const char *host; int port; uint64_t bytes, got; };
static void *fan_one(void *p) { struct fan_arg *a = p; a->got = pull(a->host, a->port, a->bytes); return NULL; }

static int cmp(const void *a, const void *b) { double x = *(double *)a, y = *(double *)b; return x < y ? -1 : x > y; }

int main(int argc, char **argv) {
    signal(SIGPIPE, SIG_IGN);
    if (argc >= 3 && !strcmp(argv[1], "source")) return serve(atoi(argv[2]), serve_source);
    if (argc >= 3 && !strcmp(argv[1], "echo")) return serve(atoi(argv[2]), serve_echo);
    if (argc >= 5 && !strcmp(argv[1], "pull")) {
        uint64_t bytes = strtoull(argv[4], 0, 10); double t0 = now();
        uint64_t got = pull(argv[2], atoi(argv[3]), bytes); double dt = now() - t0;
        if (got != bytes) { fprintf(stderr, "short read: %llu of %llu\n", (unsigned long long)got, (unsigned long long)bytes); return 1; }
        printf("%.3f s %.1f MB/s\n", dt, bytes / dt / 1e6); return 0;
    }
    if (argc >= 5 && !strcmp(argv[1], "rtt")) {
        int n = atoi(argv[4]), fd = dial(argv[2], atoi(argv[3])); double *s = malloc(sizeof(double) * n); char c = 'x';
        for (int i = 0; i < n; i++) { double t0 = now(); if (write(fd, &c, 1) != 1 || read(fd, &c, 1) != 1) { fprintf(stderr, "rtt broke at %d\n", i); return 1; } s[i] = (now() - t0) * 1e6; }
        qsort(s, n, sizeof(double), cmp);
        printf("p50 %.1f us p99 %.1f us\n", s[n / 2], s[(int)(n * 0.99)]); return 0;
    }
    if (argc >= 6 && !strcmp(argv[1], "fan")) {
        int conns = atoi(argv[4]); uint64_t bytes = strtoull(argv[5], 0, 10);
        struct fan_arg *a = calloc(conns, sizeof *a); pthread_t *t = calloc(conns, sizeof *t); double t0 = now();
        for (int i = 0; i < conns; i++) { a[i] = (struct fan_arg){argv[2], atoi(argv[3]), bytes, 0}; pthread_create(&t[i], NULL, fan_one, &a[i]); }
        int bad = 0; for (int i = 0; i < conns; i++) { pthread_join(t[i], NULL); if (a[i].got != bytes) bad++; }
        double dt = now() - t0;
        printf("%d/%d complete %.3f s %.1f MB/s\n", conns - bad, conns, dt, (double)bytes * (conns - bad) / dt / 1e6); return bad ? 1 : 0;
    }
    if (argc >= 6 && !strcmp(argv[1], "hold")) {
        int conns = atoi(argv[4]); for (int i = 0; i < conns; i++) { int fd = dial(argv[2], atoi(argv[3])); char c = 'x'; if (write(fd, &c, 1) != 1 || read(fd, &c, 1) != 1) return 1; }
        printf("holding %d\n", conns); fflush(stdout); sleep(atoi(argv[5])); return 0;
    }
    if (argc >= 6 && !strcmp(argv[1], "stall")) {
        int conns = atoi(argv[4]); uint64_t endless = UINT64_MAX;
        for (int i = 0; i < conns; i++) { int fd = dial(argv[2], atoi(argv[3])); if (write(fd, &endless, 8) != 8) return 1; }
        printf("stalling %d\n", conns); fflush(stdout); sleep(atoi(argv[5])); return 0;
    }
    fprintf(stderr, "usage: see the comment at the top of netbench.c\n"); return 2;
}
