"""Input and output calibration of doorstroom's parameters."""
