#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the seed corpus of fuzz-peer-receive (see that file for the record format):
RTP with header extensions on each track, RTX, a gap and its repair, every RTCP type the
peer handles, DTLS and STUN first bytes, garbage, and unprotected SRTP.

Usage: make-corpus-peer-receive.py OUTPUT_DIR"""

import struct
import sys
from pathlib import Path

PROTECT, FIX_SSRC, TICK, RTX = 1, 2, 4, 8


def record(flags, data, track=0):
    return struct.pack("!BH", flags | (track << 4), len(data)) + data


def rtp(pt, seq, ts, payload, ext=b"", marker=False, padding=0):
    first = 0x80 | (0x10 if ext else 0) | (0x20 if padding else 0)
    header = struct.pack("!BBHII", first, (0x80 if marker else 0) | pt, seq, ts, 0)
    if ext:
        body = ext + b"\0" * (-len(ext) % 4)
        header += struct.pack("!HH", 0xBEDE, len(body) // 4) + body
    pad = b"\0" * (padding - 1) + bytes([padding]) if padding else b""
    return header + payload + pad


def one_byte_ext(elements):
    return b"".join(bytes([(i << 4) | (len(v) - 1)]) + v for i, v in elements)


def rtcp(pt, count, body):
    """One RTCP packet: header, sender SSRC 0 (FIX_SSRC fills it in), body."""
    body += b"\0" * (-len(body) % 4)
    length = (8 + len(body)) // 4 - 1
    return struct.pack("!BBHI", 0x80 | count, pt, length, 0) + body


# Server offer (negotiate.c): audio opus 111 ext 1 mid, 2 level, 3 twcc; video VP8 96, RTX 97.
AUDIO = lambda seq: rtp(111, seq, seq * 960, b"\xfc" + b"o" * 40,
                        one_byte_ext([(1, b"0"), (2, b"\x9e"), (3, struct.pack("!H", seq))]))
VIDEO = lambda seq, marker=False: rtp(96, seq, seq * 3000, b"\x90\x80" + b"v" * 60,
                                     one_byte_ext([(1, b"1"), (3, struct.pack("!H", seq + 1000))]),
                                     marker)


def corpus():
    c = {}
    c["audio-video"] = b"".join(
        [record(PROTECT | FIX_SSRC, AUDIO(i), 0) + record(PROTECT | FIX_SSRC | TICK, VIDEO(i), 1)
         for i in range(1, 6)])
    # A gap in video (NACK sent at once), then its RTX repair (OSN first in the payload).
    rtx = rtp(97, 7, 3 * 3000, struct.pack("!H", 3) + b"\x90\x80" + b"r" * 60)
    c["gap-rtx"] = (record(PROTECT | FIX_SSRC, VIDEO(1), 1) + record(PROTECT | FIX_SSRC, VIDEO(2), 1)
                    + record(PROTECT | FIX_SSRC, VIDEO(4), 1)
                    + record(PROTECT | FIX_SSRC | RTX | TICK, rtx, 1)
                    + record(PROTECT | FIX_SSRC | RTX, rtp(97, 8, 0, b"", padding=200), 1))
    sr = rtcp(200, 1, struct.pack("!QIII", 0xE0000000_00000000, 1234, 10, 1000)
              + struct.pack("!IIIIII", 0, 0x01000005, 70000, 9, 0, 0))
    rr = rtcp(201, 1, struct.pack("!IIIIII", 0, 0x02000001, 70001, 12, 0x12345678, 0x10000))
    sdes = rtcp(202, 1, b"\x01\x05cname\0")
    nack = rtcp(205, 1, struct.pack("!IHH", 0, 10, 0xffff))
    pli = rtcp(206, 1, struct.pack("!I", 0))
    fir = rtcp(206, 4, struct.pack("!IIBBH", 0, 0, 0, 1, 0))
    remb = rtcp(206, 15, struct.pack("!I", 0) + b"REMB" + bytes([1, 0x03, 0xff, 0xff]) + b"\0" * 4)
    twcc = rtcp(205, 15, struct.pack("!IHHIBB", 0, 1, 4, 0x000001, 0, 0) + b"\x20\x04"
                + b"\x04\x04\x04\x04" + b"\0\0")
    bye = rtcp(203, 1, b"")
    c["video-then-nack"] = (b"".join(record(PROTECT | FIX_SSRC, VIDEO(i), 1) for i in range(1, 4))
                            + record(PROTECT, b"")  # empty record
                            + b"".join(record(PROTECT | FIX_SSRC, VIDEO(i), 1) for i in range(1, 2)))
    # FIX_SSRC sets the media SSRC of the first packet of a compound: feedback goes first.
    c["rtcp-compound"] = record(PROTECT | FIX_SSRC | TICK, sr + sdes, 1) + record(
        PROTECT | FIX_SSRC, nack + rr, 1) + record(PROTECT | FIX_SSRC, pli + fir + rr, 1)
    c["rtcp-feedback"] = record(PROTECT | FIX_SSRC, rr + remb + twcc + bye, 1)
    # Answering NACKs needs something sent first: video in, echoed out, then the NACK.
    c["echo-then-nack"] = (b"".join(record(PROTECT | FIX_SSRC, VIDEO(i), 1) for i in range(10, 20))
                           + record(PROTECT | FIX_SSRC, nack + rr, 1)
                           + record(PROTECT | FIX_SSRC | TICK, pli + rr, 1)
                           + record(PROTECT | FIX_SSRC, fir + rr, 1))
    c["dtls-stun-garbage"] = (record(0, b"\x16\xfe\xfd" + b"\0" * 20)
                              + record(0, b"\x00\x01\x00\x00\x21\x12\xa4\x42" + b"\0" * 12)
                              + record(0, b"\xff" * 30) + record(0, b"\x80"))
    c["unprotected-rtp"] = record(FIX_SSRC, VIDEO(1), 1) + record(FIX_SSRC, sr, 1)
    c["malformed-after-srtp"] = (record(PROTECT, b"\x80\xc8\x00\x30" + b"\0" * 8)
                                 + record(PROTECT | FIX_SSRC, rtp(96, 1, 0, b"", padding=0), 1))
    c["unknown-ssrc"] = record(PROTECT, rtp(96, 1, 0, b"x" * 10)) + record(PROTECT, rtp(120, 1, 0, b"y"))
    c["many-ticks"] = b"".join(record(PROTECT | FIX_SSRC | TICK, VIDEO(i, marker=i % 3 == 0), 1)
                               for i in range(0, 200, 7))
    return c


def main(out):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for name, data in corpus().items():
        (out / name).write_bytes(data)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent / "corpus" / "peer-receive")
