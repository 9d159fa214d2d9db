/* despatch-keys.h: "despatch keys" (init, enrol, revoke, list); argv[0] is "keys". */
#ifndef DSP_DESPATCH_KEYS_H
#define DSP_DESPATCH_KEYS_H

int despatch_keys_main (int argc, char **argv);

#endif
