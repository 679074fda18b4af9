/* An mbed TLS application checks a stapled OCSP response with the ocsp-verify C library.
 *
 * mbed TLS parses the chain (mbedtls_x509_crt_parse_der, as it does for a peer's chain); the
 * end-entity certificate is the chain's first, its issuer the next (crt->next). The library
 * takes their DER as mbed TLS keeps it (crt->raw), and the issuer also as a trust anchor
 * (crt->subject_raw and crt->pk_raw), verifies the staple at the time given, and decides under
 * soft-fail and hard-fail as a TLS client would (must-staple included).
 *
 *     mbedtls_staple NOW STAPLE.der|- CERT.der ISSUER.der [MORE.der...]
 *
 * NOW is seconds since the Unix epoch; "-" means the server stapled nothing. Exits 0 when
 * hard-fail accepts, 1 when it rejects, 2 on a usage or file error. docs/c-api.md says how an
 * mbed TLS (or wolfSSL) program obtains the staple and where this call goes. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#include <psa/crypto.h>
#endif

#include "ocsp_verify.h"

/* A whole file in a heap buffer; NULL (and a message) on failure. */
static unsigned char *read_file(const char *path, size_t *len) {
    unsigned char *data = NULL;
    long size;
    FILE *file = fopen(path, "rb");
    if (file == NULL || fseek(file, 0, SEEK_END) != 0 || (size = ftell(file)) < 0 ||
        fseek(file, 0, SEEK_SET) != 0 || (data = malloc(size > 0 ? (size_t)size : 1)) == NULL ||
        fread(data, 1, (size_t)size, file) != (size_t)size) {
        fprintf(stderr, "cannot read %s: %s\n", path, strerror(errno));
        free(data);
        data = NULL;
    } else {
        *len = (size_t)size;
    }
    if (file != NULL) {
        fclose(file);
    }
    return data;
}

static const char *status_name(ocsp_cert_status status) {
    switch (status) {
    case OCSP_CERT_STATUS_GOOD: return "good";
    case OCSP_CERT_STATUS_REVOKED: return "revoked";
    case OCSP_CERT_STATUS_UNKNOWN: return "unknown";
    default: return "none";
    }
}

static const char *situation_name(ocsp_situation situation) {
    switch (situation) {
    case OCSP_SITUATION_GOOD: return "good";
    case OCSP_SITUATION_REVOKED: return "revoked";
    case OCSP_SITUATION_UNKNOWN: return "unknown";
    case OCSP_SITUATION_NO_STAPLE: return "no staple";
    case OCSP_SITUATION_STAPLE_UNUSABLE: return "unusable staple";
    case OCSP_SITUATION_STAPLE_INVALID: return "invalid staple";
    default: return "no decision";
    }
}

static const char *responder_name(ocsp_responder responder) {
    switch (responder) {
    case OCSP_RESPONDER_ISSUER: return "issuer";
    case OCSP_RESPONDER_DELEGATED: return "delegated";
    case OCSP_RESPONDER_TRUSTED: return "trusted";
    default: return "none";
    }
}

/* One line for a verification: the status and times, or the refusal. */
static void print_verification(const char *label, ocsp_result result, const ocsp_answer *answer) {
    if (result != OCSP_RESULT_OK) {
        printf("%s: %s (%s)", label, ocsp_result_name(result), ocsp_result_message(result));
        if (answer->error_limit != 0) {
            printf(", limit %llu", (unsigned long long)answer->error_limit);
        }
        printf("\n");
        return;
    }
    printf("%s: ok, status %s, thisUpdate %llu", label, status_name(answer->status),
           (unsigned long long)answer->this_update);
    if (answer->has_next_update) {
        printf(", nextUpdate %llu", (unsigned long long)answer->next_update);
    }
    if (answer->status == OCSP_CERT_STATUS_REVOKED) {
        printf(", revoked %llu reason %d", (unsigned long long)answer->revocation_time,
               (int)answer->revocation_reason);
    }
    printf(", responder %s\n", responder_name(answer->responder));
}

static const char *decide(uint32_t policy, const char *name, const unsigned char *staple,
                          size_t staple_len, const mbedtls_x509_crt *leaf,
                          const ocsp_issuer *issuer, uint64_t now) {
    ocsp_decision decision;
    ocsp_result result = ocsp_decide(policy, staple, staple_len, leaf->raw.p, leaf->raw.len,
                                     issuer, now, NULL, &decision);
    const char *verdict = decision.verdict == OCSP_VERDICT_ACCEPT ? "accept" : "reject";
    if (result != OCSP_RESULT_OK) {
        printf("%s: reject (the call failed: %s)\n", name, ocsp_result_name(result));
        return "reject";
    }
    printf("%s: %s (%s%s)\n", name, verdict, situation_name(decision.situation),
           decision.rejected_for_tls_features ? "; the certificate's TLS features forbid it" : "");
    return verdict;
}

int main(int argc, char **argv) {
    mbedtls_x509_crt chain;
    const mbedtls_x509_crt *leaf, *issuer_crt;
    unsigned char *staple = NULL;
    size_t staple_len = 0, count = 0;
    uint64_t now;
    char *end;
    int i, status = 2;
    ocsp_issuer issuer = {0}, anchor = {0};
    ocsp_answer answer;
    ocsp_decision probe;
    const char *hard;

    if (argc < 5) {
        fprintf(stderr, "usage: %s NOW STAPLE.der|- CERT.der ISSUER.der [MORE.der...]\n", argv[0]);
        return 2;
    }
    errno = 0;
    now = strtoull(argv[1], &end, 10);
    if (errno != 0 || *end != '\0') {
        fprintf(stderr, "NOW must be seconds since the Unix epoch: %s\n", argv[1]);
        return 2;
    }
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
    /* mbed TLS 3 parses keys through PSA when built to. */
    if (psa_crypto_init() != PSA_SUCCESS) {
        fprintf(stderr, "psa_crypto_init failed\n");
        return 2;
    }
#endif

    /* The chain, as mbed TLS holds a peer's: one mbedtls_x509_crt per certificate, linked by
     * `next`, each with its DER in `raw`. */
    mbedtls_x509_crt_init(&chain);
    for (i = 3; i < argc; i++) {
        size_t len;
        unsigned char *der = read_file(argv[i], &len);
        int ret;
        if (der == NULL) {
            goto done;
        }
        ret = mbedtls_x509_crt_parse_der(&chain, der, len);
        free(der);
        if (ret != 0) {
            fprintf(stderr, "mbed TLS refuses %s: -0x%04x\n", argv[i], (unsigned)-ret);
            goto done;
        }
    }
    for (leaf = &chain; leaf != NULL; leaf = leaf->next) {
        count++;
    }
    printf("chain: %zu certificates parsed by mbed TLS %s\n", count, MBEDTLS_VERSION_STRING);
    leaf = &chain;
    issuer_crt = chain.next;
    if (issuer_crt == NULL) {
        fprintf(stderr, "the chain needs the certificate's issuer after it\n");
        goto done;
    }

    if (strcmp(argv[2], "-") != 0 && (staple = read_file(argv[2], &staple_len)) == NULL) {
        goto done;
    }

    /* The issuer as its certificate ... */
    issuer.certificate = issuer_crt->raw.p;
    issuer.certificate_len = issuer_crt->raw.len;
    /* ... and as the trust anchor a device would store: its subject Name and key, whole DER,
     * as mbed TLS keeps them. */
    anchor.subject = issuer_crt->subject_raw.p;
    anchor.subject_len = issuer_crt->subject_raw.len;
    anchor.subject_public_key_info = issuer_crt->pk_raw.p;
    anchor.subject_public_key_info_len = issuer_crt->pk_raw.len;

    /* What the certificate requires of a staple (must-staple): decided with no staple. */
    if (ocsp_decide(OCSP_POLICY_SOFT_FAIL, NULL, 0, leaf->raw.p, leaf->raw.len, &issuer, now, NULL,
                    &probe) == OCSP_RESULT_OK) {
        printf("tls features: %s\n",
               probe.tls_features == OCSP_TLS_FEATURES_STATUS_REQUEST ? "status_request (must-staple)"
               : probe.tls_features == OCSP_TLS_FEATURES_UNSUPPORTED  ? "unsupported"
                                                                       : "none");
    }

    if (staple == NULL) {
        printf("staple: none\n");
    } else {
        printf("staple: %zu bytes\n", staple_len);
        print_verification("verify", ocsp_verify(staple, staple_len, leaf->raw.p, leaf->raw.len,
                                                 &issuer, NULL, 0, now, NULL, &answer),
                           &answer);
        print_verification("verify with trust anchor",
                           ocsp_verify(staple, staple_len, leaf->raw.p, leaf->raw.len, &anchor,
                                       NULL, 0, now, NULL, &answer),
                           &answer);
    }
    decide(OCSP_POLICY_SOFT_FAIL, "soft-fail", staple, staple_len, leaf, &issuer, now);
    hard = decide(OCSP_POLICY_HARD_FAIL, "hard-fail", staple, staple_len, leaf, &issuer, now);
    status = strcmp(hard, "accept") == 0 ? 0 : 1;

done:
    free(staple);
    mbedtls_x509_crt_free(&chain);
    return status;
}
