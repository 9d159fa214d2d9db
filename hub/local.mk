# hub/: the despatch hub.
