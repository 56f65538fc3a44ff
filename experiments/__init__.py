"""Running the model: scenario files, runs, comparisons, writers, the command line and the benchmark."""
