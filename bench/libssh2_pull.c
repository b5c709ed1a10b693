/* The library's own ceiling: a minimal libssh2 client that opens one direct-tcpip channel to a
 * netbench source through sshd and reads BYTES from it as fast as libssh2 can.
 *   libssh2_pull SSH_PORT KEYFILE TARGET_PORT BYTES   (all on 127.0.0.1, user root)
 */
#include <arpa/inet.h>
#include <libssh2.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }

int main(int argc, char **argv) {
    if (argc < 5) { fprintf(stderr, "usage: libssh2_pull SSH_PORT KEYFILE TARGET_PORT BYTES\n"); return 2; }
    uint64_t bytes = strtoull(argv[4], 0, 10);
    libssh2_init(0);
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1]))};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (connect(fd, (struct sockaddr *)&a, sizeof a)) { perror("connect"); return 1; }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    LIBSSH2_SESSION *s = libssh2_session_init();
    libssh2_session_method_pref(s, LIBSSH2_METHOD_CRYPT_CS, "aes128-ctr");
    libssh2_session_method_pref(s, LIBSSH2_METHOD_CRYPT_SC, "aes128-ctr");
    if (libssh2_session_handshake(s, fd)) { fprintf(stderr, "handshake failed\n"); return 1; }
    if (libssh2_userauth_publickey_fromfile(s, "root", NULL, argv[2], NULL)) { fprintf(stderr, "auth failed\n"); return 1; }
    LIBSSH2_CHANNEL *c = libssh2_channel_direct_tcpip_ex(s, "127.0.0.1", atoi(argv[3]), "127.0.0.1", 0);
    if (!c) { fprintf(stderr, "channel refused\n"); return 1; }
    if (libssh2_channel_write(c, (char *)&bytes, 8) != 8) { fprintf(stderr, "write failed\n"); return 1; }
    static char buf[32768];
    uint64_t got = 0; double t0 = now();
    while (got < bytes) {
        ssize_t n = libssh2_channel_read(c, buf, sizeof buf);
        if (n < 0) { fprintf(stderr, "read error %zd\n", n); return 1; }
        if (n == 0 && libssh2_channel_eof(c)) break;
        got += n;
    }
    double dt = now() - t0;
    if (got != bytes) { fprintf(stderr, "short read %llu\n", (unsigned long long)got); return 1; }
    printf("%.3f s %.1f MB/s\n", dt, bytes / dt / 1e6);
    libssh2_channel_free(c);
    libssh2_session_disconnect(s, "done");
    libssh2_session_free(s);
    return 0;
}
