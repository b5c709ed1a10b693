// libssh2 as Swift sees it. The function-like macros of libssh2.h (libssh2_session_init,
// libssh2_channel_read, ...) do not import; SSHKit calls their _ex forms, and the few
// expression macros it needs are mirrored here as constants.
#ifndef AUTOPOD_CLIBSSH2_SHIM_H
#define AUTOPOD_CLIBSSH2_SHIM_H

#include <libssh2.h>
#include <libssh2_publickey.h>
#include <limits.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

static const unsigned int CLIBSSH2_CHANNEL_WINDOW_DEFAULT = LIBSSH2_CHANNEL_WINDOW_DEFAULT;
static const unsigned int CLIBSSH2_CHANNEL_PACKET_DEFAULT = LIBSSH2_CHANNEL_PACKET_DEFAULT;
static const int CLIBSSH2_EXTENDED_DATA_STDERR = SSH_EXTENDED_DATA_STDERR;

// Host-key fingerprints of keys read from known_hosts (no session at hand) need SHA-256;
// libcrypto is already loaded for libssh2's OpenSSL backend, so it is used directly
// rather than pulling a second crypto library into SSHKit.
static inline int clibssh2_sha256(const void *data, size_t len, unsigned char out[32]) {
    unsigned int outLen = 0;
    return EVP_Digest(data, len, out, &outLen, EVP_sha256(), NULL) == 1 && outLen == 32 ? 0 : -1;
}

// Hashed known_hosts names (|1|salt|hash) are HMAC-SHA1(salt, hostname).
static inline int clibssh2_hmac_sha1(const void *key, int keyLen, const void *data, size_t len,
                                     unsigned char out[20]) {
    unsigned int outLen = 0;
    return HMAC(EVP_sha1(), key, keyLen, (const unsigned char *)data, len, out, &outLen) != NULL
        && outLen == 20 ? 0 : -1;
}

// A fresh ed25519 key pair (`autopod config init` makes one for a user who has none), from the
// same libcrypto: a second crypto library for one key would add minutes of build and start-up work.
static inline int clibssh2_ed25519_generate(unsigned char seed[32], unsigned char publicKey[32]) {
    EVP_PKEY *key = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
    size_t seedLen = 32, publicLen = 32;
    int ok = ctx != NULL && EVP_PKEY_keygen_init(ctx) == 1 && EVP_PKEY_keygen(ctx, &key) == 1
        && EVP_PKEY_get_raw_private_key(key, seed, &seedLen) == 1 && seedLen == 32
        && EVP_PKEY_get_raw_public_key(key, publicKey, &publicLen) == 1 && publicLen == 32;
    EVP_PKEY_free(key);
    EVP_PKEY_CTX_free(ctx);
    return ok ? 0 : -1;
}

// Hands the allocator's free pages back to the kernel. libssh2 keeps every packet it reads in
// a malloc'd block of its own until the channel is read; after a burst glibc keeps the freed
// heap for reuse, so a tunnel would stay at its peak footprint. malloc_trim is glibc's
// (<malloc.h> is not in Swift's Glibc module); elsewhere this does nothing.
static inline int clibssh2_release_free_heap(void) {
#ifdef __GLIBC__
    return malloc_trim(0);
#else
    return 0;
#endif
}

// Lets up to `bytes` of freed heap stay with the allocator instead of going back to the kernel
// at every free. glibc trims the heap's top once 128 KiB of it is free, so a transfer whose
// packets are freed in bursts (libssh2 mallocs each one) hands the same pages back and faults
// them in again, zeroed, over and over. clibssh2_release_free_heap still hands them all back.
static inline void clibssh2_keep_free_heap(size_t bytes) {
#ifdef __GLIBC__
    mallopt(M_TRIM_THRESHOLD, bytes > (size_t)INT_MAX ? INT_MAX : (int)bytes);
#else
    (void)bytes;
#endif
}

#endif
