"""The personal health budgets example: the two seed papers, coded (``phbrefs demo``)."""
