/* One verification case of the C tests' table (vectors.h, generated from the manifests). */
#ifndef VECTORS_TYPE_H
#define VECTORS_TYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ocsp_verify.h"

struct vector {
    const char *name;
    /* Files under test-vectors/. */
    const char *response;
    const char *certificate;
    const char *issuer;
    const char *trusted[2]; /* NULL when absent */
    const char *nonce_hex;  /* NULL: no nonce */
    /* The time and the options of the case. */
    uint64_t now;
    uint64_t clock_skew;
    uint64_t max_age;
    uint64_t max_age_without_next_update;
    uint64_t max_lifetime;
    size_t max_response_len;
    bool allow_legacy_sha1;
    /* What the Rust tests expect. */
    ocsp_result result;
    ocsp_cert_status status;
    bool check_revocation; /* the manifest states the revocation time and reason */
    uint64_t revocation_time;
    ocsp_revocation_reason revocation_reason;
    uint64_t error_limit;     /* the time a time error names (not_after, not_before), else 0 */
    ocsp_responder responder; /* OCSP_RESPONDER_NONE: the manifest does not say */
    bool has_decision;        /* the manifest states what the policy decides */
    ocsp_tls_features tls_features;
    ocsp_verdict soft_fail;
    ocsp_verdict hard_fail;
};

#endif
