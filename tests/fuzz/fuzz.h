/*
 * fuzz.h: every fuzz harness defines LLVMFuzzerTestOneInput. Built with
 * --enable-fuzzing it runs under libFuzzer; otherwise replay.c gives it a
 * main that feeds it each file of its corpus (tests/fuzz/corpus/NAME) and
 * reports TAP, so the corpus is a unit test in make check.
 */
#ifndef DSP_FUZZ_H
#define DSP_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#endif
