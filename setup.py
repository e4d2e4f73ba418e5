"""The relay's compiled modules: media/_fastpath.c (SRTP + sendmmsg of forwarded packets) and
media/_receive.c (the per-packet receive path: unprotect, statistics, NACK, reassembly).

Everything else is declared in pyproject.toml. `optional=True`: without a C compiler the
install still succeeds and the relay does the same work in Python (media/aiortc_seams.py).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "media._fastpath",
            ["media/_fastpath.c"],
            extra_compile_args=["-O2", "-Wall", "-Werror"],
            optional=True,
        ),
        Extension(
            "media._receive",
            ["media/_receive.c"],
            extra_compile_args=["-O2", "-Wall", "-Werror"],
            optional=True,
        ),
    ]
)
