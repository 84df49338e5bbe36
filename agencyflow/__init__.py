"""agencyflow: the Lishui safety-production service-agency supervision workflow service."""
