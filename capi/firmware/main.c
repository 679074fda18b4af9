/* A C firmware that verifies an OCSP staple on a Cortex-M4 (QEMU's mps2-an386) with the
 * ocsp-verify C library, and measures the verification: its stack high-water mark and the
 * instructions it executes. The C twin of tests/firmware (the Rust firmware): the same staple,
 * certificate and trust anchor, the same four cases, the same output lines, the same
 * measurements. It prints over semihosting and exits 0 only if every verdict is the expected
 * one. .ci/capi.sh builds it, runs it and checks the output and the budget.
 *
 * This file is the harness: start-up, output, the measurements, faults. staple.c holds every
 * call into the library; baseline.c is the same functions without it. The library is built
 * without its heap (no RSA): nothing here has an allocator. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "firmware.h"

/* ------------------------------------------------------------------------------------------
 * Semihosting: the debugger's (here QEMU's) console and exit, through `bkpt 0xab`.
 * ------------------------------------------------------------------------------------------ */

#define SYS_WRITE0 0x04
#define SYS_EXIT 0x18
#define ADP_STOPPED_APPLICATION_EXIT 0x20026
#define ADP_STOPPED_RUN_TIME_ERROR 0x20023

static uint32_t semihosting(uint32_t operation, const void *argument) {
    register uint32_t r0 __asm__("r0") = operation;
    register const void *r1 __asm__("r1") = argument;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

static void __attribute__((noreturn)) exit_qemu(bool success) {
    /* 32-bit ARM semihosting passes the reason itself: QEMU exits 0 for an application exit,
     * 1 for anything else. */
    semihosting(SYS_EXIT, (const void *)(uintptr_t)(success ? ADP_STOPPED_APPLICATION_EXIT
                                                           : ADP_STOPPED_RUN_TIME_ERROR));
    for (;;) {
    }
}

/* One output line, built in a buffer and written at once. */
static char line[256];
static size_t line_len;

static void put(const char *text) {
    while (*text != '\0' && line_len < sizeof line - 2) {
        line[line_len++] = *text++;
    }
}

static void put_u64(uint64_t value) {
    char digits[21];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + value % 10);
        value /= 10;
    } while (value != 0);
    while (n > 0 && line_len < sizeof line - 2) {
        line[line_len++] = digits[--n];
    }
}

static void end_line(void) {
    line[line_len++] = '\n';
    line[line_len] = '\0';
    semihosting(SYS_WRITE0, line);
    line_len = 0;
}

static const char *pass(bool ok) { return ok ? "PASS" : "FAIL"; }

/* What a panic of the library (which calls abort(), see capi/src/runtime.rs) and a fault end
 * in: a line, and a failed exit instead of a hang until the script's timeout. */
void __attribute__((noreturn)) abort(void) {
    put("abort");
    end_line();
    exit_qemu(false);
}

/* ------------------------------------------------------------------------------------------
 * Stack: paint below the stack pointer, verify, find the lowest word overwritten.
 * ------------------------------------------------------------------------------------------ */

/* How far below the stack pointer the paint goes: far more than the 8 KiB budget, so a
 * verification that needed more is measured, not missed. */
#define PAINT_BYTES (64u * 1024u)
#define PAINT 0x5AA5C33Cu
/* Words this close below the stack pointer read in paint() are left alone: its own pushes. */
#define PAINT_MARGIN 256u

extern uint32_t _stack_limit; /* link.ld: the end of .bss, the lowest the stack may grow to */

static inline uintptr_t stack_pointer(void) {
    uintptr_t sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    return sp;
}

static void __attribute__((noinline)) paint(uintptr_t bottom) {
    uintptr_t top = (stack_pointer() - PAINT_MARGIN) & ~(uintptr_t)3;
    for (uintptr_t address = bottom; address < top; address += 4) {
        *(volatile uint32_t *)address = PAINT;
    }
}

/* Runs `f` over a freshly painted stack; returns its result, and the bytes of stack it used
 * below this function's stack pointer (its own frame included) and the bytes painted. */
static bool __attribute__((noinline)) stack_high_water(bool (*f)(void), uint32_t *used,
                                                       uint32_t *painted) {
    uintptr_t limit = (uintptr_t)&_stack_limit + 4;
    uintptr_t sp = stack_pointer();
    uintptr_t bottom = (sp - PAINT_BYTES > limit ? sp - PAINT_BYTES : limit) & ~(uintptr_t)3;
    uintptr_t lowest = sp;
    bool result;
    paint(bottom);
    result = f();
    BLACK_BOX(result);
    for (uintptr_t address = bottom; address < sp; address += 4) {
        if (*(volatile uint32_t *)address != PAINT) {
            lowest = address;
            break;
        }
    }
    *used = (uint32_t)(sp - lowest);
    *painted = (uint32_t)(sp - bottom);
    return result;
}

static uint32_t measure_stack(void) {
    uint32_t used, painted;
    bool result = stack_high_water(verify_once, &used, &painted);
    bool ok = result && used < painted;
    put("measure stack: ");
    put_u64(used);
    put(" bytes high-water for one verification (");
    put_u64(painted);
    put(" bytes painted below SP): ");
    put(pass(ok));
    end_line();
    return ok ? 0 : 1;
}

/* ------------------------------------------------------------------------------------------
 * Work: instructions, counted by QEMU. With -icount shift=N its virtual clock advances 2^N ns
 * per instruction; the MPS2 FPGA's COUNTER register counts ticks of that clock, and its ratio
 * to instructions is calibrated on a loop of a known number of instructions.
 * ------------------------------------------------------------------------------------------ */

#define FPGAIO_COUNTER ((volatile const uint32_t *)(0x40028000u + 0x18u))

static uint32_t counter(void) { return *FPGAIO_COUNTER; }

/* Executes exactly 2 * pairs instructions (pairs at least 1). */
static void __attribute__((noinline)) run_instructions(uint32_t pairs) {
    __asm__ volatile("1: subs %0, %0, #1\n\tbne 1b" : "+r"(pairs) : : "cc");
}

static uint32_t __attribute__((noinline)) ticks_of_loop(uint32_t pairs) {
    uint32_t start = counter();
    run_instructions(pairs);
    return counter() - start;
}

static void nothing(void) {}

static void verify_one(void) {
    bool ok = verify_once();
    BLACK_BOX(ok);
}

static void verify_three(void) {
    verify_one();
    verify_one();
    verify_one();
}

static uint32_t __attribute__((noinline)) ticks(void (*f)(void)) {
    uint32_t start = counter();
    f();
    return counter() - start;
}

static uint64_t calibration;
#define CALIBRATION 20000000ull
#define CHECK 500000ull

static uint64_t instructions(uint64_t counted) {
    return (counted * CALIBRATION + calibration / 2) / calibration;
}

static uint64_t difference(uint64_t a, uint64_t b) { return a > b ? a - b : b - a; }

static uint32_t measure_instructions(void) {
    uint64_t base = ticks_of_loop(1), check, empty, one, three, per_verification, single;
    bool check_ok, ok;
    calibration = ticks_of_loop(10000001) - base;
    if (calibration == 0) {
        put("measure instructions: the counter does not move (QEMU without -icount?): FAIL");
        end_line();
        return 1;
    }
    check = instructions(ticks_of_loop(250001) - base);
    check_ok = difference(check, CHECK) <= 2;
    put("measure instructions: calibration ");
    put_u64(calibration);
    put(" ticks per ");
    put_u64(CALIBRATION);
    put(" instructions; a loop of ");
    put_u64(CHECK);
    put(" counted as ");
    put_u64(check);
    put(": ");
    put(pass(check_ok));
    end_line();

    /* One verification, and three in a row: the difference, halved, is one verification with
     * the measuring overhead cancelled. */
    empty = ticks(nothing);
    one = ticks(verify_one);
    three = ticks(verify_three);
    per_verification = instructions(three > one ? three - one : 0) / 2;
    single = instructions(one > empty ? one - empty : 0);
    ok = check_ok && difference(per_verification, single) <= 16;
    put("measure instructions: ");
    put_u64(per_verification);
    put(" per verification (one alone: ");
    put_u64(single);
    put("): ");
    put(pass(ok));
    end_line();
    return ok ? 0 : 1;
}

/* ------------------------------------------------------------------------------------------
 * The run.
 * ------------------------------------------------------------------------------------------ */

int main(void) {
    uint32_t failures = 0;
    struct verdict results[4];
    put("firmware: ocsp-verify C library on mps2-an386 (Cortex-M4F), build smallest");
    end_line();
    put("policy: clock ");
    put_u64(NOW);
    put(" (" NOW_TEXT "), algorithm ECDSA P-256 with SHA-256 only");
    end_line();
    put("trust anchor: subject Name ");
    put_u64(ISSUER_NAME_LEN);
    put(" bytes, SPKI ");
    put_u64(ISSUER_SPKI_LEN);
    put(" bytes (no CA certificate on the device)");
    end_line();

    verdicts(results);
    for (size_t i = 0; i < 4; i++) {
        put("check ");
        put(results[i].name);
        put(": got ");
        put(results[i].got);
        put(", expected ");
        put(results[i].expected);
        put(": ");
        put(pass(results[i].ok));
        end_line();
        failures += results[i].ok ? 0 : 1;
    }

    failures += measure_stack();
    failures += measure_instructions();

    if (failures == 0) {
        put("result: PASS");
    } else {
        put("result: FAIL (");
        put_u64(failures);
        put(" failed)");
    }
    end_line();
    exit_qemu(failures == 0);
}

/* ------------------------------------------------------------------------------------------
 * Start-up and faults.
 * ------------------------------------------------------------------------------------------ */

extern uint32_t _data_start, _data_end, _data_load, _bss_start, _bss_end, _stack_top;

/* Reports where a fault happened (the stacked PC) and fails. */
void __attribute__((noreturn, used)) report_fault(const uint32_t *frame) {
    put("hard fault at pc ");
    put_u64(frame[6]);
    end_line();
    abort();
}

/* The stacked exception frame is on the main stack (no process stack is used). */
void __attribute__((naked, noreturn)) hard_fault_handler(void) {
    __asm__ volatile("mrs r0, msp\n\tb report_fault");
}

void __attribute__((noreturn)) reset_handler(void) {
    /* The FPU first (CPACR: full access to CP10 and CP11): the library is built for the
     * hard-float ABI. */
    *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;
    __asm__ volatile("dsb\n\tisb" : : : "memory");
    for (uint32_t *from = &_data_load, *to = &_data_start; to < &_data_end;) {
        *to++ = *from++;
    }
    for (uint32_t *at = &_bss_start; at < &_bss_end;) {
        *at++ = 0;
    }
    main();
    exit_qemu(false);
}

static void __attribute__((noreturn)) unexpected_exception(void) { abort(); }

/* The vector table: the initial stack pointer, then the handlers of the 15 system exceptions
 * (no interrupt is enabled). */
__attribute__((section(".vector_table"), used)) static const uintptr_t VECTORS[16] = {
    (uintptr_t)&_stack_top,
    (uintptr_t)reset_handler,
    (uintptr_t)unexpected_exception, /* NMI */
    (uintptr_t)hard_fault_handler,
    (uintptr_t)unexpected_exception, /* MemManage */
    (uintptr_t)unexpected_exception, /* BusFault */
    (uintptr_t)unexpected_exception, /* UsageFault */
    0,
    0,
    0,
    0,
    (uintptr_t)unexpected_exception, /* SVCall */
    (uintptr_t)unexpected_exception, /* DebugMonitor */
    0,
    (uintptr_t)unexpected_exception, /* PendSV */
    (uintptr_t)unexpected_exception, /* SysTick */
};
