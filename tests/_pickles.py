"""Pickle opcodes of CIFAR-10 batches, written by hand.

The original ``cifar-10-batches-py`` files are Python 2 pickles (protocol 2): a
dict with ``str`` keys (SHORT_BINSTRING, loaded as bytes by Python 3), labels as a
list of ints and ``data`` as a uint8 array rebuilt by
``numpy.core.multiarray._reconstruct(numpy.ndarray, (0,), 'b')`` plus a BUILD with
``(1, shape, dtype, False, rawdata)``. These helpers emit the same opcodes, so a
test can write a real-format file and then change one piece of it (a shape that
claims more bytes than present, another dtype state, a direct call of
``numpy.ndarray``...).
"""

import struct

import numpy as np


def text(value):
    """A Python 2 ``str``: SHORT_BINSTRING or BINSTRING."""
    value = value.encode() if isinstance(value, str) else value
    if len(value) < 256:
        return b"U" + bytes([len(value)]) + value
    return b"T" + struct.pack("<i", len(value)) + value


def integer(value):
    """BININT1, BININT or LONG1."""
    if 0 <= value < 256:
        return b"K" + bytes([value])
    if -(2**31) <= value < 2**31:
        return b"J" + struct.pack("<i", value)
    raw = value.to_bytes((value.bit_length() + 8) // 8, "little", signed=True)
    return b"\x8a" + bytes([len(raw)]) + raw


def tuple_(*items):
    return b"(" + b"".join(items) + b"t"


def dtype(spec="u1", order="|", args=(0, 1), state=None):
    """``numpy.dtype(spec, *args)`` with the BUILD state of a plain dtype."""
    if state is None:
        state = tuple_(
            integer(3),
            text(order),
            b"NNN",
            b"J\xff\xff\xff\xff" * 2,
            integer(0),
        )
    call = b"cnumpy\ndtype\n" + tuple_(text(spec), *(integer(a) for a in args))
    return call + b"R" + state + b"b"


def array(shape, raw, *, spec="u1", order="|", module="numpy.core.multiarray"):
    """An array as the original files rebuild it, with any shape and bytes."""
    return (
        f"c{module}\n_reconstruct\n".encode()
        + b"cnumpy\nndarray\n"
        + integer(0)
        + b"\x85"  # TUPLE1: (0,)
        + text("b")
        + b"\x87R"  # TUPLE3, REDUCE
        + tuple_(
            integer(1),
            tuple_(*(integer(d) for d in shape)),
            dtype(spec, order),
            b"\x89",  # NEWFALSE: C order
            text(raw),
        )
        + b"b"  # BUILD
    )


def list_(values):
    return b"](" + b"".join(values) + b"e"


def dict_(items):
    """A protocol-2 pickle of a dict of ``(key, opcodes)`` items."""
    body = b"".join(text(k) + v for k, v in items)
    return b"\x80\x02}(" + body + b"u."


def batch(data, labels, label=b"training batch 1 of 5"):
    """A whole batch file in the original format (``data`` uint8 (n, 3072))."""
    data = np.ascontiguousarray(data, dtype=np.uint8)
    return dict_(
        [
            ("batch_label", text(label)),
            ("labels", list_([integer(int(v)) for v in labels])),
            ("data", array(data.shape, data.tobytes())),
            ("filenames", list_([text(f"img_{i}.png") for i in range(len(data))])),
        ]
    )


def meta(names):
    return dict_(
        [
            ("num_cases_per_batch", integer(10000)),
            ("label_names", list_([text(n) for n in names])),
            ("num_vis", integer(3072)),
        ]
    )
