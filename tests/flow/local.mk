# tests/flow/: the despatch flow against a real hub.
