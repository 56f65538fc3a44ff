"""Household processes (demography, care) and the institutions (zorgkantoor) as Mesa agents."""
