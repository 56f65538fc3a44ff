"""Running the model: scenario files, single runs, the command line and the benchmark."""
