"""The simulation core: the Mesa model, its household and dwelling arrays, parameters and outputs."""
