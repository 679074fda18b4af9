/* A tiny test runner for the C tests of the ocsp-verify C library: checks that count, files
 * read into heap buffers of their exact size (so AddressSanitizer sees any read past them). */
#ifndef CHECK_H
#define CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ocsp_verify.h"

/* Counts every check; prints the failed ones. */
void check(bool ok, const char *file, int line, const char *format, ...);
#define CHECK(condition, ...) check((condition), __FILE__, __LINE__, __VA_ARGS__)

/* A result compared with the expected one, both printed by name when they differ. */
void check_result(ocsp_result got, ocsp_result want, const char *file, int line, const char *what);
#define CHECK_RESULT(got, want, what) check_result((got), (want), __FILE__, __LINE__, (what))

/* How many checks passed and failed so far. */
unsigned long checks_passed(void);
unsigned long checks_failed(void);

/* A file's bytes, in a heap buffer of exactly their length (a 1-byte buffer for an empty
 * file, so that data is never NULL). */
struct bytes {
    uint8_t *data;
    size_t len;
};
struct bytes read_file(const char *root, const char *relative);
/* A copy of `len` bytes in a heap buffer of exactly that length. */
uint8_t *copy_exact(const uint8_t *data, size_t len);
void free_bytes(struct bytes bytes);

/* Calls of malloc and free so far, when the test is linked with --wrap=malloc,--wrap=free
 * (COUNT_ALLOCATIONS defined); else both stay 0. */
extern unsigned long malloc_calls;
extern unsigned long free_calls;

/* The groups of tests; each returns the number of cases it ran. */
unsigned long run_vectors(const char *root);
unsigned long run_hostile(const char *root);

#endif
