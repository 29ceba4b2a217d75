# Sourced by ./kit, ./mvnw and bench/run: picks the OpenBLAS kernel ("core type") for this CPU before any
# JVM loads ND4J. ND4J 1.0.0-M2.1 bundles OpenBLAS 0.3.19, which reads OPENBLAS_CORETYPE once, when the
# library loads, and on CPUs newer than it (e.g. AMD Zen 5, family 26) falls back to an old generic kernel
# (BARCELONA) that runs sgemm at a fraction of the speed. The choice follows the CPU's instruction sets:
#   AVX-512 F/BW/DQ/VL/CD -> SKYLAKEX   (never COOPERLAKE: 0.3.19's COOPERLAKE sgemm gives wrong results on Zen 5)
#   AVX2 + FMA            -> HASWELL
#   AVX                   -> SANDYBRIDGE
#   otherwise, or not Linux on x86-64: nothing, OpenBLAS decides as usual.
# A value the user set already wins; ATTENTION_KIT_CORETYPE records that the kit chose it (Kit.init() and
# ./kit doctor say so). See README "Which BLAS".

# Prints the core type for the given CPU flags (the "flags" line of /proc/cpuinfo), or nothing.
kit_openblas_coretype() {
  local flags=" $1 " f
  has() { for f in "$@"; do case "$flags" in *" $f "*) ;; *) return 1 ;; esac; done; }
  if has avx512f avx512bw avx512dq avx512vl avx512cd; then echo SKYLAKEX
  elif has avx2 fma; then echo HASWELL
  elif has avx; then echo SANDYBRIDGE
  fi
  unset -f has
}

if [ -z "${OPENBLAS_CORETYPE:-}" ] && [ "$(uname -s 2>/dev/null)" = Linux ] && [ "$(uname -m 2>/dev/null)" = x86_64 ] \
    && [ -r /proc/cpuinfo ]; then
  # One sed, no pipe: under ./kit's pipefail a "| head" could end sed with SIGPIPE on a many-core /proc/cpuinfo.
  ATTENTION_KIT_CORETYPE="$(kit_openblas_coretype "$(sed -n '/^flags[[:space:]]*:/{s/^flags[[:space:]]*:[[:space:]]*//p;q;}' /proc/cpuinfo)")"
  if [ -n "$ATTENTION_KIT_CORETYPE" ]; then
    OPENBLAS_CORETYPE="$ATTENTION_KIT_CORETYPE"
    export OPENBLAS_CORETYPE ATTENTION_KIT_CORETYPE
  else
    unset ATTENTION_KIT_CORETYPE
  fi
fi
