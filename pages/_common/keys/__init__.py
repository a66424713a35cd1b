"""Every page's URL/session-state fields, one module per page, all declared here and nowhere else."""
