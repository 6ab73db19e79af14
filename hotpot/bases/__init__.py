"""Raw-material bases (原料基地): where the chillies, peppercorns, konjac, cattle and fish come from."""
