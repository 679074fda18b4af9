//! Reading responses without verifying them: borrowed, zero-copy views of every structure, for
//! showing a response, or taking it apart.
//!
//! Every view is checked whole when it is built (profile rules 1 to 6), so its accessors
//! cannot fail; lists are lazy iterators over bytes already checked.

pub use crate::extension::Extension;
pub use crate::response::{
    BasicResponse, CertId, MAX_CERTIFICATES, MAX_RESPONSE_LEN, OcspResponse, ResponderId,
    ResponseData, SingleResponse,
};
pub use crate::signed::{MIN_RSA_MODULUS_BITS, SignedData, SubjectPublicKeyInfo};
