"""The verifier's default options and time rules (docs/design.md rules 13 and 14), in one place.

The generator checks every case it writes against these rules (vectors.py), and the reference
model in ../real-world/extract.py applies them, so the two manifests cannot drift apart.

Times are aware datetimes here; the expectations they produce carry RFC 3339 strings.
"""

import datetime

import der

# Seconds, except allow_sha1 and max_response_size (bytes). max_lifetime is mozilla::pkix's
# 10 days; max_age is Chromium's 7-day maximum age for a leaf's revocation information;
# max_age_without_next_update caps a response that has no nextUpdate at 1 day.
DEFAULT_OPTIONS = {
    "skew": 300,
    "max_age": 604800,
    "max_age_without_next_update": 86400,
    "max_lifetime": 864000,
    "allow_sha1": False,
    "max_response_size": 65536,
}

CERTIFICATE_HOLD = 6


def options(**changes):
    """The default options with some changed (unknown names are a bug in the caller)."""
    unknown = set(changes) - set(DEFAULT_OPTIONS)
    assert not unknown, unknown
    out = dict(DEFAULT_OPTIONS)
    out.update(changes)
    return out


def _time(when):
    return der.parse_rfc3339(when) if isinstance(when, str) else when


def response_times(status, reason, this_update, next_update, now, opts):
    """None if a SingleResponse (status, revocation reason or None, thisUpdate, nextUpdate or
    None) passes the time rules at `now` under `opts`; else the manifest's `expect` for the error.

    - nextUpdate before thisUpdate is refused whatever the status.
    - A permanent revocation (revoked with no reason or any reason but certificateHold) and an
      unknown answer get no other time check: a revocation is reported even outside its window.
    - good, and revoked with reason certificateHold (a hold can be lifted, so a stale one means
      nothing), are checked in this order: lifetime (nextUpdate - thisUpdate > max_lifetime),
      not yet valid (thisUpdate > now + skew), expired (now > nextUpdate + skew), too old
      (now > thisUpdate + cap + skew, cap = max_age, or min(max_age, max_age_without_next_update)
      without nextUpdate).
    """
    this_update, next_update, now = _time(this_update), _time(next_update) if next_update else None, _time(now)
    seconds = datetime.timedelta(seconds=1)
    skew = opts["skew"] * seconds
    if next_update is not None and next_update < this_update:
        return {"error": "NextUpdateBeforeThisUpdate"}
    if status == "unknown" or (status == "revoked" and reason != CERTIFICATE_HOLD):
        return None
    if next_update is not None and next_update - this_update > opts["max_lifetime"] * seconds:
        return {"error": "ResponseLifetimeTooLong"}
    if this_update > now + skew:
        return not_yet_valid("ResponseNotYetValid", now, this_update)
    if next_update is not None and now > next_update + skew:
        return expired("ResponseExpired", now, next_update)
    cap = opts["max_age"]
    if next_update is None:
        cap = min(cap, opts["max_age_without_next_update"])
    oldest = this_update + cap * seconds
    if now > oldest + skew:
        return expired("ResponseTooOld", now, oldest)
    return None


def responder_validity(not_before, not_after, now):
    """None if a delegated responder's certificate is valid at `now` (no skew), else the error."""
    not_before, not_after, now = _time(not_before), _time(not_after), _time(now)
    if now < not_before:
        return not_yet_valid("ResponderNotYetValid", now, not_before)
    if now > not_after:
        return expired("ResponderExpired", now, not_after)
    return None


def not_yet_valid(variant, now, not_before):
    return {"error": variant, "time": der.rfc3339(_time(now)), "not_before": der.rfc3339(_time(not_before))}


def expired(variant, now, not_after):
    return {"error": variant, "time": der.rfc3339(_time(now)), "not_after": der.rfc3339(_time(not_after))}
