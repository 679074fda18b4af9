/* A host tool: takes the trust anchor (subject Name and SubjectPublicKeyInfo, whole DER) out
 * of a CA certificate with the library's own parser, for the firmware to embed instead of the
 * certificate. Linked with the host build of the library.
 *
 *     anchor CA.der NAME.der SPKI.der */

#include <stdio.h>
#include <stdlib.h>

#include "ocsp_verify.h"

static int write_file(const char *path, const uint8_t *data, size_t len) {
    FILE *file = fopen(path, "wb");
    if (file == NULL || fwrite(data, 1, len, file) != len || fclose(file) != 0) {
        fprintf(stderr, "anchor: cannot write %s\n", path);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv) {
    static uint8_t certificate[16384];
    size_t len;
    ocsp_issuer anchor;
    ocsp_result result;
    FILE *file;
    if (argc != 4) {
        fprintf(stderr, "usage: %s CA.der NAME.der SPKI.der\n", argv[0]);
        return 2;
    }
    file = fopen(argv[1], "rb");
    if (file == NULL) {
        fprintf(stderr, "anchor: cannot read %s\n", argv[1]);
        return 1;
    }
    len = fread(certificate, 1, sizeof certificate, file);
    fclose(file);
    result = ocsp_trust_anchor_from_certificate(certificate, len, &anchor);
    if (result != OCSP_RESULT_OK) {
        fprintf(stderr, "anchor: %s: %s\n", argv[1], ocsp_result_message(result));
        return 1;
    }
    return write_file(argv[2], anchor.subject, anchor.subject_len) ||
           write_file(argv[3], anchor.subject_public_key_info, anchor.subject_public_key_info_len);
}
