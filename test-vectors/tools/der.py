"""A small DER encoder and a strict DER reader (Python standard library only).

The encoder returns plain ``bytes`` so that callers can splice in deliberately broken
encodings anywhere. The reader is the one both tools share: the generator uses it to describe
the vectors it made (manifest ``parse`` blocks, certs.json), and ../real-world/extract.py uses
it to judge responses other projects made. It applies DER's rules (low tag numbers, definite
and minimal lengths; minimal INTEGERs, BOOLEAN 00/FF, minimal OID arcs and BIT STRING unused
bits when a value is decoded) and raises DerError, whose ``variant`` names the crate's Error
variant (BadDer, or InvalidTime for a GeneralizedTime that is not YYYYMMDDHHMMSSZ).
"""

import datetime
import re

# ---------------------------------------------------------------- tags

INTEGER = 0x02
BIT_STRING = 0x03
OCTET_STRING = 0x04
NULL = 0x05
OID = 0x06
ENUMERATED = 0x0A
UTF8_STRING = 0x0C
PRINTABLE_STRING = 0x13
IA5_STRING = 0x16
UTC_TIME = 0x17
GENERALIZED_TIME = 0x18
SEQUENCE = 0x30
SET = 0x31
BOOLEAN = 0x01


# ---------------------------------------------------------------- encoder

def length(n):
    """Definite, minimal DER length octets."""
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def tlv(tag, content):
    return bytes([tag]) + length(len(content)) + content


def seq(*items):
    return tlv(SEQUENCE, b"".join(items))


def set_of(*items):
    return tlv(SET, b"".join(sorted(items)))


def ctx(number, content, constructed=True):
    """A context-specific tag [number] (low tag numbers only) around raw content octets."""
    assert number < 31
    return tlv((0xA0 if constructed else 0x80) | number, content)


def explicit(number, inner_tlv):
    return ctx(number, inner_tlv, constructed=True)


def oid(dotted):
    return tlv(OID, oid_content(dotted))


def oid_content(dotted):
    arcs = [int(a) for a in dotted.split(".")]
    first = 40 * arcs[0] + arcs[1]
    out = bytearray()
    for arc in [first] + arcs[2:]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        out.extend(reversed(chunk))
    return bytes(out)


def int_content(value):
    """Minimal two's-complement content octets of an INTEGER."""
    if value == 0:
        return b"\x00"
    raw = value.to_bytes(value.bit_length() // 8 + 1, "big", signed=True)
    while len(raw) > 1 and ((raw[0] == 0 and raw[1] < 0x80) or (raw[0] == 0xFF and raw[1] >= 0x80)):
        raw = raw[1:]
    return raw


def integer(value):
    """INTEGER from an int, or from raw content bytes (used verbatim, even if not minimal)."""
    if isinstance(value, (bytes, bytearray)):
        return tlv(INTEGER, bytes(value))
    return tlv(INTEGER, int_content(value))


def enumerated(value):
    return tlv(ENUMERATED, int_content(value))


def octet_string(data):
    return tlv(OCTET_STRING, data)


def bit_string(data, unused=0):
    return tlv(BIT_STRING, bytes([unused]) + data)


def null():
    return b"\x05\x00"


def boolean(value):
    return tlv(BOOLEAN, b"\xff" if value else b"\x00")


def generalized_time(text):
    """GeneralizedTime with exactly the given characters (so broken forms can be made)."""
    return tlv(GENERALIZED_TIME, text.encode("ascii"))


def utc_time(text):
    return tlv(UTC_TIME, text.encode("ascii"))


def gt(when):
    """GeneralizedTime YYYYMMDDHHMMSSZ from an aware datetime or an RFC 3339 'Z' string."""
    return generalized_time(to_der_time_text(when))


def to_der_time_text(when):
    if isinstance(when, str):
        when = parse_rfc3339(when)
    return when.strftime("%Y%m%d%H%M%SZ")


def parse_rfc3339(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)


def rfc3339(when):
    return when.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def algorithm_identifier(dotted, params=b"\x05\x00"):
    """AlgorithmIdentifier; params is the raw parameters TLV, or None for absent."""
    return seq(oid(dotted), params or b"")


# ---------------------------------------------------------------- reader

class DerError(ValueError):
    """Not DER, or not the structure the caller expected."""

    variant = "BadDer"


class TimeError(DerError):
    """A GeneralizedTime whose characters are not YYYYMMDDHHMMSSZ, or not a real date (rule 4)."""

    variant = "InvalidTime"


def context_tag(number, constructed=True):
    """The tag byte of [number] (low tag numbers only)."""
    return (0xA0 if constructed else 0x80) | number


class Tlv:
    """One TLV inside a buffer: tag byte, header and content offsets."""

    __slots__ = ("buf", "start", "tag", "content_start", "end")

    def __init__(self, buf, start, tag, content_start, end):
        self.buf, self.start, self.tag, self.content_start, self.end = buf, start, tag, content_start, end

    @property
    def content(self):
        return self.buf[self.content_start:self.end]

    @property
    def raw(self):
        return self.buf[self.start:self.end]

    def children(self):
        return read_all(self.buf, self.content_start, self.end)

    def reader(self):
        """A Reader over the contents (the fields of a SEQUENCE, one after the other)."""
        return Reader(self.buf, self.content_start, self.end)

    def __repr__(self):
        return "Tlv(tag=%#x, len=%d)" % (self.tag, self.end - self.content_start)


def read_tlv(buf, pos=0, limit=None):
    """The TLV starting at buf[pos], which must end by limit (default: the end of buf). DER only:
    low tag numbers, definite lengths in the fewest octets (at most 4 length octets)."""
    limit = len(buf) if limit is None else limit
    if pos + 2 > limit:
        raise DerError("truncated header at %d" % pos)
    tag = buf[pos]
    if tag & 0x1F == 0x1F:
        raise DerError("high tag number form")
    first = buf[pos + 1]
    p = pos + 2
    if first < 0x80:
        n = first
    elif first == 0x80:
        raise DerError("indefinite length")
    else:
        k = first & 0x7F
        if k > 4 or p + k > limit:
            raise DerError("length of length")
        if buf[p] == 0:
            raise DerError("non-minimal length (leading zero)")
        n = int.from_bytes(buf[p:p + k], "big")
        if n < 0x80:
            raise DerError("non-minimal length (long form for < 128)")
        p += k
    if p + n > limit:
        raise DerError("truncated content at %d" % pos)
    return Tlv(buf, pos, tag, p, p + n)


def read_all(buf, start=0, end=None):
    end = len(buf) if end is None else end
    out, pos = [], start
    while pos < end:
        t = read_tlv(buf, pos, end)
        out.append(t)
        pos = t.end
    return out


def parse(data):
    """The single top-level TLV of data; refuses trailing bytes."""
    t = read_tlv(data, 0)
    if t.end != len(data):
        raise DerError("trailing data")
    return t


class Reader:
    """Reads a run of TLVs (typically a SEQUENCE's fields) in order, checking each tag."""

    def __init__(self, buf, start=0, limit=None):
        self.buf, self.pos = buf, start
        self.limit = len(buf) if limit is None else limit

    def at_end(self):
        return self.pos == self.limit

    def peek(self):
        """The next tag byte, or None at the end."""
        return None if self.at_end() else self.buf[self.pos]

    def any(self):
        t = read_tlv(self.buf, self.pos, self.limit)
        self.pos = t.end
        return t

    def expect(self, tag, what):
        if self.peek() != tag:
            raise DerError("%s: expected tag %#04x, got %r" % (what, tag, self.peek()))
        return self.any()

    def optional(self, tag):
        return self.any() if self.peek() == tag else None

    def end(self, what):
        if not self.at_end():
            raise DerError("%s: unexpected trailing element" % what)


def decode_integer(t, what="INTEGER"):
    v = t.content
    if not v:
        raise DerError("%s: empty INTEGER" % what)
    if len(v) > 1 and ((v[0] == 0 and v[1] < 0x80) or (v[0] == 0xFF and v[1] >= 0x80)):
        raise DerError("%s: non-minimal INTEGER" % what)
    return int.from_bytes(v, "big", signed=True)


def decode_boolean(t, what="BOOLEAN"):
    if t.content not in (b"\x00", b"\xff"):
        raise DerError("%s: BOOLEAN must be 00 or FF" % what)
    return t.content == b"\xff"


def decode_oid(content, what="OID"):
    """Dotted text of an OBJECT IDENTIFIER's content octets."""
    if not content or content[-1] & 0x80:
        raise DerError("%s: bad OID" % what)
    arcs, value, arc_start = [], 0, True
    for b in content:
        if arc_start and b == 0x80:
            raise DerError("%s: non-minimal OID arc" % what)
        value = (value << 7) | (b & 0x7F)
        arc_start = not b & 0x80
        if arc_start:
            arcs.append(value)
            value = 0
    first = arcs[0]
    head = [0, first] if first < 40 else ([1, first - 40] if first < 80 else [2, first - 80])
    return ".".join(str(a) for a in head + arcs[1:])


def decode_bit_string(t, what="BIT STRING"):
    """(bytes, number of unused bits) of a BIT STRING."""
    v = t.content
    if not v or v[0] > 7 or (len(v) == 1 and v[0] != 0):
        raise DerError("%s: bad BIT STRING" % what)
    if v[0] and v[-1] & ((1 << v[0]) - 1):
        raise DerError("%s: non-zero unused bits" % what)
    return v[1:], v[0]


GENERALIZED_TIME_RE = re.compile(rb"^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$")
UTC_TIME_RE = re.compile(rb"^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$")


def decode_generalized_time(t, what="GeneralizedTime"):
    """A GeneralizedTime of exactly the form YYYYMMDDHHMMSSZ (TimeError otherwise)."""
    if t.tag != GENERALIZED_TIME:
        raise DerError("%s: not a GeneralizedTime" % what)
    m = GENERALIZED_TIME_RE.match(t.content)
    if not m:
        raise TimeError("%s: %r" % (what, t.content))
    try:
        return datetime.datetime(*map(int, m.groups()), tzinfo=datetime.timezone.utc)
    except ValueError:
        raise TimeError("%s: %r" % (what, t.content)) from None


def decode_time(t, what="Time"):
    """An X.509 Time: UTCTime YYMMDDHHMMSSZ (RFC 5280 windowing: 50..99 are 19xx) or GeneralizedTime."""
    if t.tag == GENERALIZED_TIME:
        return decode_generalized_time(t, what)
    if t.tag != UTC_TIME:
        raise DerError("%s: not a Time" % what)
    m = UTC_TIME_RE.match(t.content)
    if not m:
        raise DerError("%s: bad UTCTime %r" % (what, t.content))
    yy, *rest = map(int, m.groups())
    return datetime.datetime(yy + (1900 if yy >= 50 else 2000), *rest, tzinfo=datetime.timezone.utc)
