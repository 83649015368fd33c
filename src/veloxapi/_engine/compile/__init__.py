"""Compile phase: signatures analysed once into parameter specs, then into route plans."""
