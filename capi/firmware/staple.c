/* Everything that calls the ocsp-verify C library: the verification and the four cases. The
 * harness (main.c) only sees plain values, so that baseline.c, the same functions without the
 * library, links the same harness: the size difference between the two images is the
 * library's part (with this file's few lines of C). */

#include <string.h>

#include "firmware.h"
#include "ocsp_verify.h"

/* Verifies `staple` for the device's certificate against its trust anchor (the CA's name and
 * key, not its certificate) at `now`, from the device's trustworthy clock. A staple carries
 * no nonce; NULL options are the library's defaults. The lines firmware writes. */
static ocsp_result __attribute__((noinline))
verify_staple(const uint8_t *staple, size_t staple_len, uint64_t now, ocsp_answer *answer) {
    const ocsp_issuer anchor = {
        .subject = ISSUER_NAME,
        .subject_len = ISSUER_NAME_LEN,
        .subject_public_key_info = ISSUER_SPKI,
        .subject_public_key_info_len = ISSUER_SPKI_LEN,
    };
    return ocsp_verify(staple, staple_len, CERT, CERT_LEN, &anchor, NULL, 0, now, NULL, answer);
}

/* The measured workload: one verification of the good staple at the fixed clock. */
bool __attribute__((noinline)) verify_once(void) {
    ocsp_answer answer;
    const uint8_t *staple = STAPLE;
    BLACK_BOX(staple);
    return verify_staple(staple, STAPLE_LEN, NOW, &answer) == OCSP_RESULT_OK &&
           answer.status == OCSP_CERT_STATUS_GOOD;
}

/* `good`, `revoked` or `unknown` for a verified answer, or the result's stable name. */
static const char *outcome(ocsp_result result, const ocsp_answer *answer) {
    if (result != OCSP_RESULT_OK) {
        return ocsp_result_name(result);
    }
    switch (answer->status) {
    case OCSP_CERT_STATUS_GOOD: return "good";
    case OCSP_CERT_STATUS_REVOKED: return "revoked";
    case OCSP_CERT_STATUS_UNKNOWN: return "unknown";
    default: return "none";
    }
}

/* Where the last byte of the response's signature is in `staple`, or -1: the path below,
 * element by element, entering (1) or stepping over (0) each; short lengths and long ones of
 * one or two octets (a staple is far below 64 KiB). */
static const uint8_t SIGNATURE_PATH[][2] = {
    {0x30, 1}, /* OCSPResponse */
    {0x0a, 0}, /*   responseStatus */
    {0xa0, 1}, /*   [0] EXPLICIT */
    {0x30, 1}, /*     ResponseBytes */
    {0x06, 0}, /*       responseType */
    {0x04, 1}, /*       response OCTET STRING */
    {0x30, 1}, /*         BasicOCSPResponse */
    {0x30, 0}, /*           tbsResponseData */
    {0x30, 0}, /*           signatureAlgorithm */
    {0x03, 1}, /*           signature BIT STRING */
};

static long signature_last_byte(const uint8_t *staple, size_t staple_len) {
    const uint8_t *at = staple, *end = staple + staple_len;
    for (size_t step = 0; step < sizeof SIGNATURE_PATH / sizeof SIGNATURE_PATH[0]; step++) {
        size_t len;
        if (end - at < 2 || at[0] != SIGNATURE_PATH[step][0]) return -1;
        len = at[1];
        at += 2;
        if (len == 0x81 || len == 0x82) {
            size_t octets = len & 0x7f;
            if ((size_t)(end - at) < octets) return -1;
            for (len = 0; octets > 0; octets--) len = len << 8 | *at++;
        } else if (len > 0x7f) {
            return -1;
        }
        if ((size_t)(end - at) < len) return -1;
        if (SIGNATURE_PATH[step][1]) {
            end = at + len;
        } else {
            at += len;
        }
    }
    return end > at ? (long)(end - 1 - staple) : -1;
}

/* A copy of the staple to tamper with (RAM; the staple itself is in flash). */
static uint8_t tampered[2048];

/* The four cases: the staple at the fixed clock (good, with the nextUpdate it carries); one
 * bit of its signature flipped (refused as an invalid signature, not as malformed DER or some
 * other refusal); exactly nextUpdate + skew (still good: the bound is inclusive); one second
 * later (expired, and the answer names the limit missed: nextUpdate). */
static const struct {
    const char *name;
    const char *expected;
    uint64_t now;
    bool tamper;
    ocsp_result result;
    ocsp_cert_status status;
} CASES[4] = {
    {"good-staple", "good", NOW, false, OCSP_RESULT_OK, OCSP_CERT_STATUS_GOOD},
    {"tampered-signature", "invalid_signature", NOW, true, OCSP_RESULT_INVALID_SIGNATURE,
     OCSP_CERT_STATUS_NONE},
    {"skew-edge", "good", NEXT_UPDATE + SKEW, false, OCSP_RESULT_OK, OCSP_CERT_STATUS_GOOD},
    {"expired-clock", "response_expired", NEXT_UPDATE + SKEW + 1, false,
     OCSP_RESULT_RESPONSE_EXPIRED, OCSP_CERT_STATUS_NONE},
};

void verdicts(struct verdict out[4]) {
    for (size_t i = 0; i < 4; i++) {
        const uint8_t *staple = STAPLE;
        ocsp_answer answer;
        ocsp_result result;
        out[i].name = CASES[i].name;
        out[i].expected = CASES[i].expected;
        if (CASES[i].tamper) {
            long at = signature_last_byte(STAPLE, STAPLE_LEN);
            if (at < 0 || STAPLE_LEN > sizeof tampered) {
                out[i].got = "signature-not-found";
                out[i].ok = false;
                continue;
            }
            memcpy(tampered, STAPLE, STAPLE_LEN);
            tampered[at] ^= 0x01;
            staple = tampered;
        }
        result = verify_staple(staple, STAPLE_LEN, CASES[i].now, &answer);
        out[i].got = outcome(result, &answer);
        /* Exactly the expected outcome: the result, the status, and the one time involved. */
        out[i].ok = result == CASES[i].result && answer.status == CASES[i].status &&
                    (result != OCSP_RESULT_OK ||
                     (answer.has_next_update && answer.next_update == NEXT_UPDATE)) &&
                    (result != OCSP_RESULT_RESPONSE_EXPIRED || answer.error_limit == NEXT_UPDATE);
    }
}
