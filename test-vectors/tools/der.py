"""A small DER encoder and reader (Python standard library only).

The encoder returns plain ``bytes`` so that callers can splice in deliberately broken
encodings anywhere. The reader is only meant for well-formed DER that this generator or the
openssl CLI produced; it is used to describe the vectors (manifest ``parse`` blocks,
certs.json), not to judge untrusted input.
"""

import datetime

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

    def __repr__(self):
        return "Tlv(tag=%#x, len=%d)" % (self.tag, self.end - self.content_start)


class DerError(ValueError):
    pass


def read_tlv(buf, pos, limit=None):
    """Read one definite-length TLV starting at pos (no high tag numbers)."""
    limit = len(buf) if limit is None else limit
    if pos + 2 > limit:
        raise DerError("truncated header at %d" % pos)
    tag = buf[pos]
    if tag & 0x1F == 0x1F:
        raise DerError("high tag number")
    first = buf[pos + 1]
    p = pos + 2
    if first < 0x80:
        n = first
    elif first == 0x80:
        raise DerError("indefinite length")
    else:
        k = first & 0x7F
        if p + k > limit:
            raise DerError("truncated length")
        n = int.from_bytes(buf[p:p + k], "big")
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


def decode_oid(content):
    arcs, value = [], 0
    for b in content:
        value = (value << 7) | (b & 0x7F)
        if not b & 0x80:
            arcs.append(value)
            value = 0
    first = arcs[0]
    head = [0, first] if first < 40 else ([1, first - 40] if first < 80 else [2, first - 80])
    return ".".join(str(a) for a in head + arcs[1:])


def decode_time(t):
    text = t.content.decode("ascii")
    if t.tag == UTC_TIME:
        yy = int(text[:2])
        text = ("19" if yy >= 50 else "20") + text
    return datetime.datetime.strptime(text, "%Y%m%d%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
