/* The library's own ceiling: a minimal libssh2 client that opens one direct-tcpip channel to a
 * netbench source through sshd and reads BYTES from it as fast as libssh2 can.
 *   libssh2_pull [HOST:]SSH_PORT KEYFILE TARGET_PORT BYTES [WINDOW]
 * sshd at HOST (default 127.0.0.1), user root, the source at 127.0.0.1:TARGET_PORT as sshd sees it.
 * Without WINDOW the channel is opened with libssh2_channel_direct_tcpip_ex (libssh2's default
 * 2 MiB window); with WINDOW (bytes) it is opened with libssh2_channel_open_ex and that window,
 * as autopod's PortForwarder does.
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
    if (argc < 5) { fprintf(stderr, "usage: libssh2_pull [HOST:]SSH_PORT KEYFILE TARGET_PORT BYTES [WINDOW]\n"); return 2; }
    uint64_t bytes = strtoull(argv[4], 0, 10);
    unsigned long window = argc > 5 ? strtoul(argv[5], 0, 10) : 0;
    char host[64] = "127.0.0.1"; const char *port = argv[1], *colon = strrchr(argv[1], ':');
    if (colon && colon - argv[1] < (long)sizeof host) { memcpy(host, argv[1], colon - argv[1]); host[colon - argv[1]] = 0; port = colon + 1; }
    libssh2_init(0);
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(port))};
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1) { fprintf(stderr, "bad host %s\n", host); return 2; }
    if (connect(fd, (struct sockaddr *)&a, sizeof a)) { perror("connect"); return 1; }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    LIBSSH2_SESSION *s = libssh2_session_init();
    libssh2_session_method_pref(s, LIBSSH2_METHOD_CRYPT_CS, "aes128-ctr");
    libssh2_session_method_pref(s, LIBSSH2_METHOD_CRYPT_SC, "aes128-ctr");
    if (libssh2_session_handshake(s, fd)) { fprintf(stderr, "handshake failed\n"); return 1; }
    if (libssh2_userauth_publickey_fromfile(s, "root", NULL, argv[2], NULL)) { fprintf(stderr, "auth failed\n"); return 1; }
    LIBSSH2_CHANNEL *c;
    if (window) {
        /* RFC 4254 7.2 payload: string host, uint32 port, string originator, uint32 originator port */
        unsigned char msg[64]; size_t m = 0; const char *h = "127.0.0.1"; uint32_t len = strlen(h), p = atoi(argv[3]);
        for (int k = 0; k < 2; k++) {
            msg[m++] = len >> 24; msg[m++] = len >> 16; msg[m++] = len >> 8; msg[m++] = len;
            memcpy(msg + m, h, len); m += len;
            msg[m++] = p >> 24; msg[m++] = p >> 16; msg[m++] = p >> 8; msg[m++] = p;
            p = 0;
        }
        c = libssh2_channel_open_ex(s, "direct-tcpip", 12, window, 32768, (char *)msg, m);
    } else {
        c = libssh2_channel_direct_tcpip_ex(s, "127.0.0.1", atoi(argv[3]), "127.0.0.1", 0);
    }
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
