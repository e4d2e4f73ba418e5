"""The one compiled module: media/_fastpath.c (the relay's SRTP + sendmmsg fast path).

Everything else is declared in pyproject.toml. `optional=True`: without a C compiler the
install still succeeds and the relay sends through its pure-Python path (media/fastpath.py).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "media._fastpath",
            ["media/_fastpath.c"],
            extra_compile_args=["-O2", "-Wall", "-Werror"],
            optional=True,
        )
    ]
)
