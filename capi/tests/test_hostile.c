/* Hostile calls: NULL pointers, zero and impossible lengths, every prefix of a good response
 * and certificate, buffers one byte short, overlapping buffers, unknown flags, garbage in the
 * output structures, every result code's name and message, and the heap: none on the ECDSA
 * path, every block freed on the RSA one. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define NOW 1767229200u /* 2026-01-01T01:00:00Z: the generated vectors' time */

struct fixture {
    struct bytes response; /* good-p256-ca: ECDSA P-256, no heap */
    struct bytes certificate;
    struct bytes issuer_der;
    ocsp_issuer issuer;
};

static struct fixture load(const char *root, const char *response, const char *certificate,
                           const char *issuer) {
    struct fixture f;
    f.response = read_file(root, response);
    f.certificate = read_file(root, certificate);
    f.issuer_der = read_file(root, issuer);
    memset(&f.issuer, 0, sizeof f.issuer);
    f.issuer.certificate = f.issuer_der.data;
    f.issuer.certificate_len = f.issuer_der.len;
    return f;
}

static void unload(struct fixture f) {
    free_bytes(f.response);
    free_bytes(f.certificate);
    free_bytes(f.issuer_der);
}

static ocsp_result verify(const struct fixture *f, const uint8_t *response, size_t response_len,
                          ocsp_answer *answer) {
    return ocsp_verify(response, response_len, f->certificate.data, f->certificate.len,
                       &f->issuer, NULL, 0, NOW, NULL, answer);
}

/* Every NULL a caller can pass where a value is needed, function by function. */
static unsigned long null_pointers(const struct fixture *f) {
    const uint8_t *r = f->response.data, *c = f->certificate.data;
    size_t rl = f->response.len, cl = f->certificate.len;
    const uint8_t nonce[4] = {1, 2, 3, 4};
    ocsp_answer answer;
    ocsp_decision decision;
    ocsp_issuer anchor, both = f->issuer;
    ocsp_options options;
    uint8_t out[512];
    char url[512];
    size_t written;

    CHECK_RESULT(ocsp_verify(NULL, rl, c, cl, &f->issuer, NULL, 0, NOW, NULL, &answer),
                 OCSP_RESULT_NULL_POINTER, "verify: NULL response");
    CHECK_RESULT(ocsp_verify(NULL, 0, c, cl, &f->issuer, NULL, 0, NOW, NULL, &answer),
                 OCSP_RESULT_NULL_POINTER, "verify: NULL response of length 0");
    CHECK_RESULT(ocsp_verify(r, rl, NULL, cl, &f->issuer, NULL, 0, NOW, NULL, &answer),
                 OCSP_RESULT_NULL_POINTER, "verify: NULL certificate");
    CHECK_RESULT(ocsp_verify(r, rl, c, cl, NULL, NULL, 0, NOW, NULL, &answer),
                 OCSP_RESULT_NULL_POINTER, "verify: NULL issuer");
    CHECK_RESULT(ocsp_verify(r, rl, c, cl, &f->issuer, NULL, 4, NOW, NULL, &answer),
                 OCSP_RESULT_NULL_POINTER, "verify: NULL nonce with a length");
    CHECK_RESULT(ocsp_verify(r, rl, c, cl, &f->issuer, NULL, 0, NOW, NULL, NULL),
                 OCSP_RESULT_NULL_POINTER, "verify: NULL answer");
    CHECK_RESULT(ocsp_verify(r, rl, c, cl, &f->issuer, nonce, 0, NOW, NULL, &answer),
                 OCSP_RESULT_INVALID_NONCE_LENGTH, "verify: a nonce of length 0");

    /* The issuer's own buffers: NULL with a length, both forms, neither. */
    anchor = f->issuer;
    anchor.certificate = NULL;
    CHECK_RESULT(ocsp_verify(r, rl, c, cl, &anchor, NULL, 0, NOW, NULL, &answer),
                 OCSP_RESULT_NULL_POINTER, "verify: issuer certificate NULL with a length");
    CHECK_RESULT(ocsp_trust_anchor_from_certificate(f->issuer_der.data, f->issuer_der.len,
                                                    &anchor),
                 OCSP_RESULT_OK, "trust anchor");
    both.subject = anchor.subject;
    both.subject_len = anchor.subject_len;
    both.subject_public_key_info = anchor.subject_public_key_info;
    both.subject_public_key_info_len = anchor.subject_public_key_info_len;
    CHECK_RESULT(ocsp_verify(r, rl, c, cl, &both, NULL, 0, NOW, NULL, &answer),
                 OCSP_RESULT_INVALID_ARGUMENT, "verify: issuer in both forms");
    anchor.subject_public_key_info = NULL;
    anchor.subject_public_key_info_len = 0;
    CHECK_RESULT(ocsp_verify(r, rl, c, cl, &anchor, NULL, 0, NOW, NULL, &answer),
                 OCSP_RESULT_INVALID_ARGUMENT, "verify: a trust anchor without its key");
    memset(&anchor, 0, sizeof anchor);
    CHECK_RESULT(ocsp_verify(r, rl, c, cl, &anchor, NULL, 0, NOW, NULL, &answer),
                 OCSP_RESULT_INVALID_ARGUMENT, "verify: an issuer in neither form");

    /* Options: trusted responders NULL with a count, too many. */
    ocsp_options_default(&options);
    options.trusted_responder_count = 1;
    CHECK_RESULT(ocsp_verify(r, rl, c, cl, &f->issuer, NULL, 0, NOW, &options, &answer),
                 OCSP_RESULT_NULL_POINTER, "verify: trusted responders NULL with a count");
    options.trusted_responder_count = OCSP_MAX_TRUSTED_RESPONDERS + 1;
    CHECK_RESULT(ocsp_verify(r, rl, c, cl, &f->issuer, NULL, 0, NOW, &options, &answer),
                 OCSP_RESULT_INVALID_ARGUMENT, "verify: too many trusted responders");
    CHECK_RESULT(ocsp_options_default(NULL), OCSP_RESULT_NULL_POINTER, "options_default: NULL");

    CHECK_RESULT(ocsp_trust_anchor_from_certificate(NULL, 10, &anchor), OCSP_RESULT_NULL_POINTER,
                 "trust anchor: NULL certificate");
    CHECK(anchor.subject == NULL && anchor.subject_public_key_info == NULL,
          "trust anchor: a failure leaves pointers");
    CHECK_RESULT(ocsp_trust_anchor_from_certificate(c, cl, NULL), OCSP_RESULT_NULL_POINTER,
                 "trust anchor: NULL anchor");

    CHECK_RESULT(ocsp_decide(OCSP_POLICY_HARD_FAIL, r, rl, c, cl, &f->issuer, NOW, NULL, NULL),
                 OCSP_RESULT_NULL_POINTER, "decide: NULL decision");
    CHECK_RESULT(ocsp_decide(OCSP_POLICY_HARD_FAIL, NULL, rl, c, cl, &f->issuer, NOW, NULL,
                             &decision),
                 OCSP_RESULT_NULL_POINTER, "decide: NULL staple with a length");
    CHECK(decision.verdict == OCSP_VERDICT_REJECT && decision.situation == OCSP_SITUATION_NONE,
          "decide: a failed call must reject");
    CHECK_RESULT(ocsp_decide(OCSP_POLICY_HARD_FAIL, r, rl, NULL, cl, &f->issuer, NOW, NULL,
                             &decision),
                 OCSP_RESULT_NULL_POINTER, "decide: NULL certificate");
    CHECK_RESULT(ocsp_decide(OCSP_POLICY_HARD_FAIL, r, rl, c, cl, NULL, NOW, NULL, &decision),
                 OCSP_RESULT_NULL_POINTER, "decide: NULL issuer");

    CHECK_RESULT(ocsp_request_encode(NULL, cl, &f->issuer, OCSP_HASH_ALGORITHM_SHA1, NULL, 0, out,
                                     sizeof out, &written),
                 OCSP_RESULT_NULL_POINTER, "encode: NULL certificate");
    CHECK(written == 0, "encode: a failure reports length %zu", written);
    CHECK_RESULT(ocsp_request_encode(c, cl, NULL, OCSP_HASH_ALGORITHM_SHA1, NULL, 0, out,
                                     sizeof out, &written),
                 OCSP_RESULT_NULL_POINTER, "encode: NULL issuer");
    CHECK_RESULT(ocsp_request_encode(c, cl, &f->issuer, OCSP_HASH_ALGORITHM_SHA1, NULL, 0, NULL,
                                     sizeof out, &written),
                 OCSP_RESULT_NULL_POINTER, "encode: NULL output with a size");
    CHECK_RESULT(ocsp_request_encode(c, cl, &f->issuer, OCSP_HASH_ALGORITHM_SHA1, NULL, 0, out,
                                     sizeof out, NULL),
                 OCSP_RESULT_NULL_POINTER, "encode: NULL written");
    CHECK_RESULT(ocsp_request_encode(c, cl, &f->issuer, OCSP_HASH_ALGORITHM_SHA1, NULL, 3, out,
                                     sizeof out, &written),
                 OCSP_RESULT_NULL_POINTER, "encode: NULL nonce with a length");

    CHECK_RESULT(ocsp_request_get_url(NULL, 5, out, 5, url, sizeof url, &written),
                 OCSP_RESULT_NULL_POINTER, "get_url: NULL URL");
    CHECK_RESULT(ocsp_request_get_url("http://a", 8, NULL, 5, url, sizeof url, &written),
                 OCSP_RESULT_NULL_POINTER, "get_url: NULL request");
    CHECK_RESULT(ocsp_request_get_url("http://a", 8, out, 5, NULL, sizeof url, &written),
                 OCSP_RESULT_NULL_POINTER, "get_url: NULL output with a size");
    CHECK_RESULT(ocsp_request_get_url("http://a", 8, out, 5, url, sizeof url, NULL),
                 OCSP_RESULT_NULL_POINTER, "get_url: NULL length");
    return 1;
}

/* Lengths Rust may not turn into a slice, and lengths of 0. */
static unsigned long bad_lengths(const struct fixture *f) {
    const uint8_t *r = f->response.data, *c = f->certificate.data;
    size_t rl = f->response.len, cl = f->certificate.len;
    const size_t huge = (size_t)PTRDIFF_MAX + 1;
    const uint8_t *near_end = (const uint8_t *)(uintptr_t)(UINTPTR_MAX - 15);
    ocsp_answer answer;
    uint8_t out[8];
    size_t written;

    CHECK_RESULT(ocsp_verify(r, huge, c, cl, &f->issuer, NULL, 0, NOW, NULL, &answer),
                 OCSP_RESULT_INVALID_ARGUMENT, "verify: a length over PTRDIFF_MAX");
    CHECK_RESULT(ocsp_verify(r, SIZE_MAX, c, cl, &f->issuer, NULL, 0, NOW, NULL, &answer),
                 OCSP_RESULT_INVALID_ARGUMENT, "verify: SIZE_MAX");
    CHECK_RESULT(ocsp_verify(near_end, 64, c, cl, &f->issuer, NULL, 0, NOW, NULL, &answer),
                 OCSP_RESULT_INVALID_ARGUMENT, "verify: a range past the address space");
    CHECK_RESULT(ocsp_verify(r, rl, c, huge, &f->issuer, NULL, 0, NOW, NULL, &answer),
                 OCSP_RESULT_INVALID_ARGUMENT, "verify: a certificate over PTRDIFF_MAX");
    CHECK_RESULT(ocsp_request_encode(c, cl, &f->issuer, OCSP_HASH_ALGORITHM_SHA1, NULL, 0, out,
                                     huge, &written),
                 OCSP_RESULT_INVALID_ARGUMENT, "encode: an output over PTRDIFF_MAX");

    /* Length 0 with a pointer: an empty input, malformed. */
    CHECK_RESULT(ocsp_verify(r, 0, c, cl, &f->issuer, NULL, 0, NOW, NULL, &answer),
                 OCSP_RESULT_BAD_DER, "verify: an empty response");
    CHECK_RESULT(ocsp_verify(r, rl, c, 0, &f->issuer, NULL, 0, NOW, NULL, &answer),
                 OCSP_RESULT_BAD_DER, "verify: an empty certificate");
    return 1;
}

/* Every prefix of a good response, certificate and issuer, each in a buffer of exactly its
 * length: each is refused as malformed DER, and AddressSanitizer sees no read past it. */
static unsigned long truncations(const struct fixture *f) {
    unsigned long cases = 0;
    size_t len;
    ocsp_answer answer;
    for (len = 0; len < f->response.len; len++) {
        uint8_t *prefix = copy_exact(f->response.data, len);
        char what[64];
        snprintf(what, sizeof what, "response prefix of %zu bytes", len);
        CHECK_RESULT(verify(f, prefix, len, &answer), OCSP_RESULT_BAD_DER, what);
        free(prefix);
        cases++;
    }
    for (len = 0; len < f->certificate.len; len++) {
        uint8_t *prefix = copy_exact(f->certificate.data, len);
        char what[64];
        snprintf(what, sizeof what, "certificate prefix of %zu bytes", len);
        CHECK_RESULT(ocsp_verify(f->response.data, f->response.len, prefix, len, &f->issuer,
                                 NULL, 0, NOW, NULL, &answer),
                     OCSP_RESULT_BAD_DER, what);
        free(prefix);
        cases++;
    }
    for (len = 0; len < f->issuer_der.len; len++) {
        uint8_t *prefix = copy_exact(f->issuer_der.data, len);
        ocsp_issuer issuer = {0};
        char what[64];
        issuer.certificate = prefix;
        issuer.certificate_len = len;
        snprintf(what, sizeof what, "issuer prefix of %zu bytes", len);
        CHECK_RESULT(ocsp_verify(f->response.data, f->response.len, f->certificate.data,
                                 f->certificate.len, &issuer, NULL, 0, NOW, NULL, &answer),
                     OCSP_RESULT_BAD_DER, what);
        free(prefix);
        cases++;
    }
    return cases;
}

/* A trust anchor whose encodings are cut, padded or mislabelled. */
static unsigned long broken_anchors(const struct fixture *f) {
    ocsp_issuer anchor;
    ocsp_answer answer;
    uint8_t *subject, *longer;
    size_t len;
    CHECK_RESULT(ocsp_trust_anchor_from_certificate(f->issuer_der.data, f->issuer_der.len,
                                                    &anchor),
                 OCSP_RESULT_OK, "trust anchor");
    CHECK(anchor.certificate == NULL && anchor.certificate_len == 0 &&
              anchor.subject > f->issuer_der.data &&
              anchor.subject_public_key_info > anchor.subject &&
              anchor.subject_public_key_info + anchor.subject_public_key_info_len <=
                  f->issuer_der.data + f->issuer_der.len &&
              anchor.subject[0] == 0x30 && anchor.subject_public_key_info[0] == 0x30,
          "trust anchor: the two encodings lie inside the certificate");
    CHECK_RESULT(ocsp_verify(f->response.data, f->response.len, f->certificate.data,
                             f->certificate.len, &anchor, NULL, 0, NOW, NULL, &answer),
                 OCSP_RESULT_OK, "verify with the trust anchor");
    CHECK(answer.status == OCSP_CERT_STATUS_GOOD, "verify with the trust anchor: not good");

    len = anchor.subject_len;
    subject = copy_exact(anchor.subject, len);
    anchor.subject = subject;
    anchor.subject_len = len - 1;
    CHECK_RESULT(ocsp_verify(f->response.data, f->response.len, f->certificate.data,
                             f->certificate.len, &anchor, NULL, 0, NOW, NULL, &answer),
                 OCSP_RESULT_BAD_DER, "a subject one byte short");
    longer = malloc(len + 1);
    memcpy(longer, subject, len);
    longer[len] = 0;
    anchor.subject = longer;
    anchor.subject_len = len + 1;
    CHECK_RESULT(ocsp_verify(f->response.data, f->response.len, f->certificate.data,
                             f->certificate.len, &anchor, NULL, 0, NOW, NULL, &answer),
                 OCSP_RESULT_TRAILING_DATA, "a subject with a byte after it");
    subject[0] = 0x31;
    anchor.subject = subject;
    anchor.subject_len = len;
    CHECK_RESULT(ocsp_verify(f->response.data, f->response.len, f->certificate.data,
                             f->certificate.len, &anchor, NULL, 0, NOW, NULL, &answer),
                 OCSP_RESULT_BAD_DER, "a subject that is a SET");
    free(subject);
    free(longer);
    return 3;
}

/* The request and its GET URL, into buffers of exactly the size needed and one byte short. */
static unsigned long short_buffers(const struct fixture *f) {
    const uint8_t nonce[16] = {0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a, 0x69, 0x78,
                               0x87, 0x96, 0xa5, 0xb4, 0xc3, 0xd2, 0xe1, 0xf0};
    const uint8_t tiny_request[5] = {0x30, 0x03, 0xfb, 0xff, 0x01};
    const char *responder = "http://ocsp.example";
    const char *expected_url = "http://ocsp.example/MAP7%2FwE%3D";
    size_t needed = 0, written = 0, url_needed = 0, url_len = 0;
    uint8_t *request, *short_request;
    char *url;
    ocsp_result result;

    /* The length query: NULL output of size 0. */
    result = ocsp_request_encode(f->certificate.data, f->certificate.len, &f->issuer,
                                 OCSP_HASH_ALGORITHM_SHA256, nonce, sizeof nonce, NULL, 0, &needed);
    CHECK_RESULT(result, OCSP_RESULT_BUFFER_TOO_SMALL, "encode: length query");
    CHECK(needed > 100 && needed < 200, "encode: %zu bytes needed", needed);

    short_request = malloc(needed - 1);
    result = ocsp_request_encode(f->certificate.data, f->certificate.len, &f->issuer,
                                 OCSP_HASH_ALGORITHM_SHA256, nonce, sizeof nonce, short_request,
                                 needed - 1, &written);
    CHECK_RESULT(result, OCSP_RESULT_BUFFER_TOO_SMALL, "encode: one byte short");
    CHECK(written == needed, "encode: one byte short reports %zu, want %zu", written, needed);
    free(short_request);

    request = malloc(needed);
    result = ocsp_request_encode(f->certificate.data, f->certificate.len, &f->issuer,
                                 OCSP_HASH_ALGORITHM_SHA256, nonce, sizeof nonce, request, needed,
                                 &written);
    CHECK_RESULT(result, OCSP_RESULT_OK, "encode: exact size");
    CHECK(written == needed && request[0] == 0x30, "encode: wrote %zu bytes", written);

    /* Wrong arguments of the request. */
    CHECK_RESULT(ocsp_request_encode(f->certificate.data, f->certificate.len, &f->issuer, 0,
                                     NULL, 0, request, needed, &written),
                 OCSP_RESULT_INVALID_ARGUMENT, "encode: hash algorithm 0");
    CHECK_RESULT(ocsp_request_encode(f->certificate.data, f->certificate.len, &f->issuer,
                                     OCSP_HASH_ALGORITHM_SHA1, nonce, 0, request, needed,
                                     &written),
                 OCSP_RESULT_INVALID_NONCE_LENGTH, "encode: an empty nonce");
    CHECK_RESULT(ocsp_request_encode(f->certificate.data, f->certificate.len,
                                     &(ocsp_issuer){.certificate = f->certificate.data,
                                                    .certificate_len = f->certificate.len},
                                     OCSP_HASH_ALGORITHM_SHA1, NULL, 0, request, needed, &written),
                 OCSP_RESULT_ISSUER_NAME_MISMATCH, "encode: the wrong issuer");
    /* An output that overlaps an input. */
    CHECK_RESULT(ocsp_request_encode(f->certificate.data, f->certificate.len, &f->issuer,
                                     OCSP_HASH_ALGORITHM_SHA1, NULL, 0,
                                     (uint8_t *)f->certificate.data + 10, 50, &written),
                 OCSP_RESULT_INVALID_ARGUMENT, "encode: output inside the certificate");

    /* The GET URL: a known answer, then the real request. */
    url = malloc(strlen(expected_url) + 1);
    result = ocsp_request_get_url(responder, strlen(responder), tiny_request, sizeof tiny_request,
                                  url, strlen(expected_url) + 1, &url_len);
    CHECK_RESULT(result, OCSP_RESULT_OK, "get_url: known answer");
    CHECK(url_len == strlen(expected_url) && strcmp(url, expected_url) == 0,
          "get_url: %s, want %s", url, expected_url);
    result = ocsp_request_get_url(responder, strlen(responder), tiny_request, sizeof tiny_request,
                                  url, strlen(expected_url), &url_len);
    CHECK_RESULT(result, OCSP_RESULT_BUFFER_TOO_SMALL, "get_url: no room for the NUL");
    CHECK(url_len == strlen(expected_url) + 1, "get_url: needs %zu", url_len);
    CHECK_RESULT(ocsp_request_get_url("http://\xff", 8, tiny_request, sizeof tiny_request, url,
                                      strlen(expected_url) + 1, &url_len),
                 OCSP_RESULT_INVALID_ARGUMENT, "get_url: a URL that is not UTF-8");
    free(url);

    CHECK_RESULT(ocsp_request_get_url(responder, strlen(responder), request, needed, NULL, 0,
                                      &url_needed),
                 OCSP_RESULT_BUFFER_TOO_SMALL, "get_url: length query");
    url = malloc(url_needed - 1);
    CHECK_RESULT(ocsp_request_get_url(responder, strlen(responder), request, needed, url,
                                      url_needed - 1, &url_len),
                 OCSP_RESULT_BUFFER_TOO_SMALL, "get_url: one byte short");
    free(url);
    url = malloc(url_needed);
    CHECK_RESULT(ocsp_request_get_url(responder, strlen(responder), request, needed, url,
                                      url_needed, &url_len),
                 OCSP_RESULT_OK, "get_url: exact size");
    CHECK(url_len + 1 == url_needed && strlen(url) == url_len &&
              strncmp(url, "http://ocsp.example/MI", 22) == 0,
          "get_url: %s", url);
    free(url);
    free(request);
    return 4;
}

/* Flags, policy bits and constants C may get wrong. */
static unsigned long bad_flags(const struct fixture *f) {
    ocsp_options options;
    ocsp_answer answer;
    ocsp_decision decision;
    const uint8_t *r = f->response.data, *c = f->certificate.data;
    size_t rl = f->response.len, cl = f->certificate.len;

    ocsp_options_default(&options);
    options.flags = 1u << 31;
    CHECK_RESULT(ocsp_verify(r, rl, c, cl, &f->issuer, NULL, 0, NOW, &options, &answer),
                 OCSP_RESULT_INVALID_ARGUMENT, "verify: an unknown option flag");
    CHECK_RESULT(ocsp_decide(OCSP_POLICY_SOFT_FAIL, NULL, 0, c, cl, &f->issuer, NOW, &options,
                             &decision),
                 OCSP_RESULT_INVALID_ARGUMENT, "decide: an unknown option flag, no staple");
    CHECK_RESULT(ocsp_decide(1u << 20, r, rl, c, cl, &f->issuer, NOW, NULL, &decision),
                 OCSP_RESULT_INVALID_ARGUMENT, "decide: an unknown policy bit");
    CHECK_RESULT(ocsp_decide(OCSP_POLICY_NO_STAPLE_REJECTED |
                                 OCSP_POLICY_DANGEROUS_NO_STAPLE_ACCEPTED,
                             r, rl, c, cl, &f->issuer, NOW, NULL, &decision),
                 OCSP_RESULT_INVALID_ARGUMENT, "decide: contradicting policy bits");

    ocsp_options_default(&options);
    options.max_response_len = rl - 1;
    CHECK_RESULT(ocsp_verify(r, rl, c, cl, &f->issuer, NULL, 0, NOW, &options, &answer),
                 OCSP_RESULT_RESPONSE_TOO_LARGE, "verify: a response over the size cap");

    /* No staple: soft-fail accepts, hard-fail rejects, and a length of 0 is no staple. */
    CHECK_RESULT(ocsp_decide(OCSP_POLICY_SOFT_FAIL, NULL, 0, c, cl, &f->issuer, NOW, NULL,
                             &decision),
                 OCSP_RESULT_OK, "decide: no staple");
    CHECK(decision.verdict == OCSP_VERDICT_ACCEPT && decision.situation == OCSP_SITUATION_NO_STAPLE,
          "decide: soft-fail on no staple");
    CHECK_RESULT(ocsp_decide(OCSP_POLICY_HARD_FAIL, r, 0, c, cl, &f->issuer, NOW, NULL, &decision),
                 OCSP_RESULT_OK, "decide: an empty staple");
    CHECK(decision.verdict == OCSP_VERDICT_REJECT && decision.situation == OCSP_SITUATION_NO_STAPLE,
          "decide: hard-fail on an empty staple");
    /* A stale staple: soft-fail as if absent, unless the override rejects it. */
    CHECK_RESULT(ocsp_decide(OCSP_POLICY_SOFT_FAIL, r, rl, c, cl, &f->issuer, NOW + 30 * 86400u,
                             NULL, &decision),
                 OCSP_RESULT_OK, "decide: a stale staple");
    CHECK(decision.verdict == OCSP_VERDICT_ACCEPT &&
              decision.situation == OCSP_SITUATION_STAPLE_UNUSABLE &&
              decision.staple_result == OCSP_RESULT_RESPONSE_EXPIRED &&
              decision.answer.error_limit == 1767830400u,
          "decide: soft-fail on a stale staple");
    CHECK_RESULT(ocsp_decide(OCSP_POLICY_SOFT_FAIL | OCSP_POLICY_UNUSABLE_STAPLE_REJECTED, r, rl,
                             c, cl, &f->issuer, NOW + 30 * 86400u, NULL, &decision),
                 OCSP_RESULT_OK, "decide: a stale staple, rejected");
    CHECK(decision.verdict == OCSP_VERDICT_REJECT, "decide: the override");
    /* A certificate that does not parse: an invalid staple, rejected (the adapter's rule). */
    CHECK_RESULT(ocsp_decide(OCSP_POLICY_SOFT_FAIL, NULL, 0, c, 10, &f->issuer, NOW, NULL,
                             &decision),
                 OCSP_RESULT_OK, "decide: a broken certificate");
    CHECK(decision.verdict == OCSP_VERDICT_REJECT &&
              decision.situation == OCSP_SITUATION_STAPLE_INVALID &&
              decision.staple_result == OCSP_RESULT_BAD_DER,
          "decide: a broken certificate is rejected");
    return 5;
}

/* Every result code has a distinct name and a message; numbers outside the enum still give
 * static strings. */
static unsigned long names_and_messages(void) {
    static const int32_t outside[] = {-1, 46, 99, 104, 1000, INT32_MAX, INT32_MIN};
    const char *names[200];
    size_t known = 0, i, j;
    int32_t code;
    for (code = 0; code < 200; code++) {
        const char *name = ocsp_result_name(code);
        const char *message = ocsp_result_message(code);
        CHECK(name != NULL && message != NULL && name[0] != '\0' && message[0] != '\0',
              "code %d: no name or message", (int)code);
        if (strcmp(name, "unknown") != 0) {
            CHECK(strcmp(message, "unknown result code") != 0, "code %d: no message", (int)code);
            names[known++] = name;
        }
    }
    for (i = 0; i < known; i++) {
        for (j = i + 1; j < known; j++) {
            CHECK(strcmp(names[i], names[j]) != 0, "two codes are named %s", names[i]);
        }
    }
    CHECK(known == 50, "%zu named codes, want 50", known);
    CHECK(strcmp(ocsp_result_name(OCSP_RESULT_OK), "ok") == 0 &&
              strcmp(ocsp_result_name(OCSP_RESULT_RESPONSE_EXPIRED), "response_expired") == 0 &&
              strcmp(ocsp_result_name(OCSP_RESULT_RESPONDER_TRY_LATER), "responder_try_later") == 0 &&
              strcmp(ocsp_result_name(OCSP_RESULT_NULL_POINTER), "null_pointer") == 0,
          "names");
    CHECK(strcmp(ocsp_result_message(OCSP_RESULT_INVALID_SIGNATURE),
                 "the response signature does not verify") == 0,
          "a message");
    for (i = 0; i < sizeof outside / sizeof outside[0]; i++) {
        CHECK(strcmp(ocsp_result_name(outside[i]), "unknown") == 0 &&
                  strcmp(ocsp_result_message(outside[i]), "unknown result code") == 0,
              "code %d outside the enum", (int)outside[i]);
    }
    return 1;
}

/* The heap: ECDSA verifies with no allocation; RSA allocates through malloc and frees it all. */
static unsigned long heap(const struct fixture *ecdsa, const struct fixture *rsa) {
#ifdef COUNT_ALLOCATIONS
    unsigned long mallocs, frees;
    ocsp_answer answer;
    mallocs = malloc_calls;
    frees = free_calls;
    CHECK_RESULT(verify(ecdsa, ecdsa->response.data, ecdsa->response.len, &answer), OCSP_RESULT_OK,
                 "ECDSA");
    CHECK(malloc_calls == mallocs && free_calls == frees,
          "ECDSA verification: %lu mallocs, %lu frees, want none", malloc_calls - mallocs,
          free_calls - frees);
    mallocs = malloc_calls;
    frees = free_calls;
    CHECK_RESULT(verify(rsa, rsa->response.data, rsa->response.len, &answer), OCSP_RESULT_OK,
                 "RSA");
    CHECK(malloc_calls > mallocs && malloc_calls - mallocs == free_calls - frees,
          "RSA verification: %lu mallocs, %lu frees, want some and as many", malloc_calls - mallocs,
          free_calls - frees);
    printf("heap: ECDSA verification 0 allocations; RSA verification %lu allocations, all freed\n",
           malloc_calls - mallocs);
    return 2;
#else
    (void)ecdsa;
    (void)rsa;
    return 0;
#endif
}

unsigned long run_hostile(const char *root) {
    unsigned long cases = 0;
    struct fixture ecdsa = load(root, "generated/responses/good-p256-ca.der",
                                "generated/pki/p256-ee.der", "generated/pki/p256-ca.der");
    struct fixture rsa = load(root, "generated/responses/good-rsa-ca.der",
                              "generated/pki/rsa-ee.der", "generated/pki/rsa-ca.der");
    ocsp_answer answer;

    /* The good responses themselves, so that every refusal below is about the change made. */
    memset(&answer, 0xFF, sizeof answer);
    CHECK_RESULT(verify(&ecdsa, ecdsa.response.data, ecdsa.response.len, &answer), OCSP_RESULT_OK,
                 "good-p256-ca");
    CHECK(answer.status == OCSP_CERT_STATUS_GOOD && answer.next_update == 1767830400u,
          "good-p256-ca: good until 2026-01-08");
    memset(&answer, 0xFF, sizeof answer);
    CHECK_RESULT(verify(&rsa, rsa.response.data, rsa.response.len, &answer), OCSP_RESULT_OK,
                 "good-rsa-ca");

    /* A refusal overwrites garbage with "nothing verified". */
    memset(&answer, 0xFF, sizeof answer);
    CHECK_RESULT(verify(&ecdsa, ecdsa.response.data, ecdsa.response.len - 1, &answer),
                 OCSP_RESULT_BAD_DER, "a truncated response");
    CHECK(answer.status == OCSP_CERT_STATUS_NONE && answer.responder == OCSP_RESPONDER_NONE &&
              answer.revocation_reason == OCSP_REVOCATION_REASON_NOT_GIVEN &&
              answer.this_update == 0 && answer.error_limit == 0 && !answer.has_next_update,
          "a refusal leaves no answer");

    cases += null_pointers(&ecdsa);
    cases += bad_lengths(&ecdsa);
    cases += truncations(&ecdsa);
    cases += truncations(&rsa);
    cases += broken_anchors(&ecdsa);
    cases += short_buffers(&ecdsa);
    cases += bad_flags(&ecdsa);
    cases += names_and_messages();
    cases += heap(&ecdsa, &rsa);
    unload(ecdsa);
    unload(rsa);
    return cases;
}
