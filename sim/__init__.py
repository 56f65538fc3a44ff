"""The ground floor: the engine (a Mesa model), state arrays, occupancy, parameters, streams and outputs."""
