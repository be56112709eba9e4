"""Plain Python helpers of crm_extended (no models)."""
