"""Query results as a citizen reads them (units, totals, rows needing attention, paging)."""
