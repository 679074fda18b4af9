/* What the device carries, embedded as read-only data: the staple (the generated vectors'
 * good-p256-ca.der), the certificate it is about, and the trust anchor made by anchor.c. The
 * assembler finds the files through -I (the repository root and the build directory). */

        .syntax unified

        .macro embed name, file
        .section .rodata.\name, "a"
        .balign 4
        .global \name
\name:
        .incbin "\file"
\name\()_end:
        .balign 4
        .global \name\()_LEN
\name\()_LEN:
        .word \name\()_end - \name
        .endm

        embed STAPLE, "test-vectors/generated/responses/good-p256-ca.der"
        embed CERT, "test-vectors/generated/pki/p256-ee.der"
        embed ISSUER_NAME, "issuer-name.der"
        embed ISSUER_SPKI, "issuer-spki.der"

        .section .note.GNU-stack, "", %progbits
