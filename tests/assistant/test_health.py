"""The doctor's check of the llama.cpp build: AMX kernels crash in VMs that report AMX, so setup.sh builds without them."""

import pytest

from assistant.health import amx_built

AMX_BUILD = "CPU : SSE3 = 1 | AVX2 = 1 | AVX512 = 1 | AVX512_VNNI = 1 | AMX_INT8 = 1 | LLAMAFILE = 1 | "
PLAIN_BUILD = "CPU : SSE3 = 1 | AVX2 = 1 | AVX512 = 1 | AVX512_VNNI = 1 | LLAMAFILE = 1 | "


def test_a_build_with_an_amx_kernel_is_recognised():
    assert amx_built(AMX_BUILD)
    assert not amx_built(PLAIN_BUILD)
    assert not amx_built(PLAIN_BUILD.replace("AVX512_VNNI = 1", "AMX_INT8 = 0"))


def test_the_installed_llama_cpp_has_no_amx_kernels():
    """setup.sh's CMAKE_ARGS took effect: the library it built reports no AMX kernel (on a CPU with AMX, this
    fails where a build took -march=native without them)."""
    llama_cpp = pytest.importorskip("llama_cpp")
    assert not amx_built(llama_cpp.llama_print_system_info().decode())
