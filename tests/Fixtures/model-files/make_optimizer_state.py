#!/usr/bin/env python3
"""Writes optimizer-state.rnnf, a version-2 Rnn.Fast model file holding an AdamW (AMSGrad) optimizer state, from the
format's documentation (docs/file-format.md, "Well-known sections") with nothing but Python's struct and zlib: an
implementation of the optimizer sections that shares no code with Rnn.Fast. The test
Training/TrainingStateFileTests loads it, checks every value below, and checks that saving the loaded model with
TrainingState.ToSections() writes the same bytes. Run from this folder: python3 make_optimizer_state.py"""
import struct
import zlib

D, H, O = 1, 2, 1
P = D * H + H * H + H + H * O + O  # 11


def float32s(values):
    return b"".join(struct.pack("<f", v) for v in values)


TEXT, FLOAT32S, INT64S = 1, 4, 6
sections = [
    ("optimizer.kind", TEXT, 0, "adamw-amsgrad".encode("utf-8")),
    ("optimizer.step", INT64S, 0, struct.pack("<q", 42)),
    ("optimizer.exp_avg", FLOAT32S, 0, float32s([0.01 * (i - 5) for i in range(P)])),
    ("optimizer.exp_avg_sq", FLOAT32S, 0, float32s([0.001 * i for i in range(P)])),
    ("optimizer.max_exp_avg_sq", FLOAT32S, 0, float32s([0.002 * i for i in range(P)])),
]

body = b"RNNF" + struct.pack("<I", 2) + struct.pack("<iii", D, H, O) + struct.pack("<I", 1) + struct.pack("<q", P)
body += float32s([0.1 * i for i in range(P)])
body += struct.pack("<I", len(sections))
for name, kind, flags, payload in sections:
    encoded = name.encode("ascii")
    body += struct.pack("<B", len(encoded)) + encoded + struct.pack("<II", kind, flags) + struct.pack("<Q", len(payload)) + payload
body += struct.pack("<I", zlib.crc32(body) & 0xFFFF_FFFF)

with open("optimizer-state.rnnf", "wb") as file:
    file.write(body)
print(f"optimizer-state.rnnf: {len(body)} bytes")
