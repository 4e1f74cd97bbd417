"""Decision documents: rendering (reportlab) and PAdES signing (pyHanko)."""
