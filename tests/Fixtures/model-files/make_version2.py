#!/usr/bin/env python3
"""Writes version-2.rnnf, a version-2 Rnn.Fast model file, from the format's documentation (docs/file-format.md)
with nothing but Python's struct and zlib: an implementation of the format that shares no code with Rnn.Fast.
The test Serialization/ModelFileFixtureTests loads it and checks every value below, and checks that
RnnModelFile.Save writes the same bytes. Run from this folder: python3 make_version2.py"""
import struct
import zlib

D, H, O = 2, 3, 1
P = D * H + H * H + H + H * O + O  # 22

# Parameters: -2.0, -1.75, ... in steps of 0.25, then a quiet NaN with a payload, -0.0 and the smallest subnormal.
parameters = [struct.pack("<f", -2.0 + 0.25 * i) for i in range(P - 3)]
parameters += [struct.pack("<I", 0x7FC0_0ABC), struct.pack("<f", -0.0), struct.pack("<I", 0x0000_0001)]


def string(text):
    data = text.encode("utf-8")
    return struct.pack("<I", len(data)) + data


def strings(values):
    return struct.pack("<I", len(values)) + b"".join(string(v) for v in values)


def string_map(pairs):
    return struct.pack("<I", len(pairs)) + b"".join(string(k) + string(v) for k, v in pairs)


def float64s(values):
    return b"".join(struct.pack("<d", v) for v in values)


TEXT, STRINGS, STRING_MAP, FLOAT32S, FLOAT64S, INT64S, BYTES = 1, 2, 3, 4, 5, 6, 7
sections = [
    ("metadata", STRING_MAP, 0, string_map([("created-by", "make_version2.py"), ("note", "\u00fcn\u00efc\u00f6d\u00e9 \u4e2d")])),
    ("inputs.columns", STRINGS, 0, strings(["a", "b"])),
    ("inputs.mean", FLOAT64S, 0, float64s([1.5, -2.25])),
    ("inputs.scale", FLOAT64S, 0, float64s([0.5, 4.0])),
    ("outputs.columns", STRINGS, 0, strings(["y"])),
    ("outputs.mean", FLOAT64S, 0, float64s([10.0])),
    ("outputs.scale", FLOAT64S, 0, float64s([2.0])),
    ("window.length", INT64S, 0, struct.pack("<q", 7)),
    ("python.floats", FLOAT32S, 0, struct.pack("<f", 1.0) + struct.pack("<f", -0.0) + struct.pack("<I", 0xFF80_0001)),
    ("python.text", TEXT, 0, "hello".encode("utf-8")),
    ("python.later", 200, 0, b"\x01\x02"),  # a type this library does not know, not required: it must load as bytes
]

body = b"RNNF" + struct.pack("<I", 2) + struct.pack("<iii", D, H, O) + struct.pack("<I", 1) + struct.pack("<q", P)
body += b"".join(parameters)
body += struct.pack("<I", len(sections))
for name, kind, flags, payload in sections:
    encoded = name.encode("ascii")
    body += struct.pack("<B", len(encoded)) + encoded + struct.pack("<II", kind, flags) + struct.pack("<Q", len(payload)) + payload
body += struct.pack("<I", zlib.crc32(body) & 0xFFFF_FFFF)

with open("version-2.rnnf", "wb") as file:
    file.write(body)
print(f"version-2.rnnf: {len(body)} bytes, CRC-32 0x{zlib.crc32(body[:-4]) & 0xFFFF_FFFF:08x}")
