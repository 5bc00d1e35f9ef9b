"""Pure numpy/scipy signal chain: orientation -> extension angle -> stage -> hold."""
