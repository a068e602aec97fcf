# The dispatch-latency BPF program (dispatch.bpf.c): compiled by clang for BPF, turned into a C
# skeleton by bpftool (the object embedded in diowqctl) and loaded at run time with libbpf. CO-RE:
# the object carries its field accesses as relocations against the running kernel's BTF, so one
# build runs on every kernel with BTF. Included by ../../CMakeLists.txt.
#
# Debian 12 packages: clang libbpf-dev bpftool

find_program(DIOWQ_CLANG clang REQUIRED)
find_program(DIOWQ_BPFTOOL bpftool PATHS /usr/sbin /sbin REQUIRED)
pkg_check_modules(LIBBPF REQUIRED IMPORTED_TARGET libbpf)

if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|i.86)$")
  set(DIOWQ_BPF_ARCH x86)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64)$")
  set(DIOWQ_BPF_ARCH arm64)
else()
  set(DIOWQ_BPF_ARCH ${CMAKE_SYSTEM_PROCESSOR})
endif()

set(DIOWQ_BPF_DIR ${CMAKE_CURRENT_SOURCE_DIR}/src/bpf)
set(DIOWQ_BPF_OUT ${CMAKE_CURRENT_BINARY_DIR}/bpf)
add_custom_command(
  OUTPUT ${DIOWQ_BPF_OUT}/dispatch.bpf.o
  COMMAND ${CMAKE_COMMAND} -E make_directory ${DIOWQ_BPF_OUT}
  COMMAND ${DIOWQ_CLANG} -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_${DIOWQ_BPF_ARCH}
          -Wall -Werror -I${DIOWQ_BPF_DIR} -idirafter /usr/include/${CMAKE_LIBRARY_ARCHITECTURE}
          -c ${DIOWQ_BPF_DIR}/dispatch.bpf.c -o ${DIOWQ_BPF_OUT}/dispatch.bpf.o
  DEPENDS ${DIOWQ_BPF_DIR}/dispatch.bpf.c ${DIOWQ_BPF_DIR}/dispatch_abi.h
  COMMENT "clang -target bpf dispatch.bpf.c")
add_custom_command(
  OUTPUT ${DIOWQ_BPF_OUT}/dispatch.skel.h
  COMMAND ${DIOWQ_BPFTOOL} gen skeleton ${DIOWQ_BPF_OUT}/dispatch.bpf.o name dispatch_bpf
          > ${DIOWQ_BPF_OUT}/dispatch.skel.h
  DEPENDS ${DIOWQ_BPF_OUT}/dispatch.bpf.o
  COMMENT "bpftool gen skeleton dispatch.bpf.o")

add_library(diowqctl_bpf STATIC
  ${DIOWQ_BPF_DIR}/dispatch_probe.cpp
  ${DIOWQ_BPF_OUT}/dispatch.skel.h)
target_include_directories(diowqctl_bpf PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/src PRIVATE ${DIOWQ_BPF_OUT})
target_include_directories(diowqctl_bpf SYSTEM PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/../include)
target_link_libraries(diowqctl_bpf PUBLIC PkgConfig::LIBBPF fmt::fmt PRIVATE diowqctl_warnings)
