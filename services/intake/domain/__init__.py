"""Pure intake domain: the organisation registry, the versioned award catalogue, eligibility rules."""
