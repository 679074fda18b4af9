//! The C boundary: the exported functions, and the helpers that turn C's pointers and lengths
//! into Rust slices and references. All the crate's pointer handling is here (the allocator
//! and the panic handler, in `runtime.rs`, are the only other `unsafe`); what each call does
//! is in `calls.rs`, on slices.
//!
//! The contract every exported function keeps, whatever C passes:
//!
//! - A NULL pointer where a value is needed is `OCSP_RESULT_NULL_POINTER`; NULL with length 0
//!   is an absent optional input (a nonce, a staple) or an empty output buffer (a length
//!   query).
//! - A length larger than `PTRDIFF_MAX`, or reaching past the end of the address space, a
//!   misaligned structure pointer, an output buffer that overlaps an input, are
//!   `OCSP_RESULT_INVALID_ARGUMENT`: never a slice Rust may not hold.
//! - Outputs are written once, whole, at the end, on every path where their pointer is usable:
//!   never read, so they may be uninitialised; and input slices are no longer used when they
//!   are written.
//! - Nothing unwinds into C: the functions are `extern "C"`, so a panic would abort the process
//!   (Rust 1.81 and later) instead of unwinding, and no path is known to panic: the library's
//!   lints forbid `unwrap`, indexing and `as` on every path that sees input.
//!
//! What the caller promises (the header says it for each function): every non-NULL pointer
//! points to as many readable (or, for outputs, writable) bytes as its length says, which no
//! other thread writes during the call.

use core::ffi::{CStr, c_char};
use core::{mem, slice};

use crate::calls::{self, DEFAULT_OPTIONS, IssuerInput, Refusal, Settings, Verification, outcome};
use crate::result::OcspResult;
use crate::types::{OcspAnswer, OcspDecision, OcspIssuer, OcspOptions};

// ---------------------------------------------------------------------------------------------
// Pointers to slices and references.
// ---------------------------------------------------------------------------------------------

/// Whether `len` values of `T` from address `addr` make a range Rust may hold as a slice: at
/// most `isize::MAX` bytes, not wrapping around the address space.
fn check_range<T>(addr: usize, len: usize) -> Result<(), OcspResult> {
    let fits = len
        .checked_mul(mem::size_of::<T>())
        .filter(|bytes| *bytes <= isize::MAX.unsigned_abs())
        .and_then(|bytes| addr.checked_add(bytes))
        .is_some();
    if fits {
        Ok(())
    } else {
        Err(OcspResult::InvalidArgument)
    }
}

/// `len` values of `T` at `data`, which must not be NULL.
///
/// # Safety
///
/// Unless NULL, `data` points to `len` initialised values of `T`, readable and not written by
/// anyone for `'a`.
unsafe fn slice_of<'a, T>(data: *const T, len: usize) -> Result<&'a [T], OcspResult> {
    if data.is_null() {
        return Err(OcspResult::NullPointer);
    }
    if !data.is_aligned() {
        return Err(OcspResult::InvalidArgument);
    }
    check_range::<T>(data.addr(), len)?;
    // SAFETY: `data` is not NULL and aligned, the range is at most isize::MAX bytes and does
    // not wrap (checked above); the caller promises `len` initialised values readable and
    // unwritten for 'a.
    Ok(unsafe { slice::from_raw_parts(data, len) })
}

/// `len` bytes at `data`, which must not be NULL.
///
/// # Safety
///
/// As [`slice_of`].
unsafe fn bytes<'a>(data: *const u8, len: usize) -> Result<&'a [u8], OcspResult> {
    // SAFETY: the caller's promise, passed on.
    unsafe { slice_of(data, len) }
}

/// An optional input: NULL with length 0 is absent, NULL with a length is
/// `OCSP_RESULT_NULL_POINTER`.
///
/// # Safety
///
/// As [`slice_of`].
unsafe fn optional_bytes<'a>(data: *const u8, len: usize) -> Result<Option<&'a [u8]>, OcspResult> {
    if data.is_null() && len == 0 {
        return Ok(None);
    }
    // SAFETY: the caller's promise, passed on.
    unsafe { bytes(data, len) }.map(Some)
}

/// An output buffer, after checking that it overlaps none of `inputs`: NULL with length 0 is
/// an empty buffer (the caller asks for the length it needs).
///
/// # Safety
///
/// Unless NULL, `data` points to `len` bytes writable and not accessed by anyone else for
/// `'a`, except through `inputs`.
unsafe fn output_bytes<'a>(
    data: *mut u8,
    len: usize,
    inputs: &[&[u8]],
) -> Result<&'a mut [u8], OcspResult> {
    if data.is_null() {
        return if len == 0 {
            Ok(&mut [])
        } else {
            Err(OcspResult::NullPointer)
        };
    }
    check_range::<u8>(data.addr(), len)?;
    let (start, end) = (data.addr(), data.addr().saturating_add(len));
    let overlaps = inputs.iter().any(|input| {
        let range = input.as_ptr_range();
        start < range.end.addr() && range.start.addr() < end
    });
    if overlaps {
        return Err(OcspResult::InvalidArgument);
    }
    // SAFETY: `data` is not NULL, the range fits (checked above) and overlaps no input slice
    // (checked above); the caller promises `len` writable bytes nobody else accesses for 'a.
    Ok(unsafe { slice::from_raw_parts_mut(data, len) })
}

/// The `T` at `value`.
///
/// # Safety
///
/// Unless NULL, `value` points to an initialised `T`, unwritten for `'a`.
unsafe fn reference<'a, T>(value: *const T) -> Result<&'a T, OcspResult> {
    // SAFETY: the caller's promise, passed on: one value.
    unsafe { slice_of(value, 1) }?
        .first()
        .ok_or(OcspResult::InvalidArgument)
}

/// Checks an output pointer (not NULL, aligned) without reading what it points to.
fn check_output<T>(output: *mut T) -> Result<(), OcspResult> {
    if output.is_null() {
        Err(OcspResult::NullPointer)
    } else if !output.is_aligned() {
        Err(OcspResult::InvalidArgument)
    } else {
        Ok(())
    }
}

/// Writes `value` to `output` (which passed [`check_output`]) without reading or dropping what
/// was there: it may be uninitialised.
///
/// # Safety
///
/// `output` points to memory writable for a `T` that no live reference covers.
unsafe fn write<T>(output: *mut T, value: T) {
    // SAFETY: not NULL and aligned (checked by the caller with check_output), writable (the
    // caller's promise); `write` neither reads nor drops the old contents.
    unsafe { output.write(value) }
}

/// Ends a call that fills `output`: writes its value, or `failed` when the call failed, and
/// returns the call's result.
///
/// # Safety
///
/// As [`write`]; `output` passed [`check_output`].
unsafe fn finish<T>(output: *mut T, outcome: Result<T, OcspResult>, failed: T) -> OcspResult {
    let (result, value) = match outcome {
        Ok(value) => (OcspResult::Ok, value),
        Err(result) => (result, failed),
    };
    // SAFETY: the caller's promise, passed on.
    unsafe { write(output, value) };
    result
}

/// The issuer, in whichever form C gave it: exactly one of the two.
///
/// # Safety
///
/// Unless NULL, `issuer` points to an `ocsp_issuer` whose non-NULL pointers each point to
/// their length of readable bytes, unwritten for `'a`.
unsafe fn issuer<'a>(issuer: *const OcspIssuer) -> Result<IssuerInput<'a>, OcspResult> {
    // SAFETY: the caller's promise, passed on, for the structure and each of its buffers.
    let issuer = unsafe { reference(issuer) }?;
    // SAFETY: as above.
    let certificate = unsafe { optional_bytes(issuer.certificate, issuer.certificate_len) }?;
    // SAFETY: as above.
    let subject = unsafe { optional_bytes(issuer.subject, issuer.subject_len) }?;
    let spki = issuer.subject_public_key_info;
    // SAFETY: as above.
    let spki = unsafe { optional_bytes(spki, issuer.subject_public_key_info_len) }?;
    match (certificate, subject, spki) {
        (Some(certificate), None, None) => Ok(IssuerInput::Certificate(certificate)),
        (None, Some(subject), Some(subject_public_key_info)) => Ok(IssuerInput::Anchor {
            subject,
            subject_public_key_info,
        }),
        _ => Err(OcspResult::InvalidArgument),
    }
}

/// The options (NULL: the defaults), with the trusted responders' bytes.
///
/// # Safety
///
/// Unless NULL, `options` points to an `ocsp_options` whose `trusted_responders` points to
/// `trusted_responder_count` `ocsp_buffer`s, each pointing to its length of readable bytes,
/// unwritten for `'a`.
unsafe fn settings<'a>(options: *const OcspOptions) -> Result<Settings<'a>, OcspResult> {
    if options.is_null() {
        return Ok(Settings::DEFAULT);
    }
    // SAFETY: the caller's promise, passed on.
    let options = unsafe { reference(options) }?;
    // Without the feature, `Settings::new` refuses any trusted responder: none is read.
    #[cfg(feature = "trusted-responders")]
    {
        let count = options.trusted_responder_count;
        const MAX: usize = crate::types::OCSP_MAX_TRUSTED_RESPONDERS;
        let mut trusted = [&[][..]; MAX];
        if (1..=MAX).contains(&count) {
            // SAFETY: as above, for the array of buffers.
            let buffers = unsafe { slice_of(options.trusted_responders, count) }?;
            for (slot, buffer) in trusted.iter_mut().zip(buffers) {
                // SAFETY: as above, for each buffer.
                *slot = unsafe { bytes(buffer.data, buffer.len) }?;
            }
        }
        Settings::new(options, trusted)
    }
    #[cfg(not(feature = "trusted-responders"))]
    Settings::new(options)
}

// ---------------------------------------------------------------------------------------------
// The exported functions. Their doc comments are the header's (cbindgen copies them).
// ---------------------------------------------------------------------------------------------

/// The library's version, e.g. `"0.1.0"`.
///
/// @return a static NUL-terminated string.
#[unsafe(no_mangle)]
pub extern "C" fn ocsp_verify_version() -> *const c_char {
    const VERSION: &CStr =
        match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
            Ok(version) => version,
            Err(_) => c"unknown",
        };
    VERSION.as_ptr()
}

/// The stable snake_case name of a result code: `"ok"`, `"bad_der"`, `"response_expired"`...
/// (for codes below 100, the Rust library's `Error::code()`).
///
/// @param result a value of `ocsp_result` (any other number gives `"unknown"`).
/// @return a static NUL-terminated string, never NULL.
#[unsafe(no_mangle)]
pub extern "C" fn ocsp_result_name(result: i32) -> *const c_char {
    OcspResult::from_number(result)
        .map_or(c"unknown", OcspResult::name)
        .as_ptr()
}

/// A sentence that says what a result code means, for logs.
///
/// @param result a value of `ocsp_result` (any other number gives `"unknown result code"`).
/// @return a static NUL-terminated string, never NULL.
#[unsafe(no_mangle)]
pub extern "C" fn ocsp_result_message(result: i32) -> *const c_char {
    OcspResult::from_number(result)
        .map_or(c"unknown result code", OcspResult::message)
        .as_ptr()
}

/// Fills `options` with the defaults: clock skew 5 minutes, largest age 7 days (1 day without
/// nextUpdate), largest lifetime 10 days, responses up to 64 KiB, no flags, no trusted
/// responders.
///
/// @param options the options to fill (need not be initialised).
/// @return `OCSP_RESULT_OK`, or `OCSP_RESULT_NULL_POINTER` / `OCSP_RESULT_INVALID_ARGUMENT`
///         (misaligned).
///
/// # Safety
///
/// `options` is NULL or points to writable memory for an `ocsp_options`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocsp_options_default(options: *mut OcspOptions) -> OcspResult {
    if let Err(result) = check_output(options) {
        return result;
    }
    // SAFETY: checked; the caller promises it is writable.
    unsafe { write(options, DEFAULT_OPTIONS) };
    OcspResult::Ok
}

/// Takes a trust anchor out of a DER certificate: its subject Name and SubjectPublicKeyInfo,
/// whole DER, as pointers into `certificate` (valid as long as it is). What a device stores
/// instead of its CA's certificate; the result goes straight into `ocsp_verify`.
///
/// @param certificate the CA's DER certificate.
/// @param certificate_len its length.
/// @param anchor receives `subject` and `subject_public_key_info` (and NULL `certificate`);
///        all NULL on failure.
/// @return `OCSP_RESULT_OK`, `OCSP_RESULT_BAD_DER` (or another parse error) for a certificate
///         that does not parse, or an argument error.
///
/// # Safety
///
/// `certificate` points to `certificate_len` readable bytes; `anchor` to writable memory for
/// an `ocsp_issuer`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocsp_trust_anchor_from_certificate(
    certificate: *const u8,
    certificate_len: usize,
    anchor: *mut OcspIssuer,
) -> OcspResult {
    if let Err(result) = check_output(anchor) {
        return result;
    }
    // SAFETY: the caller promises `certificate_len` readable bytes.
    let outcome = unsafe { bytes(certificate, certificate_len) }.and_then(|certificate| {
        calls::trust_anchor_of(certificate)
            .map_err(|error| OcspResult::of(&error))
            .map(|(subject, spki)| OcspIssuer {
                subject: subject.as_ptr(),
                subject_len: subject.len(),
                subject_public_key_info: spki.as_ptr(),
                subject_public_key_info_len: spki.len(),
                ..OcspIssuer::EMPTY
            })
    });
    // SAFETY: checked; the caller promises it is writable; no slice is used after this.
    unsafe { finish(anchor, outcome, OcspIssuer::EMPTY) }
}

/// Verifies a DER OCSP response about a DER certificate, issued by `issuer`, at `now`.
///
/// Every rule of the verification profile is checked (strict DER, the CertID, the responder's
/// authority, the signature, critical extensions, the nonce, the times); the first broken rule
/// is the result. ECDSA needs no heap; RSA (in builds with it) allocates through `malloc`.
///
/// @param response the DER `OCSPResponse` (a staple, or what a responder sent).
/// @param response_len its length.
/// @param certificate the DER certificate the response must be about.
/// @param certificate_len its length.
/// @param issuer the certificate's issuer: its certificate or a trust anchor.
/// @param nonce the nonce the request carried, which the response must echo; NULL (with
///        length 0) for a staple or a request without one.
/// @param nonce_len its length (0 with NULL; at least 1 otherwise).
/// @param now the time to verify at, in seconds since the Unix epoch, from a clock the device
///        trusts.
/// @param options the verifier's settings, or NULL for the defaults.
/// @param answer receives what the response says (`status` is `OCSP_CERT_STATUS_NONE` unless
///        the result is `OCSP_RESULT_OK`; `error_limit` is set for time errors).
/// @return `OCSP_RESULT_OK` when the response is genuine, about the certificate and fresh
///         (then read `answer->status`: good, revoked or unknown); else why not.
///
/// # Safety
///
/// Every non-NULL pointer points to its length of readable bytes (`answer`: writable memory for
/// an `ocsp_answer`), which no one writes during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocsp_verify(
    response: *const u8,
    response_len: usize,
    certificate: *const u8,
    certificate_len: usize,
    issuer: *const OcspIssuer,
    nonce: *const u8,
    nonce_len: usize,
    now: u64,
    options: *const OcspOptions,
    answer: *mut OcspAnswer,
) -> OcspResult {
    if let Err(result) = check_output(answer) {
        return result;
    }
    // SAFETY: the caller promises every pointer's length of readable bytes, for this call.
    let verified = unsafe {
        verify_inputs(
            response,
            response_len,
            certificate,
            certificate_len,
            issuer,
            nonce,
            nonce_len,
            now,
            options,
        )
    };
    let (result, value) = outcome(&verified);
    // SAFETY: checked; the caller promises it is writable; no input slice is used after this.
    unsafe { write(answer, value) };
    result
}

/// Decides on a staple as the rustls adapter does during a handshake: verifies it (when there
/// is one) and applies the policy and the certificate's TLS feature extension (must-staple).
///
/// @param policy `OCSP_POLICY_SOFT_FAIL` or `OCSP_POLICY_HARD_FAIL`, with any
///        `OCSP_POLICY_*` overrides or'ed in.
/// @param staple the stapled DER `OCSPResponse`; NULL or length 0 when the server stapled
///        none.
/// @param staple_len its length.
/// @param certificate the server's DER certificate (the end entity).
/// @param certificate_len its length.
/// @param issuer its issuer (the next certificate of the chain, or a trust anchor).
/// @param now the time, in seconds since the Unix epoch.
/// @param options the verifier's settings, or NULL for the defaults.
/// @param decision receives the verdict, the situation, the staple's refusal and what it
///        says; `verdict` is `OCSP_VERDICT_REJECT` unless the result is `OCSP_RESULT_OK`.
/// @return `OCSP_RESULT_OK` when a decision was made (read `decision->verdict`); an argument
///         error otherwise. A staple that fails verification is not an error of the call:
///         its reason is `decision->staple_result`.
///
/// # Safety
///
/// As `ocsp_verify`; `decision` points to writable memory for an `ocsp_decision`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocsp_decide(
    policy: u32,
    staple: *const u8,
    staple_len: usize,
    certificate: *const u8,
    certificate_len: usize,
    issuer: *const OcspIssuer,
    now: u64,
    options: *const OcspOptions,
    decision: *mut OcspDecision,
) -> OcspResult {
    if let Err(result) = check_output(decision) {
        return result;
    }
    // SAFETY: the caller promises every pointer's length of readable bytes, for this call.
    let outcome = unsafe {
        decide_inputs(
            policy,
            staple,
            staple_len,
            certificate,
            certificate_len,
            issuer,
            now,
            options,
        )
    };
    // SAFETY: checked; the caller promises it is writable; no input slice is used after this.
    unsafe { finish(decision, outcome, OcspDecision::NONE) }
}

/// Encodes an OCSP request about `certificate` into `out`: no heap, one `Request`, the CertID
/// hashed with `hash_algorithm`, and a nonce when given.
///
/// Call with `out` NULL and `out_len` 0 to learn the length: the result is then
/// `OCSP_RESULT_BUFFER_TOO_SMALL` and `*written` the length needed.
///
/// @param certificate the DER certificate to ask about.
/// @param certificate_len its length.
/// @param issuer its issuer.
/// @param hash_algorithm an `ocsp_hash_algorithm`: `OCSP_HASH_ALGORITHM_SHA1` (what RFC 5019
///        responders expect) or `OCSP_HASH_ALGORITHM_SHA256`, ...
/// @param nonce the nonce to send (1 to 32 octets of fresh randomness, RFC 8954), or NULL
///        (with length 0) for none.
/// @param nonce_len its length.
/// @param out where to write the DER `OCSPRequest`; must not overlap the inputs.
/// @param out_len its size.
/// @param written receives the bytes written; with `OCSP_RESULT_BUFFER_TOO_SMALL`, the size
///        `out` needs; 0 after any other error.
/// @return `OCSP_RESULT_OK`, `OCSP_RESULT_BUFFER_TOO_SMALL`, `OCSP_RESULT_INVALID_NONCE_LENGTH`,
///         `OCSP_RESULT_ISSUER_NAME_MISMATCH`, `OCSP_RESULT_UNSUPPORTED_HASH_ALGORITHM`, a parse
///         error, or an argument error.
///
/// # Safety
///
/// Every non-NULL pointer points to its length of readable bytes (`out`: writable, `written`:
/// a writable `size_t`), which no one else accesses during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocsp_request_encode(
    certificate: *const u8,
    certificate_len: usize,
    issuer: *const OcspIssuer,
    hash_algorithm: u32,
    nonce: *const u8,
    nonce_len: usize,
    out: *mut u8,
    out_len: usize,
    written: *mut usize,
) -> OcspResult {
    if let Err(result) = check_output(written) {
        return result;
    }
    // SAFETY: the caller promises every pointer's length of readable bytes (`out`: writable),
    // for this call.
    let outcome = unsafe {
        encode_inputs(
            certificate,
            certificate_len,
            issuer,
            hash_algorithm,
            nonce,
            nonce_len,
            out,
            out_len,
        )
    };
    let (result, value) = lengths(outcome);
    // SAFETY: checked; the caller promises it is writable; no slice is used after this.
    unsafe { write(written, value) };
    result
}

/// Writes the HTTP GET URL of a DER request into `out`, NUL-terminated: `responder_url`, a `/`
/// unless it ends with one, and the request in URL-encoded base64 (RFC 6960 Appendix A.1, RFC
/// 5019 section 5). Send it as GET when `*url_len` is less than `OCSP_MAX_GET_URL_LEN`
/// (255), else POST the DER with `Content-Type: application/ocsp-request`.
///
/// @param responder_url the responder's URL (from the certificate's authorityInfoAccess),
///        UTF-8, not NUL-terminated.
/// @param responder_url_len its length in bytes.
/// @param request the DER request (from `ocsp_request_encode`).
/// @param request_len its length.
/// @param out where to write the URL and its NUL; must not overlap the inputs.
/// @param out_len its size.
/// @param url_len receives the URL's length (without the NUL); with
///        `OCSP_RESULT_BUFFER_TOO_SMALL`, the size `out` needs (with the NUL); 0 after any
///        other error.
/// @return `OCSP_RESULT_OK`, `OCSP_RESULT_BUFFER_TOO_SMALL`, or an argument error (a URL that
///         is not UTF-8 is `OCSP_RESULT_INVALID_ARGUMENT`).
///
/// # Safety
///
/// As `ocsp_request_encode`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocsp_request_get_url(
    responder_url: *const c_char,
    responder_url_len: usize,
    request: *const u8,
    request_len: usize,
    out: *mut c_char,
    out_len: usize,
    url_len: *mut usize,
) -> OcspResult {
    if let Err(result) = check_output(url_len) {
        return result;
    }
    // SAFETY: the caller promises every pointer's length of readable bytes (`out`: writable),
    // for this call.
    let outcome = unsafe {
        get_url_inputs(
            responder_url,
            responder_url_len,
            request,
            request_len,
            out,
            out_len,
        )
    };
    let (result, value) = lengths(outcome);
    // SAFETY: checked; the caller promises it is writable; no slice is used after this.
    unsafe { write(url_len, value) };
    result
}

/// The inputs an output buffer must not overlap.
fn input_slices<'a>(
    certificate: &'a [u8],
    issuer: IssuerInput<'a>,
    nonce: &'a [u8],
) -> [&'a [u8]; 4] {
    match issuer {
        IssuerInput::Certificate(issuer) => [certificate, issuer, nonce, &[]],
        IssuerInput::Anchor {
            subject,
            subject_public_key_info,
        } => [certificate, subject, subject_public_key_info, nonce],
    }
}

/// The result and the length to report for a call that writes into a buffer.
fn lengths(outcome: Result<usize, Refusal>) -> (OcspResult, usize) {
    match outcome {
        Ok(len) => (OcspResult::Ok, len),
        Err(Refusal::Library(ocsp_verify::Error::BufferTooSmall { needed })) => {
            (OcspResult::BufferTooSmall, needed)
        }
        Err(Refusal::Call(result)) => (result, 0),
        Err(Refusal::Library(error)) => (OcspResult::of(&error), 0),
    }
}

// ---------------------------------------------------------------------------------------------
// The arguments of each call, as slices: the slices live in these functions only, so that the
// outputs are written when no input slice is alive.
// ---------------------------------------------------------------------------------------------

/// `ocsp_verify`'s work.
///
/// # Safety
///
/// `ocsp_verify`'s contract.
#[expect(clippy::too_many_arguments, reason = "the arguments of ocsp_verify")]
unsafe fn verify_inputs(
    response: *const u8,
    response_len: usize,
    certificate: *const u8,
    certificate_len: usize,
    issuer: *const OcspIssuer,
    nonce: *const u8,
    nonce_len: usize,
    now: u64,
    options: *const OcspOptions,
) -> Result<ocsp_verify::Answer, Refusal> {
    // SAFETY: the caller's promise for each argument, passed on.
    let certificate = unsafe { bytes(certificate, certificate_len) }.map_err(Refusal::Call)?;
    // SAFETY: as above.
    let settings = unsafe { settings(options) }.map_err(Refusal::Call)?;
    let verification = Verification {
        // SAFETY: as above.
        response: unsafe { bytes(response, response_len) }.map_err(Refusal::Call)?,
        // SAFETY: as above.
        issuer: unsafe { self::issuer(issuer) }.map_err(Refusal::Call)?,
        // SAFETY: as above.
        nonce: unsafe { optional_bytes(nonce, nonce_len) }.map_err(Refusal::Call)?,
        now,
        settings: &settings,
    };
    calls::verify(certificate, &verification)
}

/// `ocsp_decide`'s work.
///
/// # Safety
///
/// `ocsp_decide`'s contract.
#[expect(clippy::too_many_arguments, reason = "the arguments of ocsp_decide")]
unsafe fn decide_inputs(
    policy: u32,
    staple: *const u8,
    staple_len: usize,
    certificate: *const u8,
    certificate_len: usize,
    issuer: *const OcspIssuer,
    now: u64,
    options: *const OcspOptions,
) -> Result<OcspDecision, OcspResult> {
    let policy = calls::policy_of(policy)?;
    // SAFETY: the caller's promise for each argument, passed on.
    let certificate = unsafe { bytes(certificate, certificate_len) }?;
    // SAFETY: as above.
    let settings = unsafe { settings(options) }?;
    let verification = Verification {
        // SAFETY: as above.
        response: unsafe { optional_bytes(staple, staple_len) }?.unwrap_or_default(),
        // SAFETY: as above.
        issuer: unsafe { self::issuer(issuer) }?,
        nonce: None,
        now,
        settings: &settings,
    };
    calls::decide(&policy, certificate, &verification)
}

/// `ocsp_request_encode`'s work.
///
/// # Safety
///
/// `ocsp_request_encode`'s contract.
#[expect(
    clippy::too_many_arguments,
    reason = "the arguments of ocsp_request_encode"
)]
unsafe fn encode_inputs(
    certificate: *const u8,
    certificate_len: usize,
    issuer: *const OcspIssuer,
    hash_algorithm: u32,
    nonce: *const u8,
    nonce_len: usize,
    out: *mut u8,
    out_len: usize,
) -> Result<usize, Refusal> {
    let hash_algorithm = calls::hash_algorithm_of(hash_algorithm).map_err(Refusal::Call)?;
    // SAFETY: the caller's promise for each argument, passed on.
    let certificate = unsafe { bytes(certificate, certificate_len) }.map_err(Refusal::Call)?;
    // SAFETY: as above.
    let issuer = unsafe { self::issuer(issuer) }.map_err(Refusal::Call)?;
    // SAFETY: as above.
    let nonce = unsafe { optional_bytes(nonce, nonce_len) }.map_err(Refusal::Call)?;
    let inputs = input_slices(certificate, issuer, nonce.unwrap_or_default());
    // SAFETY: as above; `out` is checked to overlap none of the inputs.
    let out = unsafe { output_bytes(out, out_len, &inputs) }.map_err(Refusal::Call)?;
    calls::encode_request(certificate, issuer, hash_algorithm, nonce, out)
}

/// `ocsp_request_get_url`'s work.
///
/// # Safety
///
/// `ocsp_request_get_url`'s contract.
unsafe fn get_url_inputs(
    responder_url: *const c_char,
    responder_url_len: usize,
    request: *const u8,
    request_len: usize,
    out: *mut c_char,
    out_len: usize,
) -> Result<usize, Refusal> {
    // SAFETY: the caller's promise for each argument, passed on; `c_char` and `u8` have the
    // same size and alignment.
    let url = unsafe { bytes(responder_url.cast::<u8>(), responder_url_len) };
    let url = url.map_err(Refusal::Call)?;
    // SAFETY: as above.
    let request = unsafe { bytes(request, request_len) }.map_err(Refusal::Call)?;
    // SAFETY: as above; `out` is checked to overlap neither input.
    let out = unsafe { output_bytes(out.cast::<u8>(), out_len, &[url, request]) };
    calls::get_url(url, request, out.map_err(Refusal::Call)?)
}
