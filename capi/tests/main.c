/* The C tests of the ocsp-verify C library: every verification case of the shipped vectors
 * (the table generated from the manifests the Rust tests check) and hostile calls. Run under
 * AddressSanitizer and UndefinedBehaviorSanitizer by .ci/capi.sh:
 *
 *     ./capi-tests test-vectors
 *
 * Exits 0 only if every check passed; prints the counts. */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static unsigned long passed;
static unsigned long failed;

unsigned long malloc_calls;
unsigned long free_calls;

#ifdef COUNT_ALLOCATIONS
void *__real_malloc(size_t size);
void __real_free(void *pointer);
void *__wrap_malloc(size_t size);
void __wrap_free(void *pointer);

void *__wrap_malloc(size_t size) {
    malloc_calls++;
    return __real_malloc(size);
}

void __wrap_free(void *pointer) {
    if (pointer != NULL) {
        free_calls++;
    }
    __real_free(pointer);
}
#endif

void check(bool ok, const char *file, int line, const char *format, ...) {
    va_list arguments;
    if (ok) {
        passed++;
        return;
    }
    failed++;
    fprintf(stderr, "FAIL %s:%d: ", file, line);
    va_start(arguments, format);
    vfprintf(stderr, format, arguments);
    va_end(arguments);
    fputc('\n', stderr);
}

void check_result(ocsp_result got, ocsp_result want, const char *file, int line, const char *what) {
    check(got == want, file, line, "%s: got %s (%d), want %s (%d)", what, ocsp_result_name(got),
          (int)got, ocsp_result_name(want), (int)want);
}

unsigned long checks_passed(void) { return passed; }
unsigned long checks_failed(void) { return failed; }

struct bytes read_file(const char *root, const char *relative) {
    struct bytes bytes = {NULL, 0};
    char path[1024];
    FILE *file;
    long len;
    if ((size_t)snprintf(path, sizeof path, "%s/%s", root, relative) >= sizeof path) {
        fprintf(stderr, "path too long: %s/%s\n", root, relative);
        exit(2);
    }
    file = fopen(path, "rb");
    if (file == NULL || fseek(file, 0, SEEK_END) != 0 || (len = ftell(file)) < 0 ||
        fseek(file, 0, SEEK_SET) != 0) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    bytes.len = (size_t)len;
    bytes.data = malloc(bytes.len > 0 ? bytes.len : 1);
    if (bytes.data == NULL || fread(bytes.data, 1, bytes.len, file) != bytes.len) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    fclose(file);
    return bytes;
}

uint8_t *copy_exact(const uint8_t *data, size_t len) {
    uint8_t *copy = malloc(len > 0 ? len : 1);
    if (copy == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    if (len > 0) {
        memcpy(copy, data, len);
    }
    return copy;
}

void free_bytes(struct bytes bytes) { free(bytes.data); }

int main(int argc, char **argv) {
    unsigned long vectors, hostile;
    if (argc != 2) {
        fprintf(stderr, "usage: %s TEST-VECTORS-DIRECTORY\n", argv[0]);
        return 2;
    }
    printf("ocsp-verify C library %s\n", ocsp_verify_version());
    vectors = run_vectors(argv[1]);
    hostile = run_hostile(argv[1]);
    printf("vector cases: %lu; hostile cases: %lu; checks: %lu passed, %lu failed\n", vectors,
           hostile, checks_passed(), checks_failed());
    return checks_failed() == 0 && checks_passed() > 0 ? 0 : 1;
}
