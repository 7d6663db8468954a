// libcrypto: SHA-256 for PKCE, AES-256-GCM for tokens at rest, the CSPRNG.
#ifndef LUME_COPENSSL_SHIM_H
#define LUME_COPENSSL_SHIM_H
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#endif
