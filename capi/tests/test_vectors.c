/* Every verification case of the shipped vectors, through the C ABI: the result, the status,
 * the revocation details, the time a time error names and the responder the Rust tests expect
 * (vectors.h, generated from the same manifests). Each case runs twice, with the issuer as a
 * certificate and as a trust anchor taken out of it, and once more through ocsp_decide, which
 * must agree with ocsp_verify; the cases that state a policy decision check it under
 * soft-fail and hard-fail. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "vectors.h"

static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes `hex` into `out` (at most `capacity` bytes); returns the length. */
static size_t from_hex(const char *hex, uint8_t *out, size_t capacity) {
    size_t len = strlen(hex) / 2, i;
    if (len > capacity || strlen(hex) % 2 != 0) {
        fprintf(stderr, "bad hex %s\n", hex);
        exit(2);
    }
    for (i = 0; i < len; i++) {
        int high = hex_value(hex[2 * i]), low = hex_value(hex[2 * i + 1]);
        if (high < 0 || low < 0) {
            fprintf(stderr, "bad hex %s\n", hex);
            exit(2);
        }
        out[i] = (uint8_t)(high * 16 + low);
    }
    return len;
}

/* The situation ocsp_decide must report for what ocsp_verify said: the policy's classifier,
 * seen from C. */
static ocsp_situation situation_of(ocsp_result result, ocsp_cert_status status) {
    if (result == OCSP_RESULT_OK) {
        switch (status) {
        case OCSP_CERT_STATUS_GOOD: return OCSP_SITUATION_GOOD;
        case OCSP_CERT_STATUS_REVOKED: return OCSP_SITUATION_REVOKED;
        case OCSP_CERT_STATUS_UNKNOWN: return OCSP_SITUATION_UNKNOWN;
        default: return OCSP_SITUATION_NONE;
        }
    }
    switch (result) {
    case OCSP_RESULT_RESPONSE_EXPIRED:
    case OCSP_RESULT_RESPONSE_TOO_OLD:
    case OCSP_RESULT_RESPONSE_NOT_YET_VALID:
    case OCSP_RESULT_RESPONDER_TRY_LATER: return OCSP_SITUATION_STAPLE_UNUSABLE;
    default: return OCSP_SITUATION_STAPLE_INVALID;
    }
}

/* The two answers say the same, field by field (not memcmp: the structure has padding). */
static bool same_answer(const ocsp_answer *a, const ocsp_answer *b) {
    return a->status == b->status && a->revocation_reason == b->revocation_reason &&
           a->revocation_time == b->revocation_time && a->this_update == b->this_update &&
           a->next_update == b->next_update && a->produced_at == b->produced_at &&
           a->responder == b->responder && a->has_next_update == b->has_next_update &&
           a->error_limit == b->error_limit;
}

static void check_answer(const struct vector *v, ocsp_result result, const ocsp_answer *answer,
                         const char *form) {
    char what[256];
    snprintf(what, sizeof what, "%s (issuer as %s)", v->name, form);
    CHECK_RESULT(result, v->result, what);
    CHECK(answer->status == v->status, "%s: status %u, want %u", what, (unsigned)answer->status,
          (unsigned)v->status);
    CHECK(answer->error_limit == v->error_limit, "%s: error_limit %llu, want %llu", what,
          (unsigned long long)answer->error_limit, (unsigned long long)v->error_limit);
    if (v->check_revocation) {
        CHECK(answer->revocation_time == v->revocation_time &&
                  answer->revocation_reason == v->revocation_reason,
              "%s: revoked at %llu (reason %d), want %llu (reason %d)", what,
              (unsigned long long)answer->revocation_time, (int)answer->revocation_reason,
              (unsigned long long)v->revocation_time, (int)v->revocation_reason);
    }
    if (result == OCSP_RESULT_OK) {
        CHECK(answer->this_update > 0 && answer->produced_at > 0 &&
                  answer->responder != OCSP_RESPONDER_NONE &&
                  (answer->has_next_update ? answer->next_update >= answer->this_update
                                           : answer->next_update == 0),
              "%s: an answer with thisUpdate %llu, producedAt %llu, nextUpdate %llu (%d)", what,
              (unsigned long long)answer->this_update, (unsigned long long)answer->produced_at,
              (unsigned long long)answer->next_update, (int)answer->has_next_update);
        if (v->responder != OCSP_RESPONDER_NONE) {
            CHECK(answer->responder == v->responder, "%s: responder %u, want %u", what,
                  (unsigned)answer->responder, (unsigned)v->responder);
        }
    } else {
        CHECK(answer->responder == OCSP_RESPONDER_NONE && answer->this_update == 0,
              "%s: a refusal that reads as an answer", what);
    }
}

unsigned long run_vectors(const char *root) {
    unsigned long cases = 0;
    size_t i, t;
    for (i = 0; i < VECTOR_COUNT; i++) {
        const struct vector *v = &VECTORS[i];
        struct bytes response = read_file(root, v->response);
        struct bytes certificate = read_file(root, v->certificate);
        struct bytes issuer_der = read_file(root, v->issuer);
        struct bytes trusted_der[2] = {{NULL, 0}, {NULL, 0}};
        ocsp_buffer trusted[2];
        size_t trusted_count = 0;
        uint8_t nonce[128];
        size_t nonce_len = 0;
        ocsp_options options;
        ocsp_issuer issuer = {0}, anchor;
        ocsp_answer answer, answer_from_anchor;
        ocsp_decision decision;
        ocsp_result result;

        for (t = 0; t < 2 && v->trusted[t] != NULL; t++) {
            trusted_der[t] = read_file(root, v->trusted[t]);
            trusted[t].data = trusted_der[t].data;
            trusted[t].len = trusted_der[t].len;
            trusted_count++;
        }
        if (v->nonce_hex != NULL) {
            nonce_len = from_hex(v->nonce_hex, nonce, sizeof nonce);
        }
        CHECK_RESULT(ocsp_options_default(&options), OCSP_RESULT_OK, "ocsp_options_default");
        options.clock_skew = v->clock_skew;
        options.max_age = v->max_age;
        options.max_age_without_next_update = v->max_age_without_next_update;
        options.max_lifetime = v->max_lifetime;
        options.max_response_len = v->max_response_len;
        options.flags = v->allow_legacy_sha1 ? OCSP_OPTION_ALLOW_LEGACY_SHA1 : 0;
        options.trusted_responders = trusted_count > 0 ? trusted : NULL;
        options.trusted_responder_count = trusted_count;

        /* The issuer as its certificate. The answer starts as garbage: every field must be
         * written. */
        issuer.certificate = issuer_der.data;
        issuer.certificate_len = issuer_der.len;
        memset(&answer, 0xA5, sizeof answer);
        result = ocsp_verify(response.data, response.len, certificate.data, certificate.len,
                             &issuer, v->nonce_hex != NULL ? nonce : NULL, nonce_len, v->now,
                             &options, &answer);
        check_answer(v, result, &answer, "certificate");

        /* The issuer as a trust anchor (its subject Name and key, taken out of it): the same
         * verdict, to the field. */
        CHECK_RESULT(ocsp_trust_anchor_from_certificate(issuer_der.data, issuer_der.len, &anchor),
                     OCSP_RESULT_OK, v->issuer);
        memset(&answer_from_anchor, 0x5A, sizeof answer_from_anchor);
        result = ocsp_verify(response.data, response.len, certificate.data, certificate.len,
                             &anchor, v->nonce_hex != NULL ? nonce : NULL, nonce_len, v->now,
                             &options, &answer_from_anchor);
        check_answer(v, result, &answer_from_anchor, "trust anchor");
        CHECK(same_answer(&answer, &answer_from_anchor), "%s: the two issuer forms differ",
              v->name);

        /* ocsp_decide agrees with ocsp_verify (a staple carries no nonce: the cases with one
         * are left out). */
        if (v->nonce_hex == NULL) {
            memset(&decision, 0xA5, sizeof decision);
            CHECK_RESULT(ocsp_decide(OCSP_POLICY_SOFT_FAIL, response.data, response.len,
                                     certificate.data, certificate.len, &issuer, v->now, &options,
                                     &decision),
                         OCSP_RESULT_OK, v->name);
            CHECK(decision.situation == situation_of(v->result, v->status) &&
                      decision.staple_result == v->result &&
                      same_answer(&decision.answer, &answer),
                  "%s: ocsp_decide says situation %u, staple %s", v->name,
                  (unsigned)decision.situation, ocsp_result_name(decision.staple_result));
        }

        /* The policy's decision, where the manifest states it. */
        if (v->has_decision) {
            ocsp_decision soft, hard;
            CHECK_RESULT(ocsp_decide(OCSP_POLICY_SOFT_FAIL, response.data, response.len,
                                     certificate.data, certificate.len, &issuer, v->now, &options,
                                     &soft),
                         OCSP_RESULT_OK, v->name);
            CHECK_RESULT(ocsp_decide(OCSP_POLICY_HARD_FAIL, response.data, response.len,
                                     certificate.data, certificate.len, &issuer, v->now, &options,
                                     &hard),
                         OCSP_RESULT_OK, v->name);
            CHECK(soft.verdict == v->soft_fail && hard.verdict == v->hard_fail &&
                      soft.tls_features == v->tls_features && hard.tls_features == v->tls_features,
                  "%s: soft-fail %u, hard-fail %u, TLS features %u; want %u, %u, %u", v->name,
                  (unsigned)soft.verdict, (unsigned)hard.verdict, (unsigned)soft.tls_features,
                  (unsigned)v->soft_fail, (unsigned)v->hard_fail, (unsigned)v->tls_features);
        }

        free_bytes(response);
        free_bytes(certificate);
        free_bytes(issuer_der);
        for (t = 0; t < trusted_count; t++) {
            free_bytes(trusted_der[t]);
        }
        cases++;
    }
    return cases;
}
