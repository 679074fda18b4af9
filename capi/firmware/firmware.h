/* The C firmware's shared declarations: what the device carries (data.S), the output
 * (main.c), and the two implementations of the verification side (staple.c with the library,
 * baseline.c without it, linked only to measure the library's share by difference). */
#ifndef FIRMWARE_H
#define FIRMWARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* data.S: the staple, the certificate it is about, and the trust anchor (the CA's subject
 * Name and SubjectPublicKeyInfo, whole DER, taken out of its certificate on the host by
 * anchor.c with the library itself). */
extern const uint8_t STAPLE[];
extern const uint32_t STAPLE_LEN;
extern const uint8_t CERT[];
extern const uint32_t CERT_LEN;
extern const uint8_t ISSUER_NAME[];
extern const uint32_t ISSUER_NAME_LEN;
extern const uint8_t ISSUER_SPKI[];
extern const uint32_t ISSUER_SPKI_LEN;

/* The fixed clock of the good case: 2026-01-01T01:00:00Z, within the staple's validity. */
#define NOW 1767229200u
#define NOW_TEXT "2026-01-01T01:00:00Z"
/* The staple's nextUpdate (2026-01-08T00:00:00Z) and the library's default clock skew. */
#define NEXT_UPDATE 1767830400u
#define SKEW 300u

/* One case's outcome: what the verifier said, what it should have said, and whether that is
 * exactly it. */
struct verdict {
    const char *name;
    const char *got;
    const char *expected;
    bool ok;
};

/* staple.c (or baseline.c): the measured workload, one verification of the good staple; and
 * the four cases. */
bool verify_once(void);
void verdicts(struct verdict out[4]);

/* Keeps `value` alive and opaque to the optimiser, as Rust's core::hint::black_box. */
#define BLACK_BOX(value) __asm__ volatile("" : : "r"(value) : "memory")

#endif
